from __future__ import annotations

import threading

from fhud_app.core.mlx_gate import MlxGate, Priority


def test_gate_is_exclusive_and_high_priority_goes_first():
    gate = MlxGate()
    order: list[str] = []
    low_waiting = threading.Event()
    gate.acquire(Priority.LOW)  # the LLM is mid-token

    def low():
        low_waiting.set()
        with gate.hold(Priority.LOW):
            order.append("low")

    def high():
        with gate.hold(Priority.HIGH):
            order.append("high")

    t_low = threading.Thread(target=low)
    t_low.start()
    low_waiting.wait(5)
    t_high = threading.Thread(target=high)
    t_high.start()
    # Wait (bounded) until the ASR caller is queued, then release the token.
    deadline = threading.Event()
    for _ in range(1000):
        if gate.high_waiting:
            break
        deadline.wait(0.005)
    assert gate.high_waiting
    gate.release()
    t_high.join(5)
    t_low.join(5)
    assert order == ["high", "low"]
    assert gate.acquisitions == 3


def test_gate_serializes_many_threads():
    gate = MlxGate()
    inside = 0
    worst = 0
    guard = threading.Lock()

    def work(priority):
        nonlocal inside, worst
        for _ in range(200):
            with gate.hold(priority):
                with guard:
                    inside += 1
                    worst = max(worst, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work, args=(p,)) for p in (Priority.LOW, Priority.HIGH) * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert worst == 1
    assert gate.acquisitions == 800
