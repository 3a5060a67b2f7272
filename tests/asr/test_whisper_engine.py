from __future__ import annotations

from pathlib import Path

import jiwer
import numpy as np
import pytest

from fhud_app.asr.base import AsrEngine, Word
from fhud_app.asr.vad import FRAME, SpeechTracker
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


def test_energy_gate_keeps_the_speech_onset(speech) -> None:
    """Speech after quiet noise: the gate changes nothing Silero decides, only its cost."""
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


def test_every_utterance_is_revised_at_most_once_then_closed(whisper_model, speech) -> None:
    """The event contract on real decodes: words carry their utterance, a revision comes
    before its utterance's end, nothing of an utterance follows its end, and the final
    text (revisions applied) is as good as one batch decode of the same audio."""
    from fhud_app.asr.base import update_records
    from fhud_app.core.events import JsonLines, final_words

    audio = np.concatenate([speech, np.zeros(16_000, np.float32), speech])
    engine, lines, objs = WhisperEngine(whisper_model, AsrConfig()), JsonLines(), []
    for i in range(0, len(audio) + 1600, 1600):
        update = engine.feed(audio[i : i + 1600]) if i < len(audio) else engine.flush()
        objs += lines.feed(update_records(update, engine.now_s, draft=False))
    closed: set[int] = set()
    for o in objs:
        assert o["utterance"] not in closed, o
        if o["type"] == "utterance":
            closed.add(o["utterance"])
    ids = [o["utterance"] for o in objs if o["type"] == "word"]
    assert ids == sorted(ids) and set(ids) <= closed and len(closed) >= 2
    assert sum(o["type"] == "revision" for o in objs) <= len(closed)
    text = " ".join(final_words(objs))
    batch = " ".join(w.text for w in transcribe_words(whisper_model, audio, 0.0, AsrConfig()))
    final_wer = jiwer.wer(normalize(SPEECH_TEXT + " " + SPEECH_TEXT), normalize(text))
    batch_wer = jiwer.wer(normalize(SPEECH_TEXT + " " + SPEECH_TEXT), normalize(batch))
    assert final_wer <= batch_wer + 0.1, (text, batch)


def test_speech_tracker_keeps_speech_segments() -> None:
    probs = iter([0.9, 0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1])

    def fake_model(audio: np.ndarray) -> np.ndarray:
        return np.array([next(probs) for _ in range(len(audio) // FRAME)])

    vad = SpeechTracker(model=fake_model, min_batch=8, energy_floor=0.0)
    vad.update(np.zeros(FRAME * 8, np.float32), 0, FRAME * 8)
    f = FRAME / 16_000
    assert vad.segments == [[0.0, pytest.approx(2 * f)], [pytest.approx(4 * f), pytest.approx(5 * f)]]
    assert vad.speech_in(0.0, 8 * f) == pytest.approx(3 * f)
    assert vad.speech_in(2 * f, 4 * f) == 0.0
    assert vad.speech_start_after(3 * f) == pytest.approx(4 * f) and vad.speech_start_after(6 * f) is None
