"""Thread scheduling priority: the concept LLM uses spare CPU, never the ASR's or the GUI's."""

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
