"""The interface every streaming ASR engine implements.

An engine is fed 16 kHz mono float32 samples in chunks of any size and keeps
the absolute time itself (samples fed / 16000).  Every timestamp it returns is
in audio seconds since the stream began.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from fhud_app.core.config import SAMPLE_RATE


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # audio seconds since the stream began
    end: float
    confidence: float  # 0..1


@dataclass
class EngineUpdate:
    final: list[Word] = field(default_factory=list)  # words that became final, in order
    draft: str = ""  # the current unstable tail (replaces the previous draft)


@runtime_checkable
class AsrEngine(Protocol):
    name: str

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        """Take the next samples; return the words that became final and the draft."""
        ...

    def flush(self) -> EngineUpdate:
        """End of stream: finalize everything still pending."""
        ...

    def close(self) -> None:
        """Release the model (called once, on the thread that loaded it)."""
        ...


def seconds(samples: int) -> float:
    return samples / SAMPLE_RATE
