from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from fhud_app.asr.base import EngineUpdate, Revision, Word
from fhud_app.asr.worker import AsrWorker
from fhud_app.core.config import Config
from fhud_app.core.errors import ModelError
from fhud_app.core.events import EVENT_DTYPE, Kind, decode_text
from fhud_app.core.mlx_gate import MlxGate
from fhud_app.core.ring import Ring


class CountingEngine:
    """Finalizes one word per 0.5 s of audio fed; the draft is the word in progress."""

    name = "counting"

    def __init__(self) -> None:
        self.total = 0
        self.emitted = 0
        self.thread: threading.Thread | None = None
        self.closed_in: threading.Thread | None = None

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        self.thread = threading.current_thread()
        self.total += len(samples)
        words = []
        while (self.emitted + 1) * 8_000 <= self.total:
            start = self.emitted * 0.5
            words.append(Word(f"w{self.emitted}", start, start + 0.4, 0.75))
            self.emitted += 1
        return EngineUpdate(words, f"w{self.emitted}?")

    def flush(self) -> EngineUpdate:
        return EngineUpdate([Word("last", self.emitted * 0.5, self.total / 16_000, 1.0)], "")

    def close(self) -> None:
        self.closed_in = threading.current_thread()


class Source:
    def __init__(self) -> None:
        self.finished = threading.Event()
        self.overflows = 3
        self.error = None


def make_worker(factory, source=None, rate: int = 16_000) -> tuple[AsrWorker, Ring, Ring]:
    audio = Ring(16_000 * 10, np.float32)
    words = Ring(1024, EVENT_DTYPE)
    worker = AsrWorker(Config(), audio.reader(), words, MlxGate(), factory,
                       source=source, source_rate=rate)
    return worker, audio, words


def test_words_and_drafts_reach_the_ring_and_drained_is_signalled(qtbot) -> None:
    engine, source = CountingEngine(), Source()
    worker, audio, words = make_worker(lambda cfg, gate, progress: (engine, "because"), source)
    reader = words.reader(from_start=True)
    with qtbot.waitSignal(worker.ready, timeout=10_000) as ready:
        worker.start()
    assert ready.args == ["counting", "because"]
    audio.write(np.zeros(16_000 * 2, np.float32))
    source.finished.set()
    with qtbot.waitSignal(worker.drained, timeout=10_000):
        pass
    worker.wait()
    recs = reader.read()
    final = recs[recs["kind"] == int(Kind.WORD)]
    assert [decode_text(t) for t in final["text"]] == ["w0", "w1", "w2", "w3", "last"]
    assert np.all(final["emitted_at"] >= final["end"])
    assert np.allclose(final["value"][:4], 0.75)
    assert any(recs["kind"] == int(Kind.DRAFT))
    assert engine.thread is not threading.main_thread()
    assert engine.closed_in is engine.thread and worker.engine is None  # closed where it ran
    snap = worker.snapshot()
    assert snap["audio_s"] == 2.0 and snap["overflows"] == 3 and snap["words"] == 5


def test_metrics_carry_the_figures(qtbot) -> None:
    source = Source()
    worker, audio, _ = make_worker(lambda c, g, p: (CountingEngine(), "r"), source)
    audio.write(np.zeros(16_000, np.float32))
    source.finished.set()
    with qtbot.waitSignal(worker.metrics, timeout=10_000) as got:
        worker.start()
    worker.wait()
    assert {"rtf", "latency_p50", "latency_p95", "backlog_s", "drops", "overflows"} <= set(got.args[0])


def test_loading_failure_is_one_error_signal(qtbot) -> None:
    def factory(cfg, gate, progress):
        progress(0.5)
        raise ModelError("the model is missing: reinstall it.")

    worker, _, _ = make_worker(factory, Source())
    progress: list[float] = []
    worker.loading.connect(progress.append)
    with qtbot.waitSignal(worker.error, timeout=10_000) as sig:
        worker.start()
    worker.wait()
    assert sig.args == ["the model is missing: reinstall it."] and progress == [0.5]
    assert worker.failure == "the model is missing: reinstall it."


