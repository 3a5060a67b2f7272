"""lower_current_thread: a thread (and the threads it starts, like MLX's) runs nicer than the app."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from fhud_app.core.priority import lower_current_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux")


def test_lowered_thread_and_its_children_are_nicer_and_the_caller_is_not() -> None:
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def worker() -> None:
        seen["changed"] = lower_current_thread(5)
        seen["worker"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        t = threading.Thread(target=child)
        t.start()
        t.join()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen["changed"] and seen["worker"] == min(19, base + 5) == seen["child"]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
    assert lower_current_thread(0) is False
