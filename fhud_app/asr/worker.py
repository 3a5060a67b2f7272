"""AsrWorker: the thread that owns the ASR engine (a :class:`~fhud_app.workers.Worker`).

It loads the engine in ``load`` (on its thread), and each ``step`` reads the audio
ring, feeds the engine and writes WORD/DRAFT events to the words ring; at the end
of the source it flushes the engine and emits ``drained``.  The engine is closed on
the worker's thread when the loop ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from fhud_app.asr.base import AsrEngine, EngineUpdate, update_records
from fhud_app.audio.source import AudioSource
from fhud_app.core.config import SAMPLE_RATE, Config
from fhud_app.core.errors import FhudError
from fhud_app.core.events import Kind
from fhud_app.core.mlx_gate import MlxGate
from fhud_app.core.ring import Ring, RingReader
from fhud_app.workers import Step, Worker

# (config, gate, progress callback) -> (engine, reason)
EngineFactory = Callable[[Config, MlxGate, Callable[[float], None]], tuple[AsrEngine, str]]

log = logging.getLogger(__name__)

LATENCY_WINDOW = 2000  # word latencies the p50/p95 are taken over (the newest)
FAILURE_WINDOW_S = 60.0  # a second engine failure this soon after the first stops listening
CATCH_UP_S = 30.0  # after the engine is ready, audio queued during the load may be caught up this long
KEEP_S = 1.0  # what is left of the backlog when the oldest audio is dropped
HEADROOM_S = 1.0  # the drop happens this far below max_backlog_s (room for one decode)


def default_engine_factory(
    config: Config, gate: MlxGate, progress: Callable[[float], None]
) -> tuple[AsrEngine, str]:
    from fhud_app.asr.select import load_engine

    engine, choice = load_engine(config.asr, gate, progress)
    return engine, choice.reason


class AsrWorker(Worker):
    """Audio ring → engine → words ring; ``drained`` once the source ended and all is flushed."""

    ready = Signal(str, str)  # engine name, reason
    notice = Signal(str)  # one sentence for the person; listening goes on (the engine was reloaded)
    # metrics: rtf, latency_p50/p95, backlog_s, drops, overflows, thread_cpu_s, ...
    WAIT_S = 0.04  # wait on the stop event when the audio ring is empty

    def __init__(
        self,
        config: Config,
        audio: RingReader,
        words: Ring,
        gate: MlxGate,
        engine_factory: EngineFactory = default_engine_factory,
        *,
        source: AudioSource | None = None,
        source_rate: int = SAMPLE_RATE,
        feed_max_s: float = 0.1,
        max_backlog_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.config = config
        self.audio = audio
        self.words = words
        self.gate = gate
        self.engine_factory = engine_factory
        self.source = source
        self.source_rate = source_rate
        self.clock = clock
        self.engine: AsrEngine | None = None  # between load and close
        self.engine_name = ""  # kept after close
        self.fed = 0  # 16 kHz samples fed to the engine
        self.busy_s = 0.0  # wall seconds spent in the engine
        self.latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)  # bounded over an hour
        self.word_count = 0
        self.failure: str | None = None
        # Overload: a live stream further behind than this drops its oldest audio (None: never).
        self.max_backlog_s = max_backlog_s
        self.reloads = 0  # engines reloaded after a failed decode
        self._capped = False  # the backlog cap applies (after the catch-up of the loads)
        # Other workers whose model loads beside this one (the concept model): while one is
        # loading it takes the CPU, so the cap waits, and the audio queued meanwhile is caught up.
        self.loads_beside: list[threading.Event] = []
        self._ready_at = 0.0
        self._last_failure: float | None = None
        self._offset_s = 0.0  # audio seconds fed before the current engine started
        # At most this much audio per feed: small steps simulate a live stream when
        # a file is read as fast as possible; a large one lets a live stream that
        # fell behind catch up in fewer decodes.
        self._buf = np.zeros(max(1, int(feed_max_s * source_rate)), np.float32)
        self._resampler: Any = None
        self._last_draft = ""

    # ------------------------------------------------------------------ worker hooks
    def load(self) -> None:
        reason = self._load_engine()
        self._ready_at = self.clock()
        self.ready.emit(self.engine_name, reason)

    def _load_engine(self) -> str:
        engine, reason = self.engine_factory(self.config, self.gate, self.loading.emit)
        self.engine, self.engine_name = engine, engine.name
        self._offset_s = self.fed / SAMPLE_RATE  # a reloaded engine counts its audio from 0
        return reason

    def step(self) -> Step:
        engine = self.engine
        assert engine is not None
        self._limit_backlog()
        n = self.audio.read_into(self._buf)
        if n:
            try:
                update = self._feed(engine, self._buf[:n])
            except Exception as exc:  # a decode failed: reload once, stop on a second
                log.exception("the speech engine failed in a decode")
                self._engine_failed(exc)
                return Step.BUSY
            self._publish(update)
            return Step.BUSY
        finished = self.source.finished if self.source is not None else None
        if finished is not None and finished.is_set() and self.audio.available() == 0:
            self._drain(engine)
            return Step.DONE
        return Step.IDLE

    def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.close()

    def describe(self, exc: BaseException) -> str:
        return f"speech recognition stopped: {type(exc).__name__}: {exc}"

    # ------------------------------------------------------------------ faults
    def _engine_failed(self, exc: Exception) -> None:
        """The traceback goes to the log; the engine is reloaded once (the words already
        written stay); a second failure within ``FAILURE_WINDOW_S`` stops listening.
        The caller has logged the traceback."""
        now = self.clock()
        what = f"{type(exc).__name__}: {str(exc)[:80]}"
        if self._last_failure is not None and now - self._last_failure < FAILURE_WINDOW_S:
            raise FhudError(
                f"Listening stopped: the speech engine failed twice within a minute ({what}). "
                "The words so far are kept; turn Listening off and on to try again."
            ) from exc
        self._last_failure = now
        old, self.engine = self.engine, None
        try:
            old.close()
        except Exception:  # the failed engine may not close cleanly; the new one matters
            log.exception("the failed speech engine could not close")
        self._load_engine()
        self.reloads += 1
        self.notice.emit(f"The speech engine failed ({what}) and was restarted; listening goes on.")

    def _limit_backlog(self) -> None:
        """Overload: keep a live stream within ``max_backlog_s`` of real time by dropping
        the oldest audio (counted in the reader's ``dropped``).  Audio queued while the
        engine, or a model beside it (``loads_beside``), loaded is caught up first (for up to
        ``CATCH_UP_S`` after the last load ended): a load is not an overload."""
        if self.max_backlog_s is None:
            return
        # Act a decode early: the audio that arrives during the next decode stays within the cap.
        cap = int(max(self.max_backlog_s - HEADROOM_S, KEEP_S) * self.source_rate)
        waiting = self.audio.available()
        if not all(e.is_set() for e in self.loads_beside):  # a model loads beside: catch up after
            self._capped, self._ready_at = False, self.clock()
            return
        if not self._capped:
            if waiting > cap and self.clock() - self._ready_at < CATCH_UP_S:
                return
            self._capped = True
        if waiting > cap:
            dropped = self.audio.skip_oldest(int(KEEP_S * self.source_rate))
            log.warning("the speech engine is %.1f s behind: dropped the oldest %.1f s of audio",
                        waiting / self.source_rate, dropped / self.source_rate)

    def failed(self, message: str, exc: BaseException) -> None:
        self.failure = message
        self.error.emit(message)

    def _drain(self, engine: AsrEngine) -> None:
        tail = self._resample(np.zeros(0, np.float32), last=True)
        if len(tail):
            self._publish(self._feed(engine, tail, resampled=True))
        t0 = self.clock()
        update = engine.flush()
        self.busy_s += self.clock() - t0
        self._publish(update)
        self.emit_metrics()
        self.drained.emit()

    def _resample(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        if self.source_rate == SAMPLE_RATE:
            return samples
        if self._resampler is None:
            import soxr

            self._resampler = soxr.ResampleStream(self.source_rate, SAMPLE_RATE, 1, dtype="float32")
        return self._resampler.resample_chunk(samples, last=last)

    def _feed(self, engine: AsrEngine, samples: np.ndarray, resampled: bool = False) -> EngineUpdate:
        if not resampled:
            samples = self._resample(samples)
        t0 = self.clock()
        update = engine.feed(samples)
        self.busy_s += self.clock() - t0
        self.fed += len(samples)
        return update

    def _publish(self, update: EngineUpdate) -> None:
        emitted_at = self.fed / SAMPLE_RATE
        draft = update.draft != self._last_draft
        self._last_draft = update.draft
        recs = update_records(update, emitted_at, time.monotonic(), draft=draft)
        off = self._offset_s  # a reloaded engine counts its audio from 0
        if off:
            words = recs["kind"] == Kind.WORD
            recs["start"][words] += off
            recs["end"][words] += off
        self.words.write(recs)
        self.latencies.extend(emitted_at - (w.end + off) for w in update.final)
        self.word_count += len(update.final)

    # ------------------------------------------------------------------ metrics
    def snapshot(self) -> dict[str, float]:
        audio_s = self.fed / SAMPLE_RATE
        lat = np.asarray(self.latencies, dtype=np.float64)
        return {
            "audio_s": audio_s,
            "busy_s": self.busy_s,
            "rtf": self.busy_s / audio_s if audio_s else 0.0,
            "latency_p50": float(np.percentile(lat, 50)) if len(lat) else 0.0,
            "latency_p95": float(np.percentile(lat, 95)) if len(lat) else 0.0,
            "backlog_s": self.audio.available() / self.source_rate,
            "drops": int(self.audio.dropped),
            "dropped_s": self.audio.dropped / self.source_rate,
            "reloads": self.reloads,
            "overflows": int(self.source.overflows) if self.source is not None else 0,
            "words": self.word_count,
        }
