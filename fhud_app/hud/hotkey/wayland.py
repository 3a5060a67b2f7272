"""Wayland: the compositor owns global keys; apps ask through the
xdg-desktop-portal ``GlobalShortcuts`` interface on the session bus.

Flow: ``CreateSession`` → (Response) → ``BindShortcuts`` with the preferred
trigger → (Response; the desktop may ask the person to approve or change the
key) → ``Activated`` signals.  Every answer comes asynchronously through the
bus socket, watched by a ``QSocketNotifier``.  The messages are built by
:mod:`dbus_wire` because PySide6's QtDBus cannot marshal ``a(sa{sv})``.
Without a portal, :meth:`register` says so and the tray's Show/Hide remains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

from fhud_app.hud.hotkey import dbus_wire as wire
from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, Mod

SERVICE = "org.freedesktop.portal.Desktop"
OBJECT = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SHORTCUT_ID = "toggle-hud"
NO_PORTAL = (
    "this Wayland desktop offers no global-shortcut portal: show and hide the HUD from the tray "
    "icon, or bind a key to it in the desktop's keyboard settings."
)
_XDG_MODS = ((Mod.CTRL, "CTRL"), (Mod.ALT, "ALT"), (Mod.SHIFT, "SHIFT"), (Mod.META, "LOGO"))
_XDG_KEYS = {"Space": "space", "Backspace": "BackSpace", "PageUp": "Page_Up", "PageDown": "Page_Down"}


def xdg_trigger(chord: Chord) -> str:
    """The chord in the XDG shortcut syntax (``CTRL+ALT+space``)."""
    mods = [name for mod, name in _XDG_MODS if mod in chord.mods]
    key = _XDG_KEYS.get(chord.key, chord.key.lower() if len(chord.key) == 1 else chord.key)
    return "+".join([*mods, key])


def request_path(unique_name: str, token: str) -> str:
    """Where the portal will answer a request made with ``handle_token=token``."""
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{OBJECT}/request/{sender}/{token}"


class WaylandHotkey(HotkeyBackend):
    name = "wayland"

    def __init__(self, parent: QObject | None = None, address: str | None = None) -> None:
        super().__init__(parent)
        address = address or wire.session_address()
        if not address:
            raise HotkeyError(NO_PORTAL)
        try:
            self._bus = wire.Connection(address)
        except OSError:
            raise HotkeyError(NO_PORTAL) from None
        try:
            self._bus.open()
        except (OSError, wire.DBusError):
            self._bus.close()
            raise HotkeyError(NO_PORTAL) from None
        self._waiting: dict[str, Callable[[int, dict], None]] = {}
        self._session: str | None = None
        self._tokens = 0
        self._notifier = QSocketNotifier(self._bus.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for rule in (f"type='signal',interface='{REQUEST}',member='Response'",
                     f"type='signal',interface='{INTERFACE}',member='Activated'"):  # fmt: skip
            self._bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                           "AddMatch", "s", [rule])  # fmt: skip

    # ------------------------------------------------------------------ requests
    def _token(self) -> str:
        self._tokens += 1
        return f"fhud{self._tokens}"

    def _request(self, member: str, sig: str, body: list[Any], token: str,
                 on_response: Callable[[int, dict], None]) -> None:  # fmt: skip
        """Call a portal method whose answer arrives as a Request.Response signal."""
        self._waiting[request_path(self._bus.unique_name, token)] = on_response
        self._bus.call(SERVICE, OBJECT, INTERFACE, member, sig, body, on_reply=self._on_reply)

    def _on_reply(self, msg: wire.Message) -> None:
        if msg.type == wire.ERROR:
            self._fail(f"the desktop refused the global shortcut ({msg.error_name}).")
        elif msg.body and msg.body[0] not in self._waiting:
            # Old portals answer on a path of their own choosing.
            handlers = list(self._waiting.values())
            if handlers:
                self._waiting = {msg.body[0]: handlers[-1]}

    def _fail(self, text: str) -> None:
        self.chord = None
        self.failed.emit(text)

    # ------------------------------------------------------------------ registration
    def portal_version(self) -> int | None:
        try:
            self._bus.sock.setblocking(True)
            reply = self._bus.call_blocking(SERVICE, OBJECT, "org.freedesktop.DBus.Properties", "Get",
                                            "ss", [INTERFACE, "version"])  # fmt: skip
        except (OSError, wire.DBusError):
            return None
        finally:
            self._bus.sock.setblocking(False)
        return int(reply.body[0]) if reply.body else None

    def register(self, chord: Chord) -> None:
        if self.portal_version() is None:
            raise HotkeyError(NO_PORTAL)
        self.chord = chord
        if self._session is not None:  # a session binds once: start a fresh one
            self._close_session()
        token = self._token()
        options = {"handle_token": token, "session_handle_token": f"fhud_session{self._tokens}"}
        self._request("CreateSession", "a{sv}", [options], token, self._on_session)

    def _on_session(self, code: int, results: dict) -> None:
        if code != 0 or "session_handle" not in results:
            self._fail("the desktop did not open a global-shortcut session: use the tray icon.")
            return
        self._session = str(results["session_handle"])
        chord = self.chord
        if chord is None:
            return
        spec = {"description": "Show or hide the fHUD", "preferred_trigger": xdg_trigger(chord)}
        token = self._token()
        body = [wire.ObjectPath(self._session), [(SHORTCUT_ID, spec)], "", {"handle_token": token}]
        self._request("BindShortcuts", "oa(sa{sv})sa{sv}", body, token, self._on_bound)

    def _on_bound(self, code: int, _results: dict) -> None:
        if code == 1:
            self._fail("the global shortcut was declined: use the tray icon, or accept it in the desktop's settings.")
        elif code != 0:
            self._fail("the desktop could not bind the global shortcut: use the tray icon.")

    # ------------------------------------------------------------------ events
    def _drain(self) -> None:
        for msg in self._bus.read_messages():
            if msg.type != wire.SIGNAL:
                continue
            if msg.member == "Response" and msg.path in self._waiting:
                handler = self._waiting.pop(msg.path)
                handler(int(msg.body[0]), dict(msg.body[1]) if len(msg.body) > 1 else {})
            elif (msg.member == "Activated" and msg.body[:2] == [self._session, SHORTCUT_ID]
                  and self.chord is not None):  # fmt: skip
                self.activated.emit()

    def _close_session(self) -> None:
        if self._session is not None:
            self._bus.call(SERVICE, self._session, "org.freedesktop.portal.Session", "Close")
            self._session = None

    def unregister(self) -> None:
        self._close_session()
        self.chord = None

    def close(self) -> None:
        self.unregister()
        self._notifier.setEnabled(False)
        self._bus.close()
