"""What every audio source is to the rest of the app (Qt-free)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

MIC_PREFIX = "mic"


@dataclass(frozen=True)
class SourceSpec:
    """Where audio comes from: a file path (played once, or ``loop``-ed until stopped),
    or the microphone (``path`` None; ``device`` a name substring or an index, None for
    the system default).  ``pace_s``: how often a real-time file wakes to write what
    falls due (default: every audio block).  Parsed from ``FILE`` / ``mic`` / ``mic:DEVICE``."""

    path: Path | None = None
    device: str | int | None = None
    loop: bool = False
    pace_s: float | None = None

    @classmethod
    def parse(cls, spec: str | Path) -> SourceSpec:
        text = str(spec)
        if text == MIC_PREFIX or text.startswith(MIC_PREFIX + ":"):
            dev = text[len(MIC_PREFIX) + 1 :] or None
            return cls(None, int(dev) if dev and dev.isdigit() else dev)
        return cls(Path(text))

    @property
    def is_mic(self) -> bool:
        return self.path is None

    @property
    def label(self) -> str:
        """What a session file's header names as its source."""
        return "microphone" if self.path is None else str(self.path)


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
