"""Wayland: global shortcuts belong to the compositor, reached through the
xdg-desktop-portal ``GlobalShortcuts`` interface.

This backend asks the session bus (QtDBus) whether the portal offers the
interface and which version, and turns the answer into a sentence a person can
act on: where there is no portal the tray icon's Show/Hide is the way in, and
the desktop's own keyboard settings can bind a shortcut to it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, Mod

SERVICE = "org.freedesktop.portal.Desktop"
OBJECT = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
_XDG_MODS = ((Mod.CTRL, "CTRL"), (Mod.ALT, "ALT"), (Mod.SHIFT, "SHIFT"), (Mod.META, "LOGO"))
_XDG_KEYS = {"Space": "space", "Return": "Return", "Escape": "Escape", "Backspace": "BackSpace",
             "PageUp": "Page_Up", "PageDown": "Page_Down"}  # fmt: skip


def xdg_trigger(chord: Chord) -> str:
    """The chord in the shortcut syntax of the XDG spec (``CTRL+ALT+space``)."""
    mods = [name for mod, name in _XDG_MODS if mod in chord.mods]
    key = _XDG_KEYS.get(chord.key, chord.key.lower() if len(chord.key) == 1 else chord.key)
    return "+".join([*mods, key])


def portal_version(bus: QDBusConnection | None = None) -> int | None:
    """The GlobalShortcuts portal's version on the session bus, or None when absent."""
    bus = bus if bus is not None else QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    props = QDBusInterface(SERVICE, OBJECT, "org.freedesktop.DBus.Properties", bus)
    reply = props.call("Get", INTERFACE, "version")
    if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
        return None
    try:
        return int(reply.arguments()[0])
    except (TypeError, ValueError):
        return None


class WaylandHotkey(HotkeyBackend):
    name = "wayland"

    def __init__(self, parent: QObject | None = None, bus: QDBusConnection | None = None) -> None:
        super().__init__(parent)
        self._bus = bus

    def register(self, chord: Chord) -> None:
        version = portal_version(self._bus)
        if version is None:
            raise HotkeyError(
                "this Wayland desktop offers no global-shortcut portal: show and hide the HUD from "
                "the tray icon, or bind a key to it in the desktop's keyboard settings."
            )
        raise HotkeyError(
            f"Wayland lets the desktop own global keys: approve {xdg_trigger(chord)} for fHUD in the "
            f"desktop's keyboard settings (GlobalShortcuts portal v{version}); the tray icon's "
            "Show/Hide works meanwhile."
        )

    def unregister(self) -> None:
        self.chord = None

    def close(self) -> None:
        self.unregister()
