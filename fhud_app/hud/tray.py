"""The menu-bar (tray) icon and its menu.

The tray knows no services: it shows state it is given (``set_*``) and
reports what the person chose through signals, which the composition root
connects to the window, the settings and the pipeline.  The same menu is
reachable without a tray (``menu``), which is how tests drive it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSignalBlocker, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QIcon
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon

from fhud_app import __version__
from fhud_app.core.config import HudConfig

ENGINES = (("auto", "Automatic"), ("parakeet", "Parakeet (MLX)"), ("whisper", "Whisper tiny.en (embedded)"))
LLMS = (("auto", "Automatic"), ("embedded", "Gemma 3 270M (embedded)"), ("none", "Off (keywords only)"))
DEFAULT_DEVICE = ""  # the system default input


class Tray(QObject):
    toggle_requested = Signal()
    pinned_changed = Signal(bool)
    click_through_changed = Signal(bool)
    listening_changed = Signal(bool)
    device_chosen = Signal(str)
    engine_chosen = Signal(str)
    llm_chosen = Signal(str)
    debug_overlay_changed = Signal(bool)
    preferences_requested = Signal()
    open_sessions_requested = Signal()
    sessions_requested = Signal()  # the Sessions window
    new_session_requested = Signal()
    concept_memory_changed = Signal(bool)
    about_requested = Signal()
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.menu = QMenu()
        self._hotkey_hint, self._hud_visible = "", True
        self.status_action = self._add("fHUD", enabled=False)
        self.alert_action = self._add("", enabled=False)
        self.alert_action.setVisible(False)
        self.menu.addSeparator()
        self.show_action = self._add("Hide HUD", self.toggle_requested.emit)
        self.pin_action = self._check("Pin on top", self.pinned_changed)
        self.click_action = self._check("Click-through", self.click_through_changed)
        self.listen_action = self._check("Listening", self.listening_changed)
        self.menu.addSeparator()
        self.device_menu = self.menu.addMenu("Input device")
        self.device_group = QActionGroup(self)
        self.device_group.triggered.connect(lambda a: self.device_chosen.emit(a.data()))
        self.engine_group = self._choices("Speech engine", ENGINES, self.engine_chosen)
        self.llm_group = self._choices("Concept model", LLMS, self.llm_chosen)
        self.debug_action = self._check("Debug overlay", self.debug_overlay_changed)
        self.menu.addSeparator()
        self._add("Preferences…", self.preferences_requested.emit)
        self._add("Sessions…", self.sessions_requested.emit)
        self._add("New session", self.new_session_requested.emit)
        self.memory_action = self._check("Remember concepts across sessions", self.concept_memory_changed)
        self._add("Open sessions folder", self.open_sessions_requested.emit)
        self._add("About fHUD", self.about_requested.emit)
        self.menu.addSeparator()
        self.quit_action = self._add("Quit fHUD", self.quit_requested.emit)
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip("fHUD")
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.set_devices([], DEFAULT_DEVICE)

    # ------------------------------------------------------------------ building
    def _add(self, text: str, slot: object = None, *, enabled: bool = True) -> QAction:
        action = self.menu.addAction(text)
        action.setEnabled(enabled)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    def _check(self, text: str, signal: Signal) -> QAction:
        action = self.menu.addAction(text)
        action.setCheckable(True)
        action.toggled.connect(signal.emit)
        return action

    def _choices(self, title: str, options: tuple[tuple[str, str], ...], signal: Signal) -> QActionGroup:
        submenu = self.menu.addMenu(title)
        group = QActionGroup(self)
        for value, label in options:
            action = submenu.addAction(label)
            action.setCheckable(True)
            action.setData(value)
            group.addAction(action)
        group.triggered.connect(lambda a: signal.emit(a.data()))
        return group

    # ------------------------------------------------------------------ state in
    def show(self) -> bool:
        """Show the icon where the desktop has a tray; False when it has none."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        return True

    def set_status(self, text: str) -> None:
        self.status_action.setText(text)
        self._tooltip()

    def set_alert(self, text: str) -> None:
        """A lasting problem, in the menu and the tooltip until cleared with ``""``."""
        self.alert_action.setText(f"⚠ {text}" if len(text) < 100 else f"⚠ {text[:97]}…")
        self.alert_action.setVisible(bool(text))
        self._tooltip()

    def _tooltip(self) -> None:
        lines = [f"fHUD: {self.status_action.text()}"]
        if self.alert_action.isVisible():
            lines.append(self.alert_action.text())
        self.icon.setToolTip("\n".join(lines))

    def set_hud_visible(self, visible: bool) -> None:
        self._hud_visible = visible
        text = "Hide HUD" if visible else "Show HUD"
        self.show_action.setText(f"{text}\t{self._hotkey_hint}" if self._hotkey_hint else text)

    def set_hotkey_hint(self, chord_text: str) -> None:
        self._hotkey_hint = chord_text
        self.set_hud_visible(self._hud_visible)

    def show_choices(self, hud: HudConfig, listening: bool, engine: str, llm: str) -> None:
        """The menu's checks and choices as the app starts (no signal is emitted)."""
        self.set_checked(self.pin_action, hud.pinned)
        self.set_checked(self.click_action, hud.click_through)
        self.set_checked(self.listen_action, listening)
        self.set_checked(self.debug_action, hud.debug_overlay)
        self.set_checked(self.memory_action, hud.concept_memory)
        self.select(self.engine_group, engine)
        self.select(self.llm_group, llm)

    def set_checked(self, action: QAction, on: bool) -> None:
        with QSignalBlocker(action):
            action.setChecked(on)

    def set_devices(self, names: list[str], current: str) -> None:
        self.device_menu.clear()
        for action in self.device_group.actions():
            self.device_group.removeAction(action)
        for value, label in [(DEFAULT_DEVICE, "System default"), *[(n, n) for n in names]]:
            action = self.device_menu.addAction(label)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value == current)
            self.device_group.addAction(action)

    def select(self, group: QActionGroup, value: str) -> None:
        for action in group.actions():  # setChecked emits toggled, not triggered: no echo
            action.setChecked(action.data() == value)

    def selected(self, group: QActionGroup) -> str | None:
        checked = group.checkedAction()
        return None if checked is None else checked.data()

    def notify(self, title: str, message: str) -> None:
        if self.icon.isVisible():
            self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 5000)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_requested.emit()


def show_about() -> None:
    from fhud_app.core import logs

    QMessageBox.about(
        None, "About fHUD",
        f"fHUD {__version__}, the thought crystallizer.\nEverything runs on this machine; "
        f"no audio or text leaves it.\n\nLog file: {logs.log_file() or 'none (console only)'}",
    )  # fmt: skip


def open_folder(folder: Path) -> None:
    """Show ``folder`` in the file manager (created first when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
