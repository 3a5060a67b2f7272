"""The GUI half of the composition root: the HUD, the tray, the hotkey, the settings.

``fhud_app/app.py`` builds the headless pipeline (sources, rings, workers,
store); :class:`App` builds the views around it and wires them together.
The window is shown before any model loads; the pipeline starts on the next
event-loop turn and reports loading progress into the HUD and the tray.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRect, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from fhud_app import __version__
from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.core.errors import DeviceError, FhudError
from fhud_app.hud import devices, hotkey
from fhud_app.hud.launch import Feed, config_from, feed_from, leave_now, trace
from fhud_app.hud.metrics_sink import MetricsSink
from fhud_app.hud.session_pump import session_pump_for
from fhud_app.hud.settings import Key, Settings
from fhud_app.hud.tray import Tray
from fhud_app.hud.unix_signals import quit_on_signals
from fhud_app.hud.window import HudWindow, default_geometry, format_geometry, parse_geometry

log = logging.getLogger(__name__)
LEVEL_BLOCK = 16_000
MAX_DEVICE_RETRIES = 3  # restarts after device failures before giving up
QUIT_PATIENCE_S = 1.0  # how long quitting waits for the workers to end
PRESSURE_MS = 500  # how often the view learns how far behind the models are

ViewFactory = Callable[[Config, Any], QWidget]
PipelineFactory = Callable[[Config, "Feed"], Any]


class App(QObject):
    """Owns the window, tray, hotkey and pipeline for one run of the GUI."""

    def __init__(self, config: Config, feed: Feed, settings: Settings, *,
                 view_factory: ViewFactory, pipeline_factory: PipelineFactory,
                 device_layer: devices.DeviceLayer | None = None) -> None:  # fmt: skip
        super().__init__()
        self.config, self.feed, self.settings = config, feed, settings
        self._pipeline_factory = pipeline_factory
        self.devices = device_layer or devices.SoundDeviceLayer()
        self.pipeline: Any = None
        self.hotkey: hotkey.HotkeyBackend | None = None
        self.silence = devices.SilenceWatch(lambda text: self.say(text, sticky=True))
        self._level_reader: Any = None
        self._device_retries = 0
        self._quitting = False
        self.abandoned: Any = None  # a pipeline left running at quit (a model still loading)
        self._pipeline_pending = False
        self.stats: dict[str, Any] = {}  # the debug overlay's figures (overflows included)
        self._level_buf = np.empty(LEVEL_BLOCK, np.float32)
        self._level_timer = QTimer(self, interval=1000, timeout=self._check_level)
        self._pressure_timer = QTimer(self, interval=PRESSURE_MS, timeout=self._check_pressure)
        self.window = HudWindow(
            view_factory(config, None), pinned=config.hud.pinned,
            click_through=config.hud.click_through, opacity=config.hud.opacity,
        )  # fmt: skip
        self.tray = Tray(QIcon(str(paths.repo_resources() / "icon.png")), self)
        self.session = session_pump_for(feed, self, lambda text: self.say(text, sticky=True))
        self.metrics_sink = MetricsSink.from_env(self)  # ``fhud bench soak`` only
        self._wire_window()
        self._wire_tray()

    # ------------------------------------------------------------------ building
    def _wire_window(self) -> None:
        w = self.window
        w.setGeometry(self._initial_geometry())
        w.exposed.connect(self._on_exposed)
        w.visibility_changed.connect(self.tray.set_hud_visible)
        w.menu_requested.connect(self.tray.menu.popup)
        if hasattr(w.view, "gl_unsupported"):
            w.view.gl_unsupported.connect(lambda text: self.say(text, sticky=True))

    def _initial_geometry(self) -> QRect:
        saved = parse_geometry(self.settings.get(Key.GEOMETRY))
        screen = QGuiApplication.primaryScreen().availableGeometry()
        if saved is not None and screen.intersects(saved):
            return saved
        return default_geometry(screen, self.config.hud.width, self.config.hud.height)

    def _wire_tray(self) -> None:
        t, hud = self.tray, self.config.hud
        t.set_checked(t.pin_action, hud.pinned)
        t.set_checked(t.click_action, hud.click_through)
        t.set_checked(t.listen_action, bool(self.settings.get(Key.LISTENING)))
        t.set_checked(t.debug_action, hud.debug_overlay)
        t.select(t.engine_group, self.config.asr.engine)
        t.select(t.llm_group, self.config.llm.model)
        t.set_devices(self.devices.input_names(), self.feed.device)
        t.device_menu.aboutToShow.connect(
            lambda: t.set_devices(self.devices.input_names(), self.feed.device)
        )
        t.toggle_requested.connect(self.toggle)
        t.pinned_changed.connect(self.set_pinned)
        t.click_through_changed.connect(self.set_click_through)
        t.listening_changed.connect(self.set_listening)
        t.device_chosen.connect(self.choose_device)
        t.engine_chosen.connect(lambda v: self._restart_with(Key.ASR_ENGINE, v, "asr", engine=v))
        t.llm_chosen.connect(lambda v: self._restart_with(Key.LLM_MODEL, v, "llm", model=v))
        t.debug_overlay_changed.connect(self.set_debug_overlay)
        t.preferences_requested.connect(self.open_preferences)
        t.open_sessions_requested.connect(self.open_sessions)
        t.about_requested.connect(self.about)
        t.quit_requested.connect(self.quit)

    # ------------------------------------------------------------------ lifecycle
    def start(self, exit_after: float | None = None) -> None:
        from fhud_app.hud import macos

        macos.use_accessory_policy()
        self.tray.show()
        if self.settings.get(Key.VISIBLE) or not self.tray.icon.isVisible():
            self.window.show()  # with no tray the HUD is the only way in: always show it
        self._setup_hotkey(self.config.hud.hotkey)
        if self.settings.get(Key.LISTENING):
            self._start_after_expose()
        else:
            self.say("Not listening: turn Listening on in the menu.", sticky=True)
        if exit_after is not None:
            QTimer.singleShot(int(exit_after * 1000), self.quit)

    def _on_exposed(self) -> None:
        trace("exposed")
        if self._pipeline_pending:
            self._pipeline_pending = False
            QTimer.singleShot(0, self.start_pipeline)

    def _start_after_expose(self) -> None:
        """The pipeline's imports block the GUI thread for a moment: let the HUD reach
        the screen first (when it is hidden, start at once)."""
        if self.window.isVisible():
            self._pipeline_pending = True
        else:
            QTimer.singleShot(0, self.start_pipeline)

    def quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True  # nothing starts from now on (a queued start_pipeline included)
        self.save()
        if self.metrics_sink is not None:
            self.metrics_sink.close()
            self.metrics_sink = None
        self.window.hide()  # gone at once, even while a worker finishes loading its model
        self.tray.icon.hide()
        QApplication.processEvents()  # let the window system see it go before we block
        if self.hotkey is not None:
            self.hotkey.close()
            self.hotkey = None
        pipeline = self.pipeline
        if not self.stop_pipeline(timeout_s=QUIT_PATIENCE_S):
            # A model load cannot be interrupted: its worker is told to stop and left to
            # the process exit (run_gui leaves with os._exit; settings are already saved).
            self.abandoned = pipeline
        self.window.close()
        QApplication.quit()

    def save(self) -> None:
        s = self.settings
        s.set(Key.GEOMETRY, format_geometry(self.window.geometry()))
        s.set(Key.VISIBLE, self.window.isVisible())
        s.set(Key.PINNED, self.window.pinned)
        s.set(Key.CLICK_THROUGH, self.window.click_through)
        s.sync()

    # ------------------------------------------------------------------ messages
    def say(self, text: str, *, sticky: bool = False) -> None:
        """One sentence for the person: in the HUD's status strip and the tray."""
        self.window.status.show_message(text, sticky=sticky, seconds=8.0)
        self.tray.set_status(text if len(text) < 80 else text[:77] + "…")
        log.info("%s", text)

    # ------------------------------------------------------------------ actions
    def toggle(self) -> None:
        trace("toggle")
        self.window.toggle()
        if not self.window.isVisible():
            trace("hidden")

    def set_pinned(self, on: bool) -> None:
        self.window.set_pinned(on)
        self.settings.set(Key.PINNED, on)

    def set_click_through(self, on: bool) -> None:
        self.window.set_click_through(on)
        self.settings.set(Key.CLICK_THROUGH, on)
        if on:
            self.say("Click-through is on: clicks pass through the HUD. Turn it off in the menu.")

    def set_debug_overlay(self, on: bool) -> None:
        self.settings.set(Key.DEBUG_OVERLAY, on)
        setter = getattr(self.window.view, "set_debug_overlay", None)
        if setter is not None:
            setter(on)

    def set_listening(self, on: bool) -> None:
        self.settings.set(Key.LISTENING, on)
        if on and self.pipeline is None:
            self.start_pipeline()
        elif not on:
            self.stop_pipeline()
            self.say("Not listening.", sticky=True)

    def choose_device(self, name: str) -> None:
        self.settings.set(Key.INPUT_DEVICE, name)
        if self.feed.is_mic:
            self.feed.device = name
            self.restart_pipeline()

    def _restart_with(self, key: Key, value: str, section: str, **change: Any) -> None:
        self.settings.set(key, value)
        self.config = self.config.with_(section, **change)
        self.restart_pipeline()

    def open_sessions(self) -> None:
        folder = paths.sessions_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about(self) -> None:
        QMessageBox.about(
            None, "About fHUD",
            f"fHUD {__version__}, the thought crystallizer.\nEverything runs on this machine; "
            "no audio or text leaves it.",
        )  # fmt: skip

    def open_preferences(self) -> None:
        from fhud_app.hud.prefs import PreferencesDialog

        self.save()
        dialog = PreferencesDialog(self.settings, self.devices.input_names())
        if dialog.exec():
            self.apply_preferences(dialog)

    def apply_preferences(self, dialog: Any) -> None:
        self.window.set_opacity(self.settings.get(Key.OPACITY))
        geometry = parse_geometry(self.settings.get(Key.GEOMETRY))
        if geometry is not None:
            self.window.setGeometry(geometry)
        chord = self.settings.get(Key.HOTKEY)
        if self.hotkey is None or str(self.hotkey.chord) != chord:
            self._setup_hotkey(chord)
        if dialog.pipeline_changed:
            self.config = self.settings.apply(self.config)
            self.feed.device = self.settings.get(Key.INPUT_DEVICE) if self.feed.is_mic else ""
            self.restart_pipeline()

    # ------------------------------------------------------------------ hotkey
    def _setup_hotkey(self, text: str) -> None:
        try:
            chord = hotkey.parse_chord(text)
            hotkey.validate(chord)
            if self.hotkey is None:
                name = hotkey.select_backend(qt_platform=QGuiApplication.platformName())
                self.hotkey = hotkey.create_backend(name, self)
                self.hotkey.activated.connect(self.toggle)
                self.hotkey.failed.connect(lambda msg: self.say(msg, sticky=True))
            if self.hotkey.chord is not None:
                self.hotkey.rebind(chord)
            else:
                self.hotkey.register(chord)
        except FhudError as exc:
            self.say(f"Hotkey off: {exc}", sticky=True)
            return
        self.tray.set_hotkey_hint(hotkey.display(chord))

    # ------------------------------------------------------------------ pipeline
    def start_pipeline(self) -> None:
        if self.pipeline is not None or self._quitting:
            return
        if self.feed.is_mic:
            choice = devices.resolve(self.feed.device, self.devices)
            if choice.message:
                self.say(choice.message)
            self.feed.device = choice.device
        try:
            pipeline = self._pipeline_factory(self.config, self.feed)
        except FhudError as exc:
            self.say(str(exc), sticky=True)
            return
        self.pipeline = pipeline
        self._connect_pipeline(pipeline)
        self.say("Loading the speech model…", sticky=True)
        pipeline.start()
        trace("pipeline-started")
        self._pressure_timer.start()
        if self.feed.is_mic:
            self._level_reader = pipeline.audio.reader()
            self._level_timer.start()

    def stop_pipeline(self, timeout_s: float | None = None) -> bool:
        """Stop and join the pipeline; False when a worker outlived ``timeout_s``."""
        self._level_timer.stop()
        self._pressure_timer.stop()
        self._level_reader = None
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is None:
            return True
        pipeline.finished.disconnect(self._on_finished)
        stopped = pipeline.stop(timeout_s) is not False
        if self.session is not None:
            self.session.detach()  # the last words of the stopped pipeline reach the file
        return stopped

    def restart_pipeline(self) -> None:
        self.stop_pipeline()
        self.silence.reset()
        if self.settings.get(Key.LISTENING):
            self.start_pipeline()

    def _connect_pipeline(self, pipeline: Any) -> None:
        view = self.window.view
        if hasattr(view, "readers"):
            view.readers = [pipeline.words.reader(), pipeline.concepts.reader()]
        if self.session is not None:
            self.session.attach(pipeline)
        if self.metrics_sink is not None:
            self.metrics_sink.attach(pipeline)
        asr = pipeline.asr
        asr.loading.connect(lambda f: self.say(f"Loading the speech model… {round(f * 100)}%", sticky=True))
        asr.ready.connect(lambda name, reason: self._on_ready(name, reason))
        asr.metrics.connect(lambda stats: self._merge_stats(stats, ""))
        for worker in pipeline.workers[1:]:  # the concept stage reports the same way
            self._connect_stage(worker)
        pipeline.finished.connect(self._on_finished)

    def _connect_stage(self, worker: Any) -> None:
        if hasattr(worker, "loading"):
            worker.loading.connect(
                lambda f: self.say(f"Loading the concept model… {round(f * 100)}%", sticky=True)
            )
        if hasattr(worker, "ready"):
            worker.ready.connect(self._on_concepts_ready)
        if hasattr(worker, "error"):
            worker.error.connect(lambda text: self.say(text))
        if hasattr(worker, "metrics"):
            worker.metrics.connect(lambda stats: self._merge_stats(stats, "concept_"))

    def _merge_stats(self, stats: dict, prefix: str) -> None:
        """One dict for the debug overlay: ASR figures, concept figures (prefixed), memory."""
        import psutil

        self.stats.update({prefix + k: v for k, v in stats.items()})
        self.stats["rss_mb"] = psutil.Process().memory_info().rss / 1e6
        setter = getattr(self.window.view, "set_pipeline_stats", None)
        if setter is not None:
            setter(dict(self.stats))

    def _check_pressure(self) -> None:
        """The ASR backlog and the concept stage's queue, read from the ring counters (a
        worker busy in a long decode sends no metrics): the view yields when they grow."""
        pipeline, setter = self.pipeline, getattr(self.window.view, "set_pressure", None)
        if setter is None or not hasattr(pipeline, "audio_reader"):
            return
        backlog_s = pipeline.audio_reader.available() / float(pipeline.asr.source_rate)
        worker = getattr(pipeline, "concept_worker", None)
        queue = worker.reader.available() if worker is not None else 0
        setter(backlog_s, queue)

    def _on_ready(self, name: str, reason: str) -> None:
        trace("ready")
        log.info("speech engine %s: %s", name, reason)  # why this engine: for the log, not the HUD
        self.window.status.show_message("")  # loading is over: no steady status any more
        self.say(self.feed.ready_text(name))

    def _on_concepts_ready(self, name: str) -> None:
        trace("concepts-ready")
        self.window.status.show_message("")
        label = "keywords (no language model)" if name == "yake" else name.removeprefix("llm:")
        self.say(f"Concepts: {label}.")

    def _check_level(self) -> None:
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
        error = pipeline.error
        source_error = getattr(pipeline.source, "error", None)
        self.stop_pipeline()
        if error is None:  # a looping feed (the demo) plays on inside its pipeline: never here
            self.say("The audio file has ended.", sticky=True)
            return
        if self.feed.is_mic and isinstance(source_error, DeviceError):
            choice = devices.after_failure(self.feed.device, error, self.devices)
            self._device_retries += 1
            if choice is not None and self._device_retries <= MAX_DEVICE_RETRIES:
                self.say(choice.message or error)
                self.feed.device = choice.device
                self.settings.set(Key.INPUT_DEVICE, choice.device)
                QTimer.singleShot(0, self.restart_pipeline)
                return
        self.say(error, sticky=True)


def run_gui(args: argparse.Namespace, *, view_factory: ViewFactory, pipeline_factory: PipelineFactory) -> int:
    """Build the app, show the HUD, run the event loop; the exit status."""
    trace("main")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("fhud")
    app.setApplicationDisplayName("fHUD")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(paths.repo_resources() / "icon.png")))
    settings = Settings()
    config = config_from(args, settings)
    gui = App(config, feed_from(args, config), settings, view_factory=view_factory,
              pipeline_factory=pipeline_factory)  # fmt: skip
    wakeup = quit_on_signals(gui.quit, gui)  # before the window shows: no unhandled window
    gui.start(getattr(args, "exit_after", None))
    code = app.exec()
    wakeup.close()
    if gui.abandoned is not None:
        leave_now(int(code))
    return int(code)

