"""The composition root: builds the rings, the gate, the source, the workers and the view.

:func:`build_pipeline` is the headless part every front end shares (``fhud
transcribe``, the benchmarks, the HUD); :func:`make_view` and
:func:`make_pipeline` are what the GUI (:mod:`fhud_app.app_gui`, which wires
window, tray, hotkey and settings around them) is given.  Seams for the stages that come later:
``Pipeline.workers`` (a ConceptWorker appends itself there and reads
``words`` through its own reader; it fills ``concepts``) and the rings, which
any view may read with a reader of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, QTimer, Signal

from fhud_app.asr.worker import AsrWorker, EngineFactory, default_engine_factory
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.mlx_gate import MlxGate
from fhud_app.core.ring import Ring, RingReader

log = logging.getLogger(__name__)

WORDS_CAPACITY = 4096
CONCEPTS_CAPACITY = 4096
MIC_PREFIX = "mic"
LOOP_GAP_S = 2.0  # silence between two plays of a looping file: its last words finalize


@dataclass(frozen=True)
class SourceSpec:
    """Where audio comes from: a file path (played once, or ``loop``-ed until stopped),
    or the microphone (``mic`` / ``mic:DEVICE``).  ``pace_s``: how often a real-time
    file wakes to write what falls due (default: every audio block)."""

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


class Pipeline(QObject):
    """Source → audio ring → AsrWorker → words ring (→ workers added later).

    ``finished`` is emitted once the ASR worker drained the source (end of a
    file, or a device that went away) or failed; :attr:`error` then holds the
    one-line message, if any.
    """

    finished = Signal()

    def __init__(self, config: Config, source: Any, audio: Ring, audio_reader: RingReader,
                 gate: MlxGate, asr: AsrWorker) -> None:
        super().__init__()
        self.config = config
        self.source = source
        self.audio = audio
        self.audio_reader = audio_reader
        self.gate = gate
        self.asr = asr
        self.words = asr.words
        self.concepts = Ring(CONCEPTS_CAPACITY, EVENT_DTYPE)  # filled by the concept stage
        self.workers: list[QThread] = [asr]  # started in order, stopped in reverse
        self.concept_worker: Any = None  # set by attach_concepts()
        self.error: str | None = None
        self._started = False
        self._done = False
        asr.drained.connect(self._on_drained)
        asr.error.connect(self._on_error)

    def start(self) -> None:
        """Start the workers, then the source (the engine loads while audio queues up)."""
        for worker in self.workers:
            worker.start()
        try:
            self.source.start()
        except FhudError as exc:
            self._on_error(str(exc))
            return
        self._started = True

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop the source and every worker and join their threads (idempotent).

        With ``timeout_s``, give up joining after that long and return False: a worker
        still inside a model load (which cannot be interrupted) is then left running,
        already told to stop, and its engine is not closed.  True when all have ended.
        """
        self.source.stop()
        for worker in self.workers:  # every worker told at once: they wind down together
            stop = getattr(worker, "stop", None)
            if stop is not None:
                stop()
        deadline = QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever)
        if timeout_s is not None:
            deadline = QDeadlineTimer(max(0, int(timeout_s * 1000)))
        if not all(worker.wait(deadline) for worker in reversed(self.workers)):
            return False
        close = getattr(self.asr.engine, "close", None)
        if close is not None:
            close()
            self.asr.engine = None
        return True

    def run_to_end(self, pump: Callable[[], None], poll_ms: int = 20) -> None:
        """Start, run the Qt event loop until ``finished``, then stop and join.

        ``pump`` reads the rings every ``poll_ms`` on this (the main) thread, and once
        more after the workers stopped, so nothing already decoded is lost.
        """
        app = QCoreApplication.instance()
        timer = QTimer()
        timer.timeout.connect(pump)
        timer.start(poll_ms)
        self.finished.connect(app.quit)
        try:
            self.start()
            if not self.error:
                app.exec()
        finally:
            timer.stop()
            self.stop()
        pump()

    def _on_drained(self) -> None:
        source_error = getattr(self.source, "error", None)
        if source_error is not None and self.error is None:
            self.error = str(source_error)
        if self.concept_worker is not None and self.concept_worker.isRunning():
            self.concept_worker.finish_input()  # ``finished`` follows its ``drained``
            return
        self._finish()

    def _on_error(self, message: str) -> None:
        if self.error is None:
            self.error = message
        self._finish()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self.finished.emit()


