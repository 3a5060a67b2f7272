"""The composition root: the one place that builds services.

:func:`build_pipeline` builds every service of a run: the rings (audio, words,
concepts), the MLX gate, the audio source, the ASR worker, the concept store and
its worker, and the session recorder.  It is the headless part every front end
shares (``fhud transcribe``, ``fhud snapshot``, the benchmarks, the HUD).
:func:`make_view` and :func:`make_pipeline` are what the GUI
(:mod:`fhud_app.app_gui`, which wires window, tray, hotkey and settings around
them) is given.  A new stage is built here and handed its rings; any view reads
the rings with a reader of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QTimer, Signal

from fhud_app.asr.worker import AsrWorker, EngineFactory, default_engine_factory
from fhud_app.audio.source import AudioSource, SourceSpec
from fhud_app.concepts.worker import ConceptWorker, ExtractorFactory, default_extractor_factory
from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.mlx_gate import MlxGate
from fhud_app.core.ring import Ring, RingReader
from fhud_app.store.concept_store import ConceptStore
from fhud_app.store.session import SessionRecorder
from fhud_app.workers import Worker

log = logging.getLogger(__name__)

WORDS_CAPACITY = 4096
CONCEPTS_CAPACITY = 4096
LOOP_GAP_S = 2.0  # silence between two plays of a looping file: its last words finalize


class Pipeline(QObject):
    """Source → audio ring → AsrWorker → words ring → ConceptWorker → store → concepts ring.

    Everything is built by :func:`build_pipeline`; this only runs it.  ``finished``
    is emitted once the ASR worker drained the source (end of a file, or a device
    that went away) and the concept worker extracted the rest, or on a failure;
    :attr:`error` then holds the one-line message, if any.  ``session`` (when kept)
    is filled by whoever reads the rings (the GUI's session pump).
    """

    finished = Signal()

    def __init__(self, config: Config, source: AudioSource, audio: Ring, gate: MlxGate,
                 asr: AsrWorker, concepts: Ring, concept_worker: ConceptWorker | None = None,
                 session: SessionRecorder | None = None) -> None:  # fmt: skip
        super().__init__()
        self.config = config
        self.source = source
        self.audio = audio
        self.gate = gate
        self.asr = asr
        self.words = asr.words
        self.concepts = concepts
        self.concept_worker = concept_worker
        self.session = session
        self.workers: list[Worker] = [asr] + ([concept_worker] if concept_worker else [])
        self.error: str | None = None
        self._done = False
        asr.drained.connect(self._on_drained)
        asr.error.connect(self._on_error)
        if concept_worker is not None:
            concept_worker.drained.connect(self._finish)

    def start(self) -> None:
        """Start the workers, then the source (the engine loads while audio queues up)."""
        for worker in self.workers:
            worker.start()
        try:
            self.source.start()
        except FhudError as exc:
            self._on_error(str(exc))

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop the source and every worker and join their threads (idempotent).

        With ``timeout_s``, give up joining after that long and return False: a worker
        still inside a model load (which cannot be interrupted) is then left running,
        already told to stop; it closes its model itself when the load returns.
        True when all have ended.
        """
        self.source.stop()
        for worker in self.workers:  # every worker told at once: they wind down together
            worker.stop()
        deadline = QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever)
        if timeout_s is not None:
            deadline = QDeadlineTimer(max(0, int(timeout_s * 1000)))
        return all(worker.wait(deadline) for worker in reversed(self.workers))

    def pressure(self) -> tuple[float, int]:
        """How far behind the models are, from the ring counters (safe from any thread, and
        live while a worker is busy in a long decode): the ASR's audio backlog in seconds and
        the records waiting for the concept worker."""
        backlog_s = self.asr.audio.available() / float(self.asr.source_rate)
        queue = self.concept_worker.reader.available() if self.concept_worker is not None else 0
        return backlog_s, int(queue)

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
        if self.source.error is not None and self.error is None:
            self.error = str(self.source.error)
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
                *, realtime: bool, mic_backend: Any = None) -> AudioSource:
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
    extractor_factory: ExtractorFactory | None = None,
    mic_backend: Any = None,
    concepts: bool = True,
    session_source: str | None = None,
) -> Pipeline:
    """Build (not start) every service of one run.  Raises :class:`FhudError` for a bad source.

    The rings (audio, words, concepts), the MLX gate, the source, the ASR worker, the
    concept store and its worker (``concepts=False`` leaves the concept stage out: ASR
    only) and, with ``session_source`` (what the header names), the session recorder.
    """
    spec = source_spec if isinstance(source_spec, SourceSpec) else SourceSpec.parse(source_spec)
    audio = Ring(int(config.audio.ring_seconds * config.audio.sample_rate) * 3, "float32")
    reader = audio.reader()
    source = make_source(config, spec, audio, reader, realtime=realtime, mic_backend=mic_backend)
    gate = MlxGate()
    words = Ring(WORDS_CAPACITY, EVENT_DTYPE)
    concept_ring = Ring(CONCEPTS_CAPACITY, EVENT_DTYPE)
    live = realtime or spec.is_mic  # a live stream may catch up in big steps
    # Whisper (CTranslate2, one thread) decodes on one core while the LLM steps on the other;
    # only MLX engines (Parakeet) take the gate, at high priority.
    asr = AsrWorker(config, reader, words, gate, engine_factory, source=source,
                    source_rate=source.sample_rate, feed_max_s=10.0 if live else 0.1,
                    max_backlog_s=config.audio.max_backlog_s if live else None)  # fmt: skip
    concept_worker = None
    if concepts:
        # It shares the MLX gate (an MLX ASR engine keeps priority); at the end of the input
        # it extracts the last utterance before ``finished`` is emitted.
        store = ConceptStore(config.store, concept_ring)
        concept_worker = ConceptWorker(config, words, store, gate,
                                       extractor_factory or default_extractor_factory, live=live)
        asr.loads_beside.append(concept_worker.settled)  # its load is not an ASR overload
    session = None
    if session_source is not None:
        session = SessionRecorder(paths.sessions_dir(), source=session_source)
    return Pipeline(config, source, audio, gate, asr, concept_ring, concept_worker, session)


# --------------------------------------------------------------------- the GUI's parts
FILE_PACE_S = 0.1  # a file played in real time wakes 10 times a second, not per 20 ms block


def make_view(config: Config) -> Any:
    """The GL particle view (a ``QOpenGLWidget`` of the render package) for ``config``."""
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.widget import HudGLWidget

    model = ParticleModel(config.render, size=(float(config.hud.width), float(config.hud.height)))
    view = HudGLWidget(model, (), config.render)
    view.set_debug_overlay(config.hud.debug_overlay)
    return view


def make_pipeline(config: Config, spec: SourceSpec) -> Pipeline:
    """The GUI's pipeline, fed by the microphone or a file (paced in real time, as a
    microphone would be; the demo's file loops in the same pipeline: the models load
    once and concept ids keep counting)."""
    if not spec.is_mic and spec.pace_s is None:
        spec = replace(spec, pace_s=FILE_PACE_S)
    # Sessions are kept for the microphone and for files, not for the looping demo.
    session = None if spec.loop else spec.label
    return build_pipeline(config, spec, realtime=True, session_source=session)
