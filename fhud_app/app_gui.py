"""The GUI half of the composition root: the HUD, the tray, the hotkey, the settings.

:mod:`fhud_app.app` builds the services (:func:`~fhud_app.app.make_pipeline`,
:func:`~fhud_app.app.make_view`); :class:`App` wires them to the window, the tray,
the hotkey and the settings.  The pipeline's lifecycle (start, stop, restart,
microphone retry) is :class:`~fhud_app.hud.controller.PipelineController`'s.
The window is shown before any model loads; the pipeline starts once it is exposed.
:func:`fhud_app.commands.gui.run` builds the ``QApplication`` and an :class:`App`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from fhud_app.audio.source import SourceSpec
from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError
from fhud_app.hud import devices, hotkey, macos
from fhud_app.hud.controller import PipelineController
from fhud_app.hud.launch import trace
from fhud_app.hud.metrics_sink import MetricsSink
from fhud_app.hud.parts import PipelineFactory, ViewFactory
from fhud_app.hud.sessions_ui import SessionsUi
from fhud_app.hud.settings import Key, Settings
from fhud_app.hud.tray import Tray, open_folder, show_about
from fhud_app.hud.window import HudWindow, initial_geometry

log = logging.getLogger(__name__)
QUIT_PATIENCE_S = 1.0  # how long quitting waits for the workers to end


class App(QObject):
    """Owns the window, tray and hotkey for one run of the GUI, around a controller."""

    def __init__(self, config: Config, spec: SourceSpec, settings: Settings, *,
                 view_factory: ViewFactory, pipeline_factory: PipelineFactory,
                 device_layer: devices.DeviceLayer | None = None) -> None:  # fmt: skip
        super().__init__()
        self.config, self.settings = config, settings
        self.devices = device_layer or devices.SoundDeviceLayer()
        self.hotkey = hotkey.GlobalHotkey(self)
        self.view = view_factory(config)
        self.window = HudWindow(self.view, pinned=config.hud.pinned,
                                click_through=config.hud.click_through, opacity=config.hud.opacity)  # fmt: skip
        self.tray = Tray(QIcon(str(paths.repo_resources() / "icon.png")), self)
        self.controller = PipelineController(config, spec, settings, pipeline_factory, self.devices, self)
        self.sessions = SessionsUi(self.controller, self.view, settings, self)
        self._quitting = self._start_pending = False
        self.metrics_sink = MetricsSink.from_env(self.view, self.controller, self)  # ``fhud bench soak``
        self._wire()

    def _wire(self) -> None:
        w, t, c, hud = self.window, self.tray, self.controller, self.config.hud
        w.setGeometry(initial_geometry(self.settings.get(Key.GEOMETRY), hud.width, hud.height))
        w.exposed.connect(self._on_exposed)
        self.hotkey.activated.connect(self.toggle)
        self.hotkey.failed.connect(lambda msg: self.say(msg, sticky=True))
        w.visibility_changed.connect(t.set_hud_visible)
        w.menu_requested.connect(t.menu.popup)
        self.view.gl_unsupported.connect(lambda text: self.say(text, sticky=True))
        c.message.connect(lambda text, sticky: self.say(text, sticky=sticky))
        c.problem.connect(w.status.set_alert)  # a lasting problem stays until solved ("")
        c.problem.connect(t.set_alert)
        c.cleared.connect(lambda: w.status.show_message(""))
        c.started.connect(lambda p: self.view.set_readers([p.words.reader(), p.concepts.reader()]))
        c.stats.connect(self.view.set_pipeline_stats)
        c.pressure.connect(self.view.set_pressure)
        c.models_ready.connect(self.view.yield_to_models)
        t.show_choices(hud, bool(self.settings.get(Key.LISTENING)), self.config.asr.engine, self.config.llm.model)
        t.set_devices(self.devices.input_names(), c.device)
        t.device_menu.aboutToShow.connect(lambda: t.set_devices(self.devices.input_names(), c.device))
        t.toggle_requested.connect(self.toggle)
        t.pinned_changed.connect(lambda on: self._set(Key.PINNED, on, w.set_pinned))
        t.click_through_changed.connect(self.set_click_through)
        t.listening_changed.connect(self.set_listening)
        t.device_chosen.connect(lambda name: self._set(Key.INPUT_DEVICE, name, c.choose_device))
        t.engine_chosen.connect(lambda v: self._restart_with(Key.ASR_ENGINE, v, "asr", engine=v))
        t.llm_chosen.connect(lambda v: self._restart_with(Key.LLM_MODEL, v, "llm", model=v))
        t.debug_overlay_changed.connect(lambda on: self._set(Key.DEBUG_OVERLAY, on, self.view.set_debug_overlay))
        t.preferences_requested.connect(self.open_preferences)
        t.open_sessions_requested.connect(lambda: open_folder(paths.sessions_dir()))
        t.sessions_requested.connect(self.sessions.open_window)
        t.new_session_requested.connect(self.sessions.new_session)
        t.concept_memory_changed.connect(self.sessions.set_memory)
        self.sessions.message.connect(lambda text, sticky: self.say(text, sticky=sticky))
        t.about_requested.connect(show_about)
        t.quit_requested.connect(self.quit)

    # ------------------------------------------------------------------ lifecycle
    def start(self, exit_after: float | None = None) -> None:
        macos.use_accessory_policy()
        self.tray.show()
        if self.settings.get(Key.VISIBLE) or not self.tray.icon.isVisible():
            self.window.show()  # with no tray the HUD is the only way in: always show it
        self._setup_hotkey(self.config.hud.hotkey)
        if self.settings.note:  # invalid saved values were dropped: said once
            self.say(self.settings.note)
        if not self.settings.get(Key.LISTENING):
            self.say("Not listening: turn Listening on in the menu.", sticky=True)
        elif self.window.isVisible():  # the pipeline's imports block the GUI thread a moment:
            self._start_pending = True  # let the HUD reach the screen first
        else:
            QTimer.singleShot(0, self.controller.start)
        if exit_after is not None:
            QTimer.singleShot(int(exit_after * 1000), self.quit)

    def _on_exposed(self) -> None:
        trace("exposed")
        if self._start_pending:
            self._start_pending = False
            QTimer.singleShot(0, self.controller.start)

    def quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        self.save()
        if self.metrics_sink is not None:
            self.metrics_sink.close()
        self.window.hide()  # gone at once, even while a worker finishes loading its model
        self.tray.icon.hide()
        QApplication.processEvents()  # let the window system see it go before we block
        self.hotkey.close()
        # A model load cannot be interrupted: a worker still loading is told to stop and
        # left to the process exit (run_gui leaves with os._exit; settings are saved).
        self.controller.close(QUIT_PATIENCE_S)
        self.sessions.close()  # after the last words reached the file
        self.window.close()
        QApplication.quit()

    def save(self) -> None:
        self.window.save_to(self.settings)

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

    def _set(self, key: Key, value: Any, apply: Any) -> None:
        self.settings.set(key, value)
        apply(value)

    def set_click_through(self, on: bool) -> None:
        self._set(Key.CLICK_THROUGH, on, self.window.set_click_through)
        if on:
            self.say("Click-through is on: clicks pass through the HUD. Turn it off in the menu.")

    def set_listening(self, on: bool) -> None:
        self.settings.set(Key.LISTENING, on)
        if on:
            self.controller.start()
        else:
            self.controller.stop()
            self.say("Not listening.", sticky=True)

    def _restart_with(self, key: Key, value: str, section: str, **change: Any) -> None:
        self.settings.set(key, value)
        self.config = self.config.with_(section, **change)
        self.controller.restart(self.config)

    def open_preferences(self) -> None:
        from fhud_app.hud.prefs import PreferencesDialog

        self.save()
        dialog = PreferencesDialog(self.settings, self.devices.input_names())
        if dialog.exec():
            self.apply_preferences(dialog.pipeline_changed)

    def apply_preferences(self, pipeline_changed: bool) -> None:
        self.window.set_opacity(self.settings.get(Key.OPACITY))
        self.window.restore_geometry(self.settings.get(Key.GEOMETRY))
        chord = self.settings.get(Key.HOTKEY)
        if str(self.hotkey.chord) != chord:
            self._setup_hotkey(chord)
        if pipeline_changed:
            self.config = self.settings.apply(self.config)
            self.controller.use_device(self.settings.get(Key.INPUT_DEVICE))
            self.controller.restart(self.config)

    def _setup_hotkey(self, text: str) -> None:
        try:
            self.tray.set_hotkey_hint(self.hotkey.bind(text))
        except FhudError as exc:
            self.say(f"Hotkey off: {exc}", sticky=True)
