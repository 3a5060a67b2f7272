"""lower_current_thread: a thread (and the threads it starts, like MLX's) runs nicer than the app;
lower_threads_named: a library's threads (a software rasterizer's) are found by name and lowered."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from fhud_app.core.priority import lower_current_thread, lower_threads_named

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


def _set_own_name(name: str) -> None:
    import ctypes

    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME, as Mesa names its threads


def test_threads_found_by_name_are_lowered_and_no_other() -> None:
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    named, other = threading.Event(), threading.Event()
    done = threading.Event()
    seen: dict[str, int] = {}

    def run(name: str, ready: threading.Event) -> None:
        _set_own_name(name)
        seen[name + ":tid"] = threading.get_native_id()
        ready.set()
        done.wait(10)

    threads = [threading.Thread(target=run, args=("llvmpipe-7", named)),
               threading.Thread(target=run, args=("fhud-other", other))]
    for t in threads:
        t.start()
    assert named.wait(10) and other.wait(10)
    try:
        assert lower_threads_named(("llvmpipe",), 15) == 1
        assert os.getpriority(os.PRIO_PROCESS, seen["llvmpipe-7:tid"]) == max(base, 15)
        assert os.getpriority(os.PRIO_PROCESS, seen["fhud-other:tid"]) == base
        assert lower_threads_named(("llvmpipe",), 15) == 0  # already there: nothing to do
        assert lower_threads_named(("llvmpipe",), 0) == 0
    finally:
        done.set()
        for t in threads:
            t.join()
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
