"""The X11 backend end to end: xdotool presses the chord, the HUD hides, then shows."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from fhud_app.hud.hotkey import HotkeyError, parse_chord
from fhud_app.hud.hotkey.x11 import X11Hotkey, modifier_variants
from fhud_app.hud.window import HudWindow

from .conftest import xdotool


def test_lock_variants_cover_numlock_and_capslock():
    assert sorted(modifier_variants(12)) == [12, 14, 28, 30]


@pytest.fixture
def hotkey(x11):
    hk = X11Hotkey()
    yield hk
    hk.close()


def test_chord_toggles_the_hud(qtbot, hotkey):
    window = HudWindow(QWidget())
    qtbot.addWidget(window)
    hotkey.register(parse_chord("Ctrl+Alt+Space"))
    hotkey.activated.connect(window.toggle)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(hotkey.activated, timeout=5000):
        xdotool("key", "ctrl+alt+space")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    with qtbot.waitSignal(window.exposed, timeout=5000):
        xdotool("key", "ctrl+alt+space")
    assert window.isVisible()


def test_chord_fires_with_numlock_on(qtbot, hotkey):
    hotkey.register(parse_chord("Ctrl+Shift+F8"))
    xdotool("key", "Num_Lock")
    try:
        with qtbot.waitSignal(hotkey.activated, timeout=5000):
            xdotool("key", "ctrl+shift+F8")
    finally:
        xdotool("key", "Num_Lock")


def test_a_taken_chord_is_reported(hotkey):
    other = X11Hotkey()
    try:
        other.register(parse_chord("Ctrl+Alt+F7"))
        with pytest.raises(HotkeyError, match="already used by another application"):
            hotkey.register(parse_chord("Ctrl+Alt+F7"))
        assert hotkey.chord is None
    finally:
        other.close()


def test_rebind_keeps_the_old_chord_when_the_new_one_is_taken(hotkey):
    other = X11Hotkey()
    try:
        other.register(parse_chord("Ctrl+Alt+F6"))
        hotkey.register(parse_chord("Ctrl+Alt+F5"))
        with pytest.raises(HotkeyError):
            hotkey.rebind(parse_chord("Ctrl+Alt+F6"))
        assert hotkey.chord == parse_chord("Ctrl+Alt+F5")
    finally:
        other.close()
