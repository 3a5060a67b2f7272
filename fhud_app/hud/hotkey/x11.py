"""X11 global hotkey: ``XGrabKey`` on the root window through ctypes and libX11.

The backend opens its own Xlib connection (Qt talks xcb on another one), grabs
the chord once per combination of the lock modifiers (NumLock, CapsLock), and
watches the connection's file descriptor with a ``QSocketNotifier``: no thread,
no polling.  A chord another client already grabbed fails with ``BadAccess``,
which is caught by a temporary error handler and reported as a sentence.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from itertools import combinations

from PySide6.QtCore import QObject, QSocketNotifier

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, Mod, display

SHIFT_MASK, LOCK_MASK, CONTROL_MASK, MOD1_MASK, MOD2_MASK, MOD4_MASK = 1, 2, 4, 8, 16, 64
KEY_PRESS, KEY_RELEASE = 2, 3
GRAB_MODE_ASYNC = 1
BAD_ACCESS = 10
LOCK_VARIANTS = (LOCK_MASK, MOD2_MASK)  # CapsLock, NumLock

_MOD_MASKS = {Mod.CTRL: CONTROL_MASK, Mod.ALT: MOD1_MASK, Mod.SHIFT: SHIFT_MASK, Mod.META: MOD4_MASK}
_KEYSYMS = {
    "Space": "space", "Backspace": "BackSpace", "PageUp": "Prior", "PageDown": "Next",
    ",": "comma", ".": "period", ";": "semicolon", "'": "apostrophe", "/": "slash",
    "[": "bracketleft", "]": "bracketright", "-": "minus", "=": "equal", "`": "grave",
    "\\": "backslash",
}  # fmt: skip


class XErrorEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    ]


class XKeyEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("root", ctypes.c_ulong),
        ("subwindow", ctypes.c_ulong),
        ("time", ctypes.c_ulong),
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("x_root", ctypes.c_int),
        ("y_root", ctypes.c_int),
        ("state", ctypes.c_uint),
        ("keycode", ctypes.c_uint),
        ("same_screen", ctypes.c_int),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("type", ctypes.c_int), ("xkey", XKeyEvent), ("pad", ctypes.c_long * 24)]


ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(XErrorEvent))


def load_xlib() -> ctypes.CDLL:
    """libX11 with the prototypes this module uses (raises HotkeyError when absent)."""
    name = ctypes.util.find_library("X11")
    if not name:
        raise HotkeyError("libX11 is not installed, so the global hotkey is off: use the tray menu.")
    lib = ctypes.CDLL(name)
    vp, ul, i, ui = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_uint
    protos = {
        "XOpenDisplay": (vp, [ctypes.c_char_p]),
        "XCloseDisplay": (i, [vp]),
        "XDefaultRootWindow": (ul, [vp]),
        "XConnectionNumber": (i, [vp]),
        "XStringToKeysym": (ul, [ctypes.c_char_p]),
        "XKeysymToKeycode": (ctypes.c_ubyte, [vp, ul]),
        "XGrabKey": (i, [vp, i, ui, ul, i, i, i]),
        "XUngrabKey": (i, [vp, i, ui, ul]),
        "XSync": (i, [vp, i]),
        "XPending": (i, [vp]),
        "XNextEvent": (i, [vp, ctypes.POINTER(XEvent)]),
        "XSetErrorHandler": (vp, [vp]),
        "XkbSetDetectableAutoRepeat": (i, [vp, i, vp]),
    }
    for fname, (restype, argtypes) in protos.items():
        fn = getattr(lib, fname)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def modifier_variants(mask: int) -> list[int]:
    """``mask`` with every combination of CapsLock and NumLock added."""
    out = []
    for n in range(len(LOCK_VARIANTS) + 1):
        for combo in combinations(LOCK_VARIANTS, n):
            extra = 0
            for m in combo:
                extra |= m
            out.append(mask | extra)
    return out


def chord_mask(chord: Chord) -> int:
    return chord.mod_bits(_MOD_MASKS)


def keysym_name(chord: Chord) -> str:
    key = chord.key
    if key in _KEYSYMS:
        return _KEYSYMS[key]
    return key.lower() if len(key) == 1 else key


class X11Hotkey(HotkeyBackend):
    name = "x11"

    def __init__(self, parent: QObject | None = None, xlib: ctypes.CDLL | None = None) -> None:
        super().__init__(parent)
        self._x = xlib or load_xlib()
        self._dpy = self._x.XOpenDisplay(None)
        if not self._dpy:
            raise HotkeyError("cannot open the X display for the global hotkey: use the tray menu.")
        self._root = self._x.XDefaultRootWindow(self._dpy)
        self._x.XkbSetDetectableAutoRepeat(self._dpy, 1, None)
        self._grabs: list[tuple[int, int]] = []
        self._pressed = False
        self._errors: list[int] = []
        self._handler = ERROR_HANDLER(self._on_error)  # kept alive while installed
        self._event = XEvent()
        fd = self._x.XConnectionNumber(self._dpy)
        self._notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _on_error(self, _dpy: int, event: ctypes._Pointer) -> int:
        self._errors.append(int(event.contents.error_code))
        return 0

    def register(self, chord: Chord) -> None:
        self.unregister()
        keysym = self._x.XStringToKeysym(keysym_name(chord).encode())
        keycode = self._x.XKeysymToKeycode(self._dpy, keysym) if keysym else 0
        if not keycode:
            raise HotkeyError(f"this keyboard has no key for {display(chord)}: choose another hotkey.")
        self._errors.clear()
        old = self._x.XSetErrorHandler(ctypes.cast(self._handler, ctypes.c_void_p))
        try:
            for mask in modifier_variants(chord_mask(chord)):
                self._x.XGrabKey(self._dpy, keycode, mask, self._root, 0, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC)
                self._grabs.append((keycode, mask))
            self._x.XSync(self._dpy, 0)
        finally:
            self._x.XSetErrorHandler(old)
        if self._errors:
            taken = BAD_ACCESS in self._errors
            self.unregister()
            if taken:
                raise HotkeyError(
                    f"{display(chord)} is already used by another application: "
                    "choose another hotkey in Preferences."
                )
            raise HotkeyError(f"the X server refused the hotkey {display(chord)} (error {self._errors[0]}).")
        self.chord = chord

    def unregister(self) -> None:
        if not self._grabs:
            self.chord = None
            return
        for keycode, mask in self._grabs:
            self._x.XUngrabKey(self._dpy, keycode, mask, self._root)
        self._grabs.clear()
        self._x.XSync(self._dpy, 0)
        self.chord = None

    def _drain(self) -> None:
        while self._x.XPending(self._dpy):
            self._x.XNextEvent(self._dpy, ctypes.byref(self._event))
            kind = self._event.type
            if kind == KEY_PRESS and not self._pressed:
                self._pressed = True  # auto-repeat sends presses only: fire once per press
                self.activated.emit()
            elif kind == KEY_RELEASE:
                self._pressed = False

    def close(self) -> None:
        self.unregister()
        self._notifier.setEnabled(False)
        if self._dpy:
            self._x.XCloseDisplay(self._dpy)
            self._dpy = None
