from __future__ import annotations

import pytest
from PySide6.QtGui import QIcon

from fhud_app.hud.tray import Tray


@pytest.fixture
def tray(qapp):
    t = Tray(QIcon())
    yield t
    t.menu.deleteLater()


def test_menu_has_every_entry(tray):
    texts = [a.text() for a in tray.menu.actions() if a.text()]
    for want in ("Hide HUD", "Pin on top", "Click-through", "Listening", "Input device",
                 "Speech engine", "Concept model", "Debug overlay", "Preferences…",
                 "Sessions…", "New session", "Remember concepts across sessions",
                 "Open sessions folder", "About fHUD", "Quit fHUD"):  # fmt: skip
        assert any(t.startswith(want) for t in texts), want


def test_actions_emit_choices(qtbot, tray):
    with qtbot.waitSignal(tray.pinned_changed) as pinned:
        tray.pin_action.trigger()
    assert pinned.args == [True]
    with qtbot.waitSignal(tray.toggle_requested):
        tray.show_action.trigger()
    engine = next(a for a in tray.engine_group.actions() if a.data() == "whisper")
    with qtbot.waitSignal(tray.engine_chosen) as chosen:
        engine.trigger()
    assert chosen.args == ["whisper"]
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()


def test_devices_submenu_and_selection(qtbot, tray):
    tray.set_devices(["USB Mic", "Webcam Mic"], "USB Mic")
    labels = [a.text() for a in tray.device_group.actions()]
    assert labels == ["System default", "USB Mic", "Webcam Mic"]
    assert tray.selected(tray.device_group) == "USB Mic"
    with qtbot.waitSignal(tray.device_chosen) as chosen:
        tray.device_group.actions()[0].trigger()
    assert chosen.args == [""]


def test_state_updates_do_not_echo(qtbot, tray):
    fired = []
    tray.pinned_changed.connect(fired.append)
    tray.set_checked(tray.pin_action, True)
    tray.select(tray.llm_group, "none")
    assert fired == [] and tray.pin_action.isChecked()
    assert tray.selected(tray.llm_group) == "none"


def test_show_hide_text_carries_the_hotkey(tray):
    tray.set_hotkey_hint("Ctrl+Alt+Space")
    tray.set_hud_visible(False)
    assert tray.show_action.text() == "Show HUD\tCtrl+Alt+Space"
    tray.set_status("Loading the speech model…")
    assert tray.status_action.text() == "Loading the speech model…"
