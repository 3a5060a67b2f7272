"""Non-finite samples become silence where audio enters: files, and the microphone callback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from fhud_app.audio.file_source import decode_audio
from fhud_app.audio.mic_source import MicSource
from fhud_app.audio.sanitize import FiniteGuard, describe, replace_non_finite, source_note
from fhud_app.core.ring import Ring
from tests.audio.fake_sounddevice import CallbackFlags, FakeSoundDevice


def test_replace_counts_and_zeroes_only_the_bad_samples() -> None:
    x = np.array([0.5, np.nan, -0.25, np.inf, -np.inf, 1.0], np.float32)
    assert replace_non_finite(x) == 3
    np.testing.assert_array_equal(x, [0.5, 0.0, -0.25, 0.0, 0.0, 1.0])
    assert replace_non_finite(x) == 0


def test_the_guard_passes_clean_blocks_through_and_cleans_bad_ones() -> None:
    guard = FiniteGuard(8)
    clean = np.linspace(-1, 1, 8, dtype=np.float32)
    assert guard.clean(clean) is clean and guard.count == 0
    bad = clean.copy()
    bad[[1, 5]] = [np.nan, np.inf]
    out = guard.clean(bad)
    assert guard.count == 2 and np.isfinite(out).all()
    np.testing.assert_array_equal(out[[0, 2, 3, 4, 6, 7]], clean[[0, 2, 3, 4, 6, 7]])
    assert np.isnan(bad[1])  # the device's buffer is not written to
    big = np.full(20, np.nan, np.float32)  # larger than planned: still cleaned
    assert np.isfinite(guard.clean(big)).all() and guard.count == 22


def test_a_file_with_nan_and_inf_decodes_to_finite_audio(tmp_path: Path) -> None:
    rate = 22_050
    x = (0.3 * np.sin(np.arange(rate * 2) * 0.05)).astype(np.float32)
    x[rate : rate + 353] = np.nan  # 16 ms
    x[rate + 1000] = np.inf
    path = tmp_path / "nan.wav"
    sf.write(path, x, rate, subtype="FLOAT")
    decoded = decode_audio(path)
    assert decoded.nonfinite == 354 and decoded.rate == rate
    assert np.isfinite(decoded.samples).all() and decoded.error is None
    assert np.abs(decoded.samples).max() > 0.2  # the rest of the audio survived the resampler


def test_the_note_is_one_line_in_milliseconds_or_seconds() -> None:
    assert describe(256, 16_000, "a.wav") == (
        "a.wav: 256 samples (16 ms) were not numbers (NaN or infinite) and were replaced with silence.")
    assert "(2.0 s)" in describe(32_000, 16_000, "b.wav")
    assert source_note(object(), "x") is None


def test_the_microphone_callback_writes_finite_audio_and_counts() -> None:
    ring = Ring(16_000 * 10, np.float32)
    reader = ring.reader()
    mic = MicSource(ring, device="usb", backend=FakeSoundDevice())
    block = np.full((320, 1), 0.25, np.float32)
    block[::4, 0] = np.nan
    for _ in range(100):
        mic._callback(block, 320, None, CallbackFlags(False))
    got = reader.read()
    assert len(got) == 32_000 and np.isfinite(got).all() and mic.nonfinite == 100 * 80
    assert "microphone: 8000 samples (500 ms)" in source_note(mic, "microphone")

