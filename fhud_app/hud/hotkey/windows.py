"""Windows global hotkey: ``RegisterHotKey`` plus a Qt native event filter.

Registered with no window, the ``WM_HOTKEY`` message goes to the GUI thread's
queue, where Qt hands it to :class:`_HotkeyFilter` before dispatching.
``MOD_NOREPEAT`` keeps a held chord from firing again and again.
"""

from __future__ import annotations

import ctypes
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, QObject

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, Mod, display

WM_HOTKEY = 0x0312
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0xF4D0

_MOD_BITS = {Mod.ALT: MOD_ALT, Mod.CTRL: MOD_CONTROL, Mod.SHIFT: MOD_SHIFT, Mod.META: MOD_WIN}
_NAMED = {
    "Space": 0x20, "Return": 0x0D, "Tab": 0x09, "Escape": 0x1B, "Backspace": 0x08,
    "Delete": 0x2E, "Insert": 0x2D, "Home": 0x24, "End": 0x23, "PageUp": 0x21,
    "PageDown": 0x22, "Left": 0x25, "Up": 0x26, "Right": 0x27, "Down": 0x28,
    ";": 0xBA, "=": 0xBB, ",": 0xBC, "-": 0xBD, ".": 0xBE, "/": 0xBF, "`": 0xC0,
    "[": 0xDB, "\\": 0xDC, "]": 0xDD, "'": 0xDE,
}  # fmt: skip


class MSG(ctypes.Structure):
    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
        ("time", ctypes.c_uint32),
        ("pt_x", ctypes.c_long),
        ("pt_y", ctypes.c_long),
    ]


def virtual_key(chord: Chord) -> int:
    key = chord.key
    if len(key) == 1 and key.isalnum():
        return ord(key)
    if key.startswith("F") and key[1:].isdigit():
        return 0x70 + int(key[1:]) - 1
    return _NAMED[key]


def win_modifiers(chord: Chord) -> int:
    return chord.mod_bits(_MOD_BITS, base=MOD_NOREPEAT)


class _HotkeyFilter(QAbstractNativeEventFilter):
    def __init__(self, owner: WindowsHotkey) -> None:
        super().__init__()
        self._owner = owner

    def nativeEventFilter(self, event_type: QByteArray | bytes, message: int) -> tuple[bool, int]:
        if bytes(event_type) != b"windows_generic_MSG" or not message:
            return False, 0
        msg = MSG.from_address(int(message))
        if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID and self._owner.chord is not None:
            self._owner.activated.emit()
            return True, 0
        return False, 0


class WindowsHotkey(HotkeyBackend):
    name = "windows"

    def __init__(self, parent: QObject | None = None, user32: Any = None, kernel32: Any = None) -> None:
        super().__init__(parent)
        windll = getattr(ctypes, "windll", None)
        self._user32 = user32 if user32 is not None else windll.user32
        self._kernel32 = kernel32 if kernel32 is not None else windll.kernel32
        self._registered = False
        self.filter = _HotkeyFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.installNativeEventFilter(self.filter)

    def register(self, chord: Chord) -> None:
        self.unregister()
        if not self._user32.RegisterHotKey(None, HOTKEY_ID, win_modifiers(chord), virtual_key(chord)):
            code = self._kernel32.GetLastError()
            if code == ERROR_HOTKEY_ALREADY_REGISTERED:
                raise HotkeyError(
                    f"{display(chord, 'win32')} is already used by another application: "
                    "choose another hotkey in Preferences."
                )
            raise HotkeyError(f"Windows refused the hotkey {display(chord, 'win32')} (error {code}).")
        self._registered = True
        self.chord = chord

    def unregister(self) -> None:
        if self._registered:
            self._user32.UnregisterHotKey(None, HOTKEY_ID)
            self._registered = False
        self.chord = None

    def close(self) -> None:
        self.unregister()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeNativeEventFilter(self.filter)
