"""What every audio source is to the rest of the app (Qt-free)."""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable


@runtime_checkable
class AudioSource(Protocol):
    """Writes float32 mono samples at ``sample_rate`` into the audio ring it was given.

    ``finished`` is set when no more samples will come (the end of a file, a device
    that went away, or :meth:`stop`); ``error`` then says why, if it failed.
    ``overflows`` counts blocks the device lost before they reached the ring.
    """

    sample_rate: int
    finished: threading.Event
    overflows: int
    error: Exception | None

    def start(self) -> None: ...

    def stop(self) -> None: ...
