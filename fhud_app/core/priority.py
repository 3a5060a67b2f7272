"""Thread scheduling priority: the concept LLM uses spare CPU, never the ASR's; a software
rasterizer's threads give way to both (the view yields to the models first)."""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)


def lower_current_thread(nice: int) -> bool:
    """Raise the nice value of the calling thread by ``nice`` (Linux; elsewhere a no-op).

    Threads it starts afterwards inherit the value, which covers the worker thread that MLX
    creates for its CPU stream on first use.  Lowering one's own priority needs no privilege.
    Returns True when the priority was changed.
    """
    if nice <= 0 or not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError as exc:
        log.debug("could not lower the thread priority (%s)", exc)
        return False
    return True


def lower_threads_named(prefixes: tuple[str, ...], nice: int) -> int:
    """Raise to ``nice`` the nice value of this process's threads whose name starts with one of
    ``prefixes`` (Linux; elsewhere a no-op).  Returns how many threads were changed.

    For threads a library starts and never names to us: a software rasterizer's workers
    (llvmpipe), which would otherwise take the CPU the models need at the GUI's priority.
    """
    if nice <= 0 or not sys.platform.startswith("linux"):
        return 0
    changed = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/comm", encoding="utf-8") as f:
                name = f.read().strip()
            if not name.startswith(prefixes):
                continue
            if os.getpriority(os.PRIO_PROCESS, int(tid)) < nice:
                os.setpriority(os.PRIO_PROCESS, int(tid), min(19, nice))
                changed += 1
        except (OSError, ValueError) as exc:  # the thread ended meanwhile, or not permitted
            log.debug("could not lower thread %s (%s)", tid, exc)
    return changed
