"""One gate for every MLX call in the process (MLX is not thread-safe).

ASR holds priority: while an ASR caller waits, no lower-priority caller may
(re)enter.  The LLM takes the gate per token, so ASR waits at most one token.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum


class Priority(IntEnum):
    LOW = 0  # the concept worker (LLM)
    HIGH = 1  # the ASR worker


class MlxGate:
    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._held = False
        self._waiting_high = 0
        self.acquisitions = 0

    @contextmanager
    def hold(self, priority: Priority = Priority.LOW) -> Iterator[None]:
        self.acquire(priority)
        try:
            yield
        finally:
            self.release()

    def acquire(self, priority: Priority = Priority.LOW) -> None:
        with self._cond:
            if priority is Priority.HIGH:
                self._waiting_high += 1
                try:
                    while self._held:
                        self._cond.wait()
                finally:
                    self._waiting_high -= 1
            else:
                while self._held or self._waiting_high:
                    self._cond.wait()
            self._held = True
            self.acquisitions += 1

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()

    @property
    def high_waiting(self) -> bool:
        """True while an ASR call waits; a long LLM step should yield soon."""
        return self._waiting_high > 0


