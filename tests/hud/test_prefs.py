from __future__ import annotations

from PySide6.QtCore import QRect

from fhud_app.hud.prefs import PreferencesDialog, place
from fhud_app.hud.settings import Key, Settings


def test_accept_saves_choices_and_flags_a_pipeline_change(qtbot):
    settings = Settings()
    dialog = PreferencesDialog(settings, ["USB Mic"])
    qtbot.addWidget(dialog)
    dialog.hotkey.setText("ctrl+shift+h")
    dialog.device.setCurrentIndex(dialog.device.findData("USB Mic"))
    dialog.opacity.setValue(60)
    dialog.parakeet.setText("/models/parakeet-small")
    dialog.position.setCurrentText("Top left")
    dialog.accept()
    assert settings.get(Key.HOTKEY) == "Ctrl+Shift+H"
    assert settings.get(Key.INPUT_DEVICE) == "USB Mic"
    assert settings.get(Key.OPACITY) == 0.6
    assert settings.get(Key.PARAKEET_MODEL) == "/models/parakeet-small"
    assert settings.get(Key.GEOMETRY).endswith(",720,420")
    assert dialog.pipeline_changed is True


def test_an_invalid_hotkey_blocks_ok(qtbot):
    settings = Settings()
    dialog = PreferencesDialog(settings, [])
    qtbot.addWidget(dialog)
    dialog.hotkey.setText("Ctrl+Alt")
    assert not dialog._ok.isEnabled()
    assert "no key" in dialog.hotkey_hint.text()
    dialog.accept()
    assert not settings.saved(Key.HOTKEY)
    dialog.hotkey.setText("Ctrl+Alt+K")
    assert dialog._ok.isEnabled()


def test_custom_llm_model_is_kept(qtbot):
    settings = Settings()
    dialog = PreferencesDialog(settings, [])
    qtbot.addWidget(dialog)
    dialog.llm.setEditText("mlx-community/some-model")
    dialog.accept()
    assert settings.get(Key.LLM_MODEL) == "mlx-community/some-model"


def test_named_positions_stay_on_screen():
    screen = QRect(0, 0, 1600, 1000)
    for name in ("Top centre", "Top left", "Top right", "Bottom centre"):
        assert screen.contains(place(name, screen, (720, 420))), name
    assert place("Keep where it is", screen, (720, 420)) is None
