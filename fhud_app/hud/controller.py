"""The pipeline's lifecycle in the GUI: start, stop, restart, microphone retry, status.

:class:`PipelineController` builds a pipeline with the factory the root hands it,
starts it, turns its workers' signals into sentences for the person (``message``)
and figures for the debug overlay (``stats``), keeps the session file fed, watches
the microphone for digital silence, and restarts on the default input when the
chosen microphone goes away.  It touches no widget: the app wires its signals.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from fhud_app.audio.sanitize import source_note
from fhud_app.audio.source import SourceSpec
from fhud_app.core.config import Config
from fhud_app.core.errors import DeviceError, FhudError
from fhud_app.hud import devices
from fhud_app.hud.launch import ready_text, trace
from fhud_app.hud.parts import Pipeline, PipelineFactory
from fhud_app.hud.session_pump import SessionPump
from fhud_app.hud.settings import Key, Settings

log = logging.getLogger(__name__)
LEVEL_BLOCK = 16_000
MAX_DEVICE_RETRIES = 3  # restarts after device failures before giving up
PRESSURE_MS = 500  # how often the view learns how far behind the models are
DEVICE_POLL_MS = 500  # how often a lost microphone is looked for


class PipelineController(QObject):
    message = Signal(str, bool)  # one sentence for the person, sticky?
    cleared = Signal()  # loading is over: no steady status any more
    started = Signal(object)  # the Pipeline that just started (views attach their readers)
    stats = Signal(dict)  # the debug overlay's figures: ASR, concepts (prefixed ``concept_``)
    pressure = Signal(float, int)  # ASR backlog (s), concept queue: twice a second while running
    models_ready = Signal()  # the models are loaded and working: the view may yield to them
    problem = Signal(str)  # a lasting problem (the session cannot be saved); "" once solved

    def __init__(self, config: Config, spec: SourceSpec, settings: Settings, factory: PipelineFactory,
                 device_layer: devices.DeviceLayer, parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.config, self.spec, self.settings = config, spec, settings
        self.factory = factory
        self.devices = device_layer
        self.pipeline: Pipeline | None = None
        self.abandoned: Pipeline | None = None  # left running at quit (a model still loading)
        self.closed = False  # after quit nothing starts (a queued start included)
        self.session = SessionPump(self)
        self.session.problem.connect(self._on_problem)
        self.session.rescued.connect(lambda text: self.message.emit(text, False))
        self.silence = devices.SilenceWatch(lambda text: self.message.emit(text, True))
        self._figures: dict = {}
        self._noted: Pipeline | None = None  # the pipeline whose replaced samples were said
        self._retries = 0
        self._level_reader = None
        self._level_buf = np.empty(LEVEL_BLOCK, np.float32)
        self._level_timer = QTimer(self, interval=1000, timeout=self.check_level)
        self._pressure_timer = QTimer(self, interval=PRESSURE_MS, timeout=self.check_pressure)
        self._device_timer = QTimer(self, interval=DEVICE_POLL_MS, timeout=self.check_device)
        self._lost, self._seen_gone = "", False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self.pipeline is not None or self.closed:
            return
        if self.spec.is_mic:
            choice = devices.resolve(self.device, self.devices)
            if choice.message:
                self.message.emit(choice.message, False)
            self.use_device(choice.device)
        try:
            pipeline = self.factory(self.config, self.spec)
        except FhudError as exc:
            self.message.emit(str(exc), True)
            return
        self.pipeline = pipeline
        self._connect(pipeline)
        self.message.emit("Loading the speech model…", True)
        pipeline.start()
        trace("pipeline-started")
        self.started.emit(pipeline)
        self._pressure_timer.start()
        if self.spec.is_mic:
            self._level_reader = pipeline.audio.reader()
            self._level_timer.start()

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop and join the pipeline; False when a worker outlived ``timeout_s``
        (the pipeline is then kept in :attr:`abandoned`, for the process exit)."""
        self._level_timer.stop()
        self._pressure_timer.stop()
        self._device_timer.stop()
        self._level_reader = None
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is None:
            return True
        pipeline.finished.disconnect(self._on_finished)
        stopped = pipeline.stop(timeout_s)
        if not stopped:
            self.abandoned = pipeline
        self.session.detach()  # the last words of the stopped pipeline reach the file
        return stopped

    def restart(self, config: Config | None = None) -> None:
        """Stop, then start again with ``config`` (when listening is on)."""
        self.config = config or self.config
        self.stop()
        self.silence.reset()
        if self.settings.get(Key.LISTENING):
            self.start()

    @property
    def device(self) -> str:
        """The microphone asked for ("" = the system default)."""
        return "" if self.spec.device is None else str(self.spec.device)

    def use_device(self, name: str) -> None:
        """Open microphone ``name`` ("" = the default) from the next start (a file plays on)."""
        if self.spec.is_mic:
            self.spec = replace(self.spec, device=name or None)

    def choose_device(self, name: str) -> None:
        if self.spec.is_mic:
            self.use_device(name)
            self.restart()

    def close(self, timeout_s: float) -> bool:
        """Quitting: nothing starts from now on; stop within ``timeout_s``."""
        self.closed = True
        return self.stop(timeout_s)

    # ------------------------------------------------------------------ reports
    def _connect(self, pipeline: Pipeline) -> None:
        self.session.attach(pipeline)
        asr = pipeline.asr
        asr.loading.connect(lambda f: self.message.emit(f"Loading the speech model… {round(f * 100)}%", True))
        asr.ready.connect(self._on_ready)
        asr.notice.connect(lambda text: self.message.emit(text, False))
        asr.metrics.connect(lambda figures: self._merge(figures, ""))
        asr.metrics.connect(self._note_replaced_samples)
        stage = pipeline.concept_worker
        if stage is not None:
            stage.loading.connect(
                lambda f: self.message.emit(f"Loading the concept model… {round(f * 100)}%", True)
            )
            stage.ready.connect(self._on_concepts_ready)
            stage.error.connect(lambda text: self.message.emit(text, False))
            stage.metrics.connect(lambda figures: self._merge(figures, "concept_"))
        pipeline.finished.connect(self._on_finished)

    def _merge(self, figures: dict, prefix: str) -> None:
        """One dict for the debug overlay: ASR figures, concept figures (prefixed)."""
        self._figures.update({prefix + k: v for k, v in figures.items()})
        self.stats.emit(dict(self._figures))

    def _note_replaced_samples(self, _figures: object = None) -> None:
        """NaN/Inf samples of the source were replaced with silence: said once a pipeline."""
        if self.pipeline is None or self._noted is self.pipeline:
            return
        where = "The microphone" if self.spec.path is None else self.spec.path.name
        note = source_note(self.pipeline.source, where)
        if note is not None:
            self._noted = self.pipeline
            self.message.emit(note, False)

    def _on_problem(self, text: str) -> None:
        if text:
            log.warning("%s", text)
        self.problem.emit(text)

    def _on_ready(self, name: str, reason: str) -> None:
        trace("ready")
        log.info("speech engine %s: %s", name, reason)  # why this engine: for the log, not the HUD
        self.cleared.emit()
        self.message.emit(ready_text(self.spec, name), False)
        if self.pipeline is not None and self.pipeline.concept_worker is None:
            self.models_ready.emit()

    def _on_concepts_ready(self, name: str) -> None:
        trace("concepts-ready")
        self.cleared.emit()
        label = "keywords (no language model)" if name == "yake" else name.removeprefix("llm:")
        self.message.emit(f"Concepts: {label}.", False)
        self.models_ready.emit()

    def check_pressure(self) -> None:
        """The view yields to the models when they fall behind (read from ring counters)."""
        if self.pipeline is not None:
            self.pressure.emit(*self.pipeline.pressure())

    def check_level(self) -> None:
        """Peak of the microphone audio since the last check (for the silence watch)."""
        reader = self._level_reader
        if reader is None:
            return
        n = reader.read_into(self._level_buf)
        while n:
            self.silence.feed(float(abs(self._level_buf[:n]).max()), n / self.config.audio.sample_rate)
            n = reader.read_into(self._level_buf)

    def _on_finished(self) -> None:
        pipeline = self.pipeline
        if pipeline is None:
            return
        error, source_error = pipeline.error, pipeline.source.error
        self.stop()
        if error is None:  # a looping feed (the demo) plays on inside its pipeline: never here
            self.message.emit("The audio file has ended.", True)
            return
        if self.spec.is_mic and isinstance(source_error, DeviceError):
            choice = devices.after_failure(self.device, error, self.devices)
            self._retries += 1
            if choice is not None and self._retries <= MAX_DEVICE_RETRIES:
                self.message.emit(choice.message or error, False)
                self.use_device(choice.device)
                self.settings.set(Key.INPUT_DEVICE, choice.device)
                QTimer.singleShot(0, self.restart)
                return
            self._await_device(error)
            return
        self.message.emit(error, True)

    # ------------------------------------------------------------------ a microphone that went away
    def _await_device(self, error: str) -> None:
        """No input left to fall back to: listening resumes by itself when it comes back."""
        self._lost, self._seen_gone = self.device, False
        self.message.emit(f"The microphone went away ({error}). Listening resumes when it is back; "
                          "the words so far are kept.", True)  # fmt: skip
        self._device_timer.start()

    def check_device(self) -> None:
        """While waiting: is the lost input (or, for the default, any input) listed again?"""
        self.devices.rescan()
        names = self.devices.input_names()
        present = devices.matches(self._lost, names) if self._lost else bool(names)
        if not present or not self._seen_gone:  # listed all along: a device that failed, not
            self._seen_gone = self._seen_gone or not present  # one unplugged; wait for it to return
            return
        self._device_timer.stop()
        self._retries = 0
        self.message.emit("The microphone is back: listening again.", False)
        self.restart()
