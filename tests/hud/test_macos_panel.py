"""The macOS panel settings, with AppKit and objc replaced by recorders."""

from __future__ import annotations

import sys
import types

import pytest
from PySide6.QtWidgets import QWidget

from fhud_app.hud import macos
from fhud_app.hud.window import HudWindow


class FakeNSWindow:
    def __init__(self) -> None:
        self.mask = 0x1
        self.calls: dict[str, object] = {}

    def styleMask(self):  # noqa: N802 - AppKit's names
        return self.mask

    def setStyleMask_(self, mask):  # noqa: N802
        self.mask = mask

    def __getattr__(self, name):
        if name.startswith("set"):
            return lambda value: self.calls.__setitem__(name, value)
        raise AttributeError(name)


def fake_appkit() -> types.SimpleNamespace:
    app = types.SimpleNamespace(policy=None)
    app.setActivationPolicy_ = lambda p: setattr(app, "policy", p)
    return types.SimpleNamespace(
        NSWindowStyleMaskNonactivatingPanel=1 << 7,
        NSWindowCollectionBehaviorCanJoinAllSpaces=1 << 0,
        NSWindowCollectionBehaviorFullScreenAuxiliary=1 << 8,
        NSWindowCollectionBehaviorStationary=1 << 4,
        NSStatusWindowLevel=25,
        NSNormalWindowLevel=0,
        NSApplicationActivationPolicyAccessory=1,
        NSApplication=types.SimpleNamespace(sharedApplication=lambda: app),
        app=app,
    )


@pytest.fixture
def ns_window(monkeypatch):
    window = FakeNSWindow()
    view = types.SimpleNamespace(window=lambda: window)
    objc = types.ModuleType("objc")
    objc.objc_object = lambda c_void_p: view
    monkeypatch.setitem(sys.modules, "objc", objc)
    return window


def test_pinned_panel_joins_all_spaces_at_status_level(qtbot, ns_window):
    widget = QWidget()
    qtbot.addWidget(widget)
    ak = fake_appkit()
    assert macos.apply_panel(widget, pinned=True, appkit=ak)
    assert ns_window.mask == 0x1 | ak.NSWindowStyleMaskNonactivatingPanel
    behaviour = ns_window.calls["setCollectionBehavior_"]
    assert behaviour & ak.NSWindowCollectionBehaviorCanJoinAllSpaces
    assert behaviour & ak.NSWindowCollectionBehaviorFullScreenAuxiliary
    assert ns_window.calls["setLevel_"] == ak.NSStatusWindowLevel
    assert ns_window.calls["setHidesOnDeactivate_"] is False


def test_unpinned_panel_is_at_normal_level(qtbot, ns_window):
    widget = QWidget()
    qtbot.addWidget(widget)
    ak = fake_appkit()
    macos.apply_panel(widget, pinned=False, appkit=ak)
    assert ns_window.calls["setLevel_"] == ak.NSNormalWindowLevel


def test_no_appkit_off_macos():
    assert macos.apply_panel(object(), pinned=True) is (sys.platform == "darwin")


def test_accessory_policy_from_source_but_not_in_a_bundle(monkeypatch):
    ak = fake_appkit()
    assert macos.use_accessory_policy(ak)
    assert ak.app.policy == ak.NSApplicationActivationPolicyAccessory
    ak.app.policy = None
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not macos.use_accessory_policy(ak)
    assert ak.app.policy is None


def test_every_flag_change_reapplies_the_panel(qtbot, monkeypatch):
    applied = []
    monkeypatch.setattr(macos, "apply_panel", lambda w, pinned: applied.append(pinned))
    window = HudWindow(QWidget(), pinned=True)
    qtbot.addWidget(window)
    window.show()
    seen = [len(applied)]
    for change in (lambda: window.set_pinned(False), lambda: window.set_click_through(True),
                   lambda: window.set_pinned(True)):  # fmt: skip
        change()
        seen.append(len(applied))
    assert applied[0] is True  # on show
    assert all(after > before for before, after in zip(seen, seen[1:], strict=False))
    assert applied[seen[1] - 1] is False and applied[seen[2] - 1] is False and applied[-1] is True
