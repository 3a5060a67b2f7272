from __future__ import annotations

from pathlib import Path

import jiwer
import numpy as np
import pytest

from fhud_app.asr.base import AsrEngine, Word
from fhud_app.asr.whisper_engine import KEEP_SILENCE_S, WhisperEngine, transcribe_words
from fhud_app.audio.file_source import load_audio
from fhud_app.bench.asr_metrics import normalize
from fhud_app.core.config import AsrConfig
from tests.conftest import SPEECH_TEXT

pytestmark = pytest.mark.slow


def stream(engine: WhisperEngine, audio: np.ndarray, block: int = 320) -> list[tuple[Word, float]]:
    """Feed ``audio`` in ``block``-sample steps; (word, seconds fed when it became final)."""
    out = []
    for i in range(0, len(audio), block):
        update = engine.feed(audio[i : i + block])
        out += [(w, engine.now_s) for w in update.final]
    out += [(w, engine.now_s) for w in engine.flush().final]
    return out


@pytest.fixture(scope="module")
def speech(speech_wav: Path) -> np.ndarray:
    return load_audio(speech_wav)[0]


@pytest.fixture(scope="module")
def streamed(whisper_model, speech: np.ndarray) -> tuple[WhisperEngine, list[tuple[Word, float]]]:
    engine = WhisperEngine(whisper_model, AsrConfig())
    return engine, stream(engine, speech)


def test_engine_implements_the_protocol(whisper_model) -> None:
    assert isinstance(WhisperEngine(whisper_model, AsrConfig()), AsrEngine)


def test_streaming_words_are_right_and_close_to_batch(whisper_model, speech, streamed) -> None:
    _, out = streamed
    text = " ".join(w.text for w, _ in out)
    batch = " ".join(w.text for w in transcribe_words(whisper_model, speech, 0.0, AsrConfig()))
    stream_wer = jiwer.wer(normalize(SPEECH_TEXT), normalize(text))
    batch_wer = jiwer.wer(normalize(SPEECH_TEXT), normalize(batch))
    # Tiny.en on 10 s of espeak: a few words differ; the bench measures the ratio on 2+ min.
    assert stream_wer <= 0.35, text
    assert stream_wer <= batch_wer + 0.25, (text, batch)


def test_timestamps_are_absolute_monotonic_and_not_from_the_future(speech, streamed) -> None:
    _, out = streamed
    duration = len(speech) / 16_000
    prev_end = 0.0
    for w, emitted_at in out:
        assert prev_end - 1e-6 <= w.start <= w.end <= duration + 0.05
        assert w.end <= emitted_at + 0.05  # a word is final only after it was heard
        assert 0.0 <= w.confidence <= 1.0
        prev_end = w.end
    assert out[-1][0].end > duration - 2.0  # times keep growing to the end, not per window


def test_word_latency_is_bounded(streamed) -> None:
    _, out = streamed
    latency = np.array([emitted - w.end for w, emitted in out])
    assert np.median(latency) < 2.5 and latency.max() < 6.0


def test_silence_costs_no_decoding(whisper_model) -> None:
    engine = WhisperEngine(whisper_model, AsrConfig())
    for _ in range(100):  # 10 s of silence, before any flush
        assert engine.feed(np.zeros(1_600, np.float32)).final == []
    assert engine.decodes == 0
    assert len(engine.buf) <= 16_000 * (KEEP_SILENCE_S + 0.1)  # the silent window does not grow
    assert engine.flush().final == [] and engine.decodes == 0


@pytest.mark.parametrize("noise_dbfs", [None, -66.0])
def test_speech_after_long_silence_keeps_absolute_times(whisper_model, speech, noise_dbfs) -> None:
    # The window keeps KEEP_SILENCE_S of the silence as lead-in: no word may come from it.
    level = 0.0 if noise_dbfs is None else 10 ** (noise_dbfs / 20)
    quiet = np.random.default_rng(1).standard_normal(16_000 * 10).astype(np.float32) * level
    out = stream(WhisperEngine(whisper_model, AsrConfig()), np.concatenate([quiet, speech[: 16_000 * 4]]), block=800)
    assert out and out[0][0].start >= 9.5


def test_the_decoder_bound_fits_whisper_for_any_utterance_length() -> None:
    """A 60 s utterance (the second pass over a long one) once asked for 496 new tokens and
    stopped the recognition: Whisper's decoder holds 448 with the prompt."""
    from fhud_app.asr.whisper_engine import MAX_NEW_TOKENS, max_new_tokens

    assert max_new_tokens(1.0) == 24
    assert max_new_tokens(20.0) == 176
    for seconds in (27.0, 30.0, 60.0, 600.0):
        assert max_new_tokens(seconds) <= MAX_NEW_TOKENS
        assert 4 + 223 + max_new_tokens(seconds) <= 448
