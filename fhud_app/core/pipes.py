"""A reader that went away (``fhud … | head``): stop writing, quietly, as Unix tools do."""

from __future__ import annotations

import os
from typing import TextIO

BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a Unix tool cut off by ``head``


def silence_closed_output(out: TextIO) -> None:
    """Point the closed stdout (and stderr, when it is the same pipe) at /dev/null, so that
    nothing written later, nor the interpreter's last flush, raises again."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file descriptor (a test's StringIO): nothing to silence
    devnull = os.open(os.devnull, os.O_WRONLY)
    same = [2] if _same_file(fd, 2) else []
    for target in (fd, *same):
        os.dup2(devnull, target)
    os.close(devnull)


def _same_file(a: int, b: int) -> bool:
    try:
        sa, sb = os.fstat(a), os.fstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
