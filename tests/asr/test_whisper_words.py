"""Words out of a Whisper decode (no model: a stand-in gives faster-whisper's segments)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np

from fhud_app.asr.whisper_engine import transcribe_words
from fhud_app.core.config import AsrConfig


class Segments:
    def __init__(self, *words: tuple[str, float, float, float], ratio: float = 1.2) -> None:
        self.words = [NS(word=t, start=a, end=b, probability=p) for t, a, b, p in words]
        self.ratio = ratio

    def transcribe(self, audio, **_options):  # noqa: ANN001, ANN201
        return [NS(compression_ratio=self.ratio, words=self.words)], None


def test_a_hyphen_piece_joins_the_word_before_it() -> None:
    """faster-whisper moves the hyphen of "Wi-Fi" onto the next word: "Wi", "-Fi"."""
    model = Segments((" The", 0.0, 0.2, 0.9), (" Wi", 0.2, 0.4, 0.8), ("-Fi", 0.4, 0.6, 0.7),
                     (" is", 0.6, 0.7, 0.9), (" -", 1.5, 1.6, 0.3), ("slow", 1.6, 1.9, 0.9))  # fmt: skip
    words = transcribe_words(model, np.zeros(32_000, np.float32), 10.0, AsrConfig())
    assert [w.text for w in words] == ["The", "Wi-Fi", "is", "-", "slow"]  # a lone dash stays
    wifi = words[1]
    assert (wifi.start, wifi.end, wifi.confidence) == (10.2, 10.6, 0.7)


def test_a_looping_segment_is_dropped() -> None:
    model = Segments((" the", 0.0, 0.1, 0.9), (" the", 0.1, 0.2, 0.9), ratio=3.0)
    assert transcribe_words(model, np.zeros(16_000, np.float32), 0.0, AsrConfig()) == []