def test_stop_ends_an_idle_worker_quickly(qtbot) -> None:
    worker, _, _ = make_worker(lambda c, g, p: (CountingEngine(), "r"))
    with qtbot.waitSignal(worker.ready, timeout=10_000):
        worker.start()
    worker.stop()
    assert worker.wait(2_000)


def test_native_rate_audio_is_resampled_for_the_engine(qtbot) -> None:
    engine, source = CountingEngine(), Source()
    worker, audio, _ = make_worker(lambda c, g, p: (engine, "r"), source, rate=48_000)
    audio.write(np.zeros(48_000 * 2, np.float32))
    source.finished.set()
    with qtbot.waitSignal(worker.drained, timeout=10_000):
        worker.start()
    worker.wait()
    assert abs(engine.total - 32_000) <= 32


@pytest.mark.slow
def test_tiny_parakeet_through_the_worker(qtbot, tiny_parakeet_dir: Path) -> None:
    from fhud_app.asr.worker import default_engine_factory

    cfg = Config().with_("asr", engine="parakeet", parakeet_model=str(tiny_parakeet_dir))
    source = Source()
    audio = Ring(16_000 * 10, np.float32)
    words = Ring(4096, EVENT_DTYPE)
    gate = MlxGate()
    worker = AsrWorker(cfg, audio.reader(), words, gate, default_engine_factory, source=source)
    audio.write((0.1 * np.random.default_rng(5).standard_normal(16_000 * 3)).astype(np.float32))
    source.finished.set()
    with qtbot.waitSignals([worker.ready, worker.drained], timeout=30_000):
        worker.start()
    worker.wait()  # the worker closed the engine on its thread
    recs = words.reader(from_start=True).read()
    starts = recs[recs["kind"] == int(Kind.WORD)]["start"]
    assert len(starts) > 5 and np.all(np.diff(starts) >= 0) and gate.acquisitions > 0
    assert worker.engine_name == "parakeet" and worker.engine is None


class RevisingEngine(CountingEngine):
    """CountingEngine whose words belong to utterances of two words; each ending utterance
    is revised to its words in upper case."""

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        update = super().feed(samples)
        update.final = [Word(w.text, w.start, w.end, w.confidence, utterance=1 + int(w.text[1:]) // 2)
                        for w in update.final]
        for w in update.final:
            if int(w.text[1:]) % 2:  # the second word ends its utterance
                mates = (f"w{int(w.text[1:]) - 1}", w.text)
                update.revisions.append(Revision(w.utterance, tuple(
                    Word(t.upper(), w.start, w.end, 0.5, w.utterance) for t in mates)))
                update.ended.append(w.utterance)
        return update

    def flush(self) -> EngineUpdate:
        return EngineUpdate()


def test_revisions_and_utterance_ends_reach_the_ring_after_their_words(qtbot) -> None:
    from fhud_app.core.events import JsonLines, final_words

    source = Source()
    worker, audio, words = make_worker(lambda c, g, p: (RevisingEngine(), "r"), source)
    reader = words.reader(from_start=True)
    audio.write(np.zeros(16_000 * 2, np.float32))
    source.finished.set()
    with qtbot.waitSignal(worker.drained, timeout=10_000):
        worker.start()
    worker.wait()
    objs = JsonLines().feed(reader.read())
    kinds = [o["type"] for o in objs if o["type"] != "draft"]
    assert kinds == ["word", "word", "revision", "utterance"] * 2
    assert [o["utterance"] for o in objs if o["type"] == "word"] == [1, 1, 2, 2]
    assert final_words(objs) == ["W0", "W1", "W2", "W3"]
    assert worker.snapshot()["words"] == 4  # revised words are not counted as new words
