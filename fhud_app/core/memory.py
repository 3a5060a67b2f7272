"""The one resident-memory probe (the debug overlay, the benches), and handing freed heap back."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import psutil

MIB = 2**20


def rss_mb(pid: int | None = None) -> float | None:
    """Resident memory of process ``pid`` (this one by default) in MiB; None once it is gone."""
    try:
        return psutil.Process(os.getpid() if pid is None else pid).memory_info().rss / MIB
    except psutil.Error:
        return None


def release_heap() -> bool:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``); False where
    there is nothing to call (not Linux, not glibc).

    Threads that allocate and free buffers of changing sizes (the models' activations, the
    tokenizer's parse) leave free chunks inside glibc's arenas that stay resident: a soak of the
    demo grew ~1 MB a minute that way while the memory in use stayed flat."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to trim
        return False
    return True


class HeapTrim:
    """Calls :func:`release_heap` at most every ``every_s`` seconds (a call costs ~10-25 ms with a
    1 GB heap), from a thread that can spare it: the concept worker while it waits."""

    def __init__(self, every_s: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 release: Callable[[], bool] = release_heap) -> None:
        self.every_s = every_s
        self.clock = clock
        self.release = release
        self.last = clock()
        self.count = 0

    def maybe(self) -> bool:
        """Trim if ``every_s`` has passed since the last trim; True when it trimmed."""
        now = self.clock()
        if now - self.last < self.every_s:
            return False
        self.last = now
        self.count += self.release()
        return True
