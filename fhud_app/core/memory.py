"""The one resident-memory probe (the debug overlay, the benches)."""

from __future__ import annotations

import os

import psutil

MIB = 2**20


def rss_mb(pid: int | None = None) -> float | None:
    """Resident memory of process ``pid`` (this one by default) in MiB; None once it is gone."""
    try:
        return psutil.Process(os.getpid() if pid is None else pid).memory_info().rss / MIB
    except psutil.Error:
        return None
