from __future__ import annotations

from pathlib import Path

import jiwer
import numpy as np
import pytest

from fhud_app.asr.base import AsrEngine, Word
from fhud_app.asr.whisper_engine import KEEP_SILENCE_S, LEAD_IN_S, WhisperEngine, transcribe_words
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


def test_after_a_long_pause_the_window_holds_little_silence(whisper_model, speech) -> None:
    """After 20 s of silence the window used to hold 4 s of it before the speech, and Whisper
    wrote a first sentence twice (the copy squeezed into its last 0.3 s; piper speech fed in
    0.3 s blocks).  Now the decoder hears LEAD_IN_S (1.5 s) of silence; after a short pause it still
    hears the last words as lead-in."""
    engine = WhisperEngine(whisper_model, AsrConfig())
    silence = np.zeros(16_000 * 20, np.float32)
    said = speech[: 16_000 * 3]
    starts = []
    for part in (silence, said):
        for i in range(0, len(part), 4800):
            engine.feed(part[i : i + 4800])
            if engine.decodes and not starts:
                starts.append(engine.buf_start / 16_000)
    onset = engine.utterance_start if engine.utterance_start >= 0 else engine.speech_done_s
    assert starts and 20.0 - LEAD_IN_S - 0.1 <= starts[0] and onset - starts[0] <= LEAD_IN_S + 0.05, (starts, onset)
    # a short pause (0.7 s): the next utterance's window still begins in the words before it
    engine.feed(np.zeros(int(16_000 * 0.7), np.float32))
    done = engine.speech_done_s
    for i in range(0, 16_000 * 2, 4800):
        engine.feed(said[i : i + 4800])
    assert engine.buf_start / 16_000 < done - 0.5


def test_the_decoder_bound_fits_whisper_for_any_utterance_length() -> None:
    """A 60 s utterance (the second pass over a long one) once asked for 496 new tokens and
    stopped the recognition: Whisper's decoder holds 448 with the prompt."""
    from fhud_app.asr.whisper_engine import MAX_NEW_TOKENS, max_new_tokens

    assert max_new_tokens(1.0) == 24
    assert max_new_tokens(20.0) == 176
    for seconds in (27.0, 30.0, 60.0, 600.0):
        assert max_new_tokens(seconds) <= MAX_NEW_TOKENS
        assert 4 + 223 + max_new_tokens(seconds) <= 448
