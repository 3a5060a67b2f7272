"""The speech tracker (Silero VAD behind an energy gate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fhud_app.asr.vad import FRAME, SpeechTracker
from fhud_app.audio.file_source import load_audio


def test_speech_tracker_frames_and_silence() -> None:
    probs = iter([0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])

    def fake_model(audio: np.ndarray) -> np.ndarray:
        return np.array([next(probs) for _ in range(len(audio) // FRAME)])

    vad = SpeechTracker(model=fake_model, min_batch=4, energy_floor=0.0)
    buf = np.zeros(FRAME * 8, np.float32)
    vad.update(buf[: FRAME * 3], 0, FRAME * 3)  # fewer frames than a batch: waits
    assert vad.done == 0 and vad.silence_since(1.0) == float("inf")
    vad.update(buf[: FRAME * 4], 0, FRAME * 4)
    assert vad.last_speech_end == pytest.approx(2 * FRAME / 16_000)
    assert vad.silence_since(FRAME * 4 / 16_000) == pytest.approx(2 * FRAME / 16_000)


def test_quiet_blocks_skip_the_vad_model() -> None:
    calls: list[int] = []

    def fake_model(audio: np.ndarray) -> np.ndarray:
        calls.append(len(audio))
        return np.full(len(audio) // FRAME, 0.9)

    vad = SpeechTracker(model=fake_model, min_batch=4)
    rng = np.random.default_rng(0)
    quiet = (rng.standard_normal(FRAME * 40) * 10 ** (-70 / 20)).astype(np.float32)  # -70 dBFS
    for n in range(FRAME, len(quiet) + 1, 320):  # 20 ms blocks, as from a microphone
        vad.update(quiet[:n], 0, n)
    assert calls == [] and vad.gated_frames >= 36 and vad.last_speech_end < 0
    loud = np.concatenate([quiet, (rng.standard_normal(FRAME * 4) * 0.1).astype(np.float32)])
    vad.update(loud, 0, len(loud))
    assert vad.model_calls == 1 and vad.last_speech_end == pytest.approx(len(loud) / 16_000)


@pytest.mark.slow
def test_energy_gate_keeps_the_speech_onset(speech_wav: Path) -> None:
    """Speech after quiet noise: the gate changes nothing Silero decides, only its cost."""
    speech = load_audio(speech_wav)[0]
    rng = np.random.default_rng(1)
    noise = (rng.standard_normal(16_000 * 3) * 10 ** (-66 / 20)).astype(np.float32)
    audio = np.concatenate([noise, speech[: 16_000 * 3]])
    runs = []
    for floor in (0.0, 0.002):
        vad = SpeechTracker(energy_floor=floor)
        for n in range(320, len(audio) + 1, 320):
            vad.update(audio[:n], 0, n)
        runs.append(vad)
    ungated, gated = runs
    assert gated.last_speech_end == ungated.last_speech_end > 3.0
    assert gated.speech_frames == ungated.speech_frames > 0
    assert ungated.model_calls - gated.model_calls >= 20  # the 3 s of noise: ~23 batches