def make_source(config: Config, spec: SourceSpec, audio: Ring, reader: RingReader,
                *, realtime: bool, mic_backend: Any = None) -> Any:
    if spec.is_mic:
        from fhud_app.audio.mic_source import MicSource

        device = spec.device if spec.device is not None else config.audio.device
        return MicSource(audio, device=device, block_ms=config.audio.block_ms, backend=mic_backend)
    from fhud_app.audio.file_source import FileSource

    return FileSource(spec.path, audio, reader=reader, realtime=realtime,
                      block_s=config.audio.block_ms / 1000, pace_s=spec.pace_s,
                      loop=spec.loop, loop_gap_s=LOOP_GAP_S)


def build_pipeline(
    config: Config,
    source_spec: str | Path | SourceSpec,
    *,
    realtime: bool,
    engine_factory: EngineFactory = default_engine_factory,
    mic_backend: Any = None,
    concepts: bool = True,
) -> Pipeline:
    """Build (not start) the pipeline.  Raises :class:`FhudError` for a bad source.

    ``concepts=False`` leaves out the concept stage (ASR only).
    """
    spec = source_spec if isinstance(source_spec, SourceSpec) else SourceSpec.parse(source_spec)
    audio = Ring(int(config.audio.ring_seconds * config.audio.sample_rate) * 3, "float32")
    reader = audio.reader()
    source = make_source(config, spec, audio, reader, realtime=realtime, mic_backend=mic_backend)
    gate = MlxGate()
    words = Ring(WORDS_CAPACITY, EVENT_DTYPE)
    live = realtime or spec.is_mic  # a live stream may catch up in big steps
    # Whisper (CTranslate2, one thread) decodes on one core while the LLM steps on the other;
    # only MLX engines (Parakeet) take the gate, at high priority.
    asr = AsrWorker(config, reader, words, gate, engine_factory,
                    source=source, source_rate=int(getattr(source, "sample_rate", 16_000)),
                    feed_max_s=10.0 if live else 0.1)
    pipeline = Pipeline(config, source, audio, reader, gate, asr)
    if concepts:
        attach_concepts(pipeline, live=live)
    return pipeline


# ---------------------------------------------------------------------- concept stage
def attach_concepts(pipeline: Pipeline, *, live: bool, extractor_factory: Any = None) -> Any:
    """Add a ConceptWorker (words ring → concepts ring) to ``pipeline``; returns it.

    It shares the MLX gate (an MLX ASR engine keeps priority); at the end of the input it extracts the
    last utterance before ``finished`` is emitted.  Its errors are warnings: extraction
    goes on with a fallback, so they do not end the pipeline.
    """
    from fhud_app.concepts.worker import ConceptWorker, default_extractor_factory

    worker = ConceptWorker(pipeline.config, pipeline.words, pipeline.concepts, pipeline.gate,
                           extractor_factory or default_extractor_factory, live=live)
    worker.drained.connect(pipeline._finish)
    pipeline.workers.append(worker)
    pipeline.concept_worker = worker
    return worker


# --------------------------------------------------------------------- the GUI's parts
FILE_PACE_S = 0.1  # a file played in real time wakes 10 times a second, not per 20 ms block


def make_view(config: Config, _parent: Any = None) -> Any:
    """The GL particle view (a ``QOpenGLWidget`` of the render package) for ``config``."""
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.widget import HudGLWidget

    model = ParticleModel(config.render, size=(float(config.hud.width), float(config.hud.height)))
    view = HudGLWidget(model, (), config.render)
    view.set_debug_overlay(config.hud.debug_overlay)
    return view


def make_pipeline(config: Config, feed: Any) -> Any:
    """The headless pipeline of :mod:`fhud_app.app`, fed by the microphone or a file
    (paced in real time, as a microphone would be; the demo's file loops in the same
    pipeline: the models load once and concept ids keep counting)."""
    if feed.file is not None:
        spec = SourceSpec(Path(feed.file), loop=bool(feed.loop), pace_s=FILE_PACE_S)
    else:
        spec = SourceSpec(None, feed.device or None)
    return build_pipeline(config, spec, realtime=True)
