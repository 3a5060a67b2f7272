"""macOS global hotkey: Carbon ``RegisterEventHotKey`` through ctypes.

Carbon hotkeys need no Accessibility permission (global event monitors and
pynput do).  Qt runs the Cocoa run loop, which dispatches the Carbon event to
the handler installed on the application event target, on the main thread.
macOS 15.0–15.1 refuse Option/Shift-only chords; :func:`chords.validate` says
so before we ask.
"""

from __future__ import annotations

import ctypes
from typing import Any

from PySide6.QtCore import QObject

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, ChordError, Mod, display, validate

CARBON_PATH = "/System/Library/Frameworks/Carbon.framework/Carbon"
K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
K_EVENT_HOTKEY_PRESSED = 5
SIGNATURE = int.from_bytes(b"fHUD", "big")
EVENT_HOTKEY_EXISTS_ERR = -9878
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x0100, 0x0200, 0x0800, 0x1000

_MOD_BITS = {Mod.META: CMD_KEY, Mod.SHIFT: SHIFT_KEY, Mod.ALT: OPTION_KEY, Mod.CTRL: CONTROL_KEY}
# Virtual key codes (HIToolbox/Events.h, ANSI layout).
_LETTERS = dict(zip("ASDFHGZXCV", range(0x00, 0x0A), strict=True))
_LETTERS.update(dict(zip("BQWERYT", range(0x0B, 0x12), strict=True)))
_LETTERS.update({"O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25, "J": 0x26, "K": 0x28,
                 "N": 0x2D, "M": 0x2E})  # fmt: skip
_DIGITS = {"1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
           "7": 0x1A, "8": 0x1C, "0": 0x1D}  # fmt: skip
_NAMED = {
    "Space": 0x31, "Return": 0x24, "Tab": 0x30, "Escape": 0x35, "Backspace": 0x33,
    "Delete": 0x75, "Insert": 0x72, "Home": 0x73, "End": 0x77, "PageUp": 0x74,
    "PageDown": 0x79, "Left": 0x7B, "Right": 0x7C, "Down": 0x7D, "Up": 0x7E,
    "=": 0x18, "-": 0x1B, "]": 0x1E, "[": 0x21, "'": 0x27, ";": 0x29, "\\": 0x2A,
    ",": 0x2B, "/": 0x2C, ".": 0x2F, "`": 0x32,
}  # fmt: skip
_FKEYS = [0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D, 0x67, 0x6F,
          0x69, 0x6B, 0x71, 0x6A, 0x40, 0x4F, 0x50, 0x5A]  # fmt: skip


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def keycode(chord: Chord) -> int:
    key = chord.key
    if key in _LETTERS:
        return _LETTERS[key]
    if key in _DIGITS:
        return _DIGITS[key]
    if key in _NAMED:
        return _NAMED[key]
    if key.startswith("F") and int(key[1:]) <= len(_FKEYS):
        return _FKEYS[int(key[1:]) - 1]
    raise HotkeyError(f"{display(chord, 'darwin')} has no Mac key code: choose another hotkey.")


def carbon_modifiers(chord: Chord) -> int:
    return chord.mod_bits(_MOD_BITS)


def load_carbon() -> Any:
    lib = ctypes.CDLL(CARBON_PATH)
    vp, u32 = ctypes.c_void_p, ctypes.c_uint32
    lib.GetApplicationEventTarget.restype = vp
    lib.InstallEventHandler.argtypes = [vp, HANDLER, u32, ctypes.POINTER(EventTypeSpec), vp, ctypes.POINTER(vp)]
    lib.RegisterEventHotKey.argtypes = [u32, u32, EventHotKeyID, vp, u32, ctypes.POINTER(vp)]
    lib.UnregisterEventHotKey.argtypes = [vp]
    lib.RemoveEventHandler.argtypes = [vp]
    for fn in ("InstallEventHandler", "RegisterEventHotKey", "UnregisterEventHotKey", "RemoveEventHandler"):
        getattr(lib, fn).restype = ctypes.c_int32
    return lib


class MacHotkey(HotkeyBackend):
    name = "macos"

    def __init__(self, parent: QObject | None = None, carbon: Any = None) -> None:
        super().__init__(parent)
        self._carbon = carbon if carbon is not None else load_carbon()
        self._callback = HANDLER(self._on_event)  # kept alive while installed
        self._handler_ref = ctypes.c_void_p()
        self._hotkey_ref = ctypes.c_void_p()
        self._next_id = 1
        spec = EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOTKEY_PRESSED)
        target = self._carbon.GetApplicationEventTarget()
        status = self._carbon.InstallEventHandler(
            target, self._callback, 1, ctypes.byref(spec), None, ctypes.byref(self._handler_ref)
        )
        if status != 0:
            raise HotkeyError(f"macOS refused the hotkey handler (status {status}): use the menu-bar icon.")
        self._target = target

    def _on_event(self, _call_ref: int, _event: int, _user: int) -> int:
        if self.chord is not None:
            self.activated.emit()
        return 0

    def register(self, chord: Chord) -> None:
        self.unregister()
        try:
            validate(chord, "darwin")
        except ChordError as exc:
            raise HotkeyError(str(exc)) from None
        hotkey_id = EventHotKeyID(SIGNATURE, self._next_id)
        self._next_id += 1
        status = self._carbon.RegisterEventHotKey(
            keycode(chord), carbon_modifiers(chord), hotkey_id, self._target, 0,
            ctypes.byref(self._hotkey_ref),
        )  # fmt: skip
        if status == EVENT_HOTKEY_EXISTS_ERR:
            raise HotkeyError(
                f"{display(chord, 'darwin')} is already used by another app: choose another hotkey."
            )
        if status != 0:
            raise HotkeyError(f"macOS refused the hotkey {display(chord, 'darwin')} (status {status}).")
        self.chord = chord

    def unregister(self) -> None:
        if self._hotkey_ref.value:
            self._carbon.UnregisterEventHotKey(self._hotkey_ref)
            self._hotkey_ref = ctypes.c_void_p()
        self.chord = None

    def close(self) -> None:
        self.unregister()
        if self._handler_ref.value:
            self._carbon.RemoveEventHandler(self._handler_ref)
            self._handler_ref = ctypes.c_void_p()
