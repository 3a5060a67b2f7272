"""Global hotkeys: one backend per platform, picked by :func:`select_backend`.

No backend asks for extra permissions: Carbon on macOS, ``RegisterHotKey`` on
Windows, ``XGrabKey`` on X11, the xdg-desktop-portal GlobalShortcuts interface
on Wayland.  Where none works, the tray's Show/Hide action remains.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, ChordError, Mod, display, parse_chord, validate

BACKENDS = {
    "macos": ("fhud_app.hud.hotkey.macos", "MacHotkey"),
    "windows": ("fhud_app.hud.hotkey.windows", "WindowsHotkey"),
    "x11": ("fhud_app.hud.hotkey.x11", "X11Hotkey"),
    "wayland": ("fhud_app.hud.hotkey.wayland", "WaylandHotkey"),
}

__all__ = [
    "BACKENDS", "Chord", "ChordError", "GlobalHotkey", "HotkeyBackend", "HotkeyError", "Mod",
    "create_backend", "display", "parse_chord", "select_backend", "validate",
]  # fmt: skip


def select_backend(
    plat: str | None = None, env: Mapping[str, str] | None = None, qt_platform: str = ""
) -> str | None:
    """The backend name for this session, or None when there is no way to grab keys."""
    plat = plat or sys.platform
    env = os.environ if env is None else env
    if plat == "darwin":
        return "macos"
    if plat.startswith("win"):
        return "windows"
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or qt_platform.startswith("wayland")
    if wayland and env.get("WAYLAND_DISPLAY"):
        return "wayland"  # XWayland grabs only see keys while an X window has focus
    if env.get("DISPLAY"):
        return "x11"
    return None


def create_backend(name: str | None, parent: QObject | None = None) -> HotkeyBackend:
    """Instantiate a backend by name; raises :class:`HotkeyError` when there is none."""
    if name is None:
        raise HotkeyError("no global-hotkey service on this desktop: use the tray icon's Show/Hide.")
    module, cls = BACKENDS[name]
    return getattr(importlib.import_module(module), cls)(parent)


class GlobalHotkey(QObject):
    """The app's one global hotkey: this desktop's backend, made on the first :meth:`bind`."""

    activated = Signal()
    failed = Signal(str)  # a late failure (the Wayland portal answers asynchronously)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend: HotkeyBackend | None = None

    @property
    def chord(self) -> Chord | None:
        return None if self.backend is None else self.backend.chord

    def bind(self, text: str) -> str:
        """Register chord ``text`` (replacing the one before); how a person writes it.
        Raises :class:`ChordError` (a sentence) when it cannot work here."""
        chord = parse_chord(text)
        validate(chord)
        if self.backend is None:
            self.backend = create_backend(select_backend(qt_platform=QGuiApplication.platformName()), self)
            self.backend.activated.connect(self.activated)
            self.backend.failed.connect(self.failed)
        self.backend.bind(chord)
        return display(chord)

    def close(self) -> None:
        """Release the chord and the backend (idempotent)."""
        if self.backend is not None:
            self.backend.close()
            self.backend = None
