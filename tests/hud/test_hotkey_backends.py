"""Backend selection, and the macOS and Windows backends with their native calls replaced."""

from __future__ import annotations

import ctypes

import pytest

from fhud_app.hud.hotkey import HotkeyError, parse_chord, select_backend
from fhud_app.hud.hotkey import macos as mac
from fhud_app.hud.hotkey import windows as win


@pytest.mark.parametrize(
    ("plat", "env", "qt", "expected"),
    [
        ("darwin", {}, "cocoa", "macos"),
        ("win32", {}, "windows", "windows"),
        ("linux", {"DISPLAY": ":0"}, "xcb", "x11"),
        ("linux", {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "xcb", "wayland"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, "wayland", "wayland"),
        ("linux", {}, "offscreen", None),
    ],
)
def test_select_backend(plat, env, qt, expected):
    assert select_backend(plat, env, qt) == expected


class FakeCarbon:
    """Carbon's hotkey calls, recorded; ``status`` is what RegisterEventHotKey returns."""

    def __init__(self, status: int = 0) -> None:
        self.status = status
        self.calls: list[tuple] = []
        self.handler = None

    def GetApplicationEventTarget(self):  # noqa: N802 - Carbon's names
        return 0xA11

    def InstallEventHandler(self, target, handler, count, spec, user, out):  # noqa: N802
        self.handler = handler
        s = spec._obj
        self.calls.append(("install", target, count, s.eventClass, s.eventKind))
        out._obj.value = 0xBEEF
        return 0

    def RegisterEventHotKey(self, code, mods, hk_id, target, options, out):  # noqa: N802
        self.calls.append(("register", code, mods, hk_id.signature, target))
        if self.status == 0:
            out._obj.value = 0xF00D
        return self.status

    def UnregisterEventHotKey(self, ref):  # noqa: N802
        self.calls.append(("unregister", ref.value))
        return 0

    def RemoveEventHandler(self, ref):  # noqa: N802
        self.calls.append(("remove", ref.value))
        return 0


@pytest.fixture
def on_mac(monkeypatch):
    monkeypatch.setattr(mac, "validate", lambda chord, plat: None)


def test_macos_registers_control_option_space(qapp, on_mac):
    carbon = FakeCarbon()
    hk = mac.MacHotkey(carbon=carbon)
    assert carbon.calls[0] == ("install", 0xA11, 1, mac.K_EVENT_CLASS_KEYBOARD, mac.K_EVENT_HOTKEY_PRESSED)
    hk.register(parse_chord("Ctrl+Alt+Space"))
    assert carbon.calls[1] == ("register", 0x31, mac.CONTROL_KEY | mac.OPTION_KEY, mac.SIGNATURE, 0xA11)
    fired = []
    hk.activated.connect(lambda: fired.append(True))
    assert carbon.handler(None, None, None) == 0  # Carbon calls the handler on a hotkey press
    assert fired == [True]
    hk.close()
    assert ("unregister", 0xF00D) in carbon.calls and ("remove", 0xBEEF) in carbon.calls


def test_macos_key_codes_and_modifiers():
    assert mac.keycode(parse_chord("Cmd+K")) == 0x28
    assert mac.keycode(parse_chord("Cmd+F1")) == 0x7A
    assert mac.keycode(parse_chord("Cmd+0")) == 0x1D
    assert mac.carbon_modifiers(parse_chord("Cmd+Shift+K")) == mac.CMD_KEY | mac.SHIFT_KEY


def test_macos_chord_taken_by_another_app(qapp, on_mac):
    hk = mac.MacHotkey(carbon=FakeCarbon(status=mac.EVENT_HOTKEY_EXISTS_ERR))
    with pytest.raises(HotkeyError, match="already used by another app"):
        hk.register(parse_chord("Ctrl+Alt+Space"))
    assert hk.chord is None


def test_macos_refuses_option_only_on_15_1(qapp, monkeypatch):
    monkeypatch.setattr("fhud_app.hud.hotkey.chords.macos_version", lambda: (15, 1))
    carbon = FakeCarbon()
    hk = mac.MacHotkey(carbon=carbon)
    with pytest.raises(HotkeyError, match="Option and Shift"):
        hk.register(parse_chord("Alt+Space"))
    assert not [c for c in carbon.calls if c[0] == "register"]


class FakeUser32:
    def __init__(self, ok: bool = True) -> None:
        self.ok = ok
        self.calls: list[tuple] = []

    def RegisterHotKey(self, hwnd, hk_id, mods, vk):  # noqa: N802 - Win32 names
        self.calls.append(("register", hwnd, hk_id, mods, vk))
        return 1 if self.ok else 0

    def UnregisterHotKey(self, hwnd, hk_id):  # noqa: N802
        self.calls.append(("unregister", hwnd, hk_id))
        return 1


class FakeKernel32:
    def GetLastError(self):  # noqa: N802
        return win.ERROR_HOTKEY_ALREADY_REGISTERED


def _wm_hotkey(hotkey_id: int) -> tuple[win.MSG, int]:
    msg = win.MSG(None, win.WM_HOTKEY, hotkey_id, 0, 0, 0, 0)
    return msg, ctypes.addressof(msg)


def test_windows_registers_and_filters_wm_hotkey(qapp):
    user32 = FakeUser32()
    hk = win.WindowsHotkey(user32=user32, kernel32=FakeKernel32())
    hk.register(parse_chord("Ctrl+Alt+Space"))
    mods = win.MOD_CONTROL | win.MOD_ALT | win.MOD_NOREPEAT
    assert user32.calls == [("register", None, win.HOTKEY_ID, mods, 0x20)]
    fired = []
    hk.activated.connect(lambda: fired.append(True))
    msg, address = _wm_hotkey(win.HOTKEY_ID)
    assert hk.filter.nativeEventFilter(b"windows_generic_MSG", address) == (True, 0)
    other, other_address = _wm_hotkey(7)
    assert hk.filter.nativeEventFilter(b"windows_generic_MSG", other_address) == (False, 0)
    assert hk.filter.nativeEventFilter(b"xcb_generic_event_t", address) == (False, 0)
    assert fired == [True]
    hk.close()
    assert user32.calls[-1] == ("unregister", None, win.HOTKEY_ID)


def test_windows_virtual_keys():
    assert win.virtual_key(parse_chord("Ctrl+K")) == ord("K")
    assert win.virtual_key(parse_chord("Ctrl+F5")) == 0x74
    assert win.virtual_key(parse_chord("Ctrl+;")) == 0xBA


def test_windows_conflict_is_a_sentence(qapp):
    hk = win.WindowsHotkey(user32=FakeUser32(ok=False), kernel32=FakeKernel32())
    with pytest.raises(HotkeyError, match="already used by another application"):
        hk.register(parse_chord("Ctrl+Alt+Space"))
    hk.close()

