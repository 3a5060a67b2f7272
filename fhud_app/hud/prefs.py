"""A small preferences dialog: hotkey, microphone, models, opacity, HUD position.

It edits :class:`Settings` only; the app re-reads them when the dialog is
accepted (``pipeline_changed`` says whether the pipeline must restart).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QWidget,
)

from fhud_app.hud.hotkey import ChordError, display, parse_chord, validate
from fhud_app.hud.settings import Key, Settings
from fhud_app.hud.settings import default as settings_default
from fhud_app.hud.tray import ENGINES, LLMS
from fhud_app.hud.window import default_geometry, format_geometry, parse_geometry

POSITIONS = ("Keep where it is", "Top centre", "Top left", "Top right", "Bottom centre")
PIPELINE_KEYS = (Key.INPUT_DEVICE, Key.ASR_ENGINE, Key.WHISPER_MODEL, Key.PARAKEET_MODEL, Key.LLM_MODEL)


def place(position: str, screen: QRect, size: tuple[int, int]) -> QRect | None:
    """The HUD rectangle for a named position on ``screen`` (None: keep it)."""
    w, h = size
    top, left = screen.y() + 24, screen.x() + 24
    right, bottom = screen.right() - w - 24, screen.bottom() - h - 24
    centre = default_geometry(screen, w, h)
    return {
        "Top centre": centre,
        "Top left": QRect(left, top, w, h),
        "Top right": QRect(right, top, w, h),
        "Bottom centre": QRect(centre.x(), bottom, w, h),
    }.get(position)


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, device_names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("fHUD Preferences")
        self.settings = settings
        self.pipeline_changed = False
        form = QFormLayout(self)
        self.hotkey = QLineEdit(settings.get(Key.HOTKEY))
        self.hotkey_hint = QLabel()
        form.addRow("Show/hide hotkey", self.hotkey)
        form.addRow("", self.hotkey_hint)
        self.device = self._combo([("", "System default"), *[(n, n) for n in device_names]], Key.INPUT_DEVICE)
        form.addRow("Microphone", self.device)
        self.engine = self._combo(list(ENGINES), Key.ASR_ENGINE)
        form.addRow("Speech engine", self.engine)
        self.whisper = QLineEdit(settings.get(Key.WHISPER_MODEL))
        self.whisper.setPlaceholderText("embedded tiny.en (or a folder / hub id)")
        form.addRow("Whisper model", self.whisper)
        self.parakeet = QLineEdit(settings.get(Key.PARAKEET_MODEL))
        self.parakeet.setPlaceholderText("hub id or folder (Apple Silicon)")
        form.addRow("Parakeet model", self.parakeet)
        self.llm = self._combo(list(LLMS), Key.LLM_MODEL, editable=True)
        form.addRow("Concept model", self.llm)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(20, 100)
        self.opacity.setValue(round(settings.get(Key.OPACITY) * 100))
        form.addRow("HUD opacity", self.opacity)
        self.position = QComboBox()
        self.position.addItems(POSITIONS)
        form.addRow("HUD position", self.position)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.hotkey.textChanged.connect(self._check_hotkey)
        self._check_hotkey(self.hotkey.text())

    def _combo(self, options: list[tuple[str, str]], key: Key, *, editable: bool = False) -> QComboBox:
        box = QComboBox()
        box.setEditable(editable)
        for value, label in options:
            box.addItem(label, value)
        current = self.settings.get(key)
        index = box.findData(current)
        if index >= 0:
            box.setCurrentIndex(index)
        elif editable:
            box.setEditText(current)
        return box

    def _check_hotkey(self, text: str) -> bool:
        try:
            chord = parse_chord(text)
            validate(chord)
        except ChordError as exc:
            self.hotkey_hint.setText(str(exc))
            self._ok.setEnabled(False)
            return False
        self.hotkey_hint.setText(f"Press {display(chord)} anywhere to show or hide the HUD.")
        self._ok.setEnabled(True)
        return True

    @staticmethod
    def _value(box: QComboBox) -> str:
        data = box.currentData()
        if box.isEditable() and box.currentText() != box.itemText(box.currentIndex()):
            return box.currentText().strip()
        return "" if data is None else str(data)

    def accept(self) -> None:
        if not self._check_hotkey(self.hotkey.text()):
            return
        before = {k: self.settings.get(k) for k in PIPELINE_KEYS}
        s = self.settings
        s.set(Key.HOTKEY, str(parse_chord(self.hotkey.text())))
        s.set(Key.INPUT_DEVICE, self._value(self.device))
        s.set(Key.ASR_ENGINE, self._value(self.engine))
        s.set(Key.WHISPER_MODEL, self.whisper.text().strip())
        s.set(Key.PARAKEET_MODEL, self.parakeet.text().strip() or settings_default(Key.PARAKEET_MODEL))
        s.set(Key.LLM_MODEL, self._value(self.llm))
        s.set(Key.OPACITY, self.opacity.value() / 100.0)
        self._save_position()
        self.pipeline_changed = any(self.settings.get(k) != v for k, v in before.items())
        s.sync()
        super().accept()

    def _save_position(self) -> None:
        current = parse_geometry(self.settings.get(Key.GEOMETRY))
        size = (current.width(), current.height()) if current else (720, 420)
        screen = QGuiApplication.primaryScreen().availableGeometry()
        rect = place(self.position.currentText(), screen, size)
        if rect is not None:
            self.settings.set(Key.GEOMETRY, format_geometry(rect))
