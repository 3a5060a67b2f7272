"""Wayland: the compositor owns global keys; apps ask through the
xdg-desktop-portal ``GlobalShortcuts`` interface on the session bus.

Flow: ``CreateSession`` → (Response) → ``BindShortcuts`` with the preferred
trigger → (Response; the desktop may ask the person to approve or change the
key) → ``Activated`` signals.  Every answer comes asynchronously through the
bus socket, watched by a ``QSocketNotifier``.  The messages are built and parsed
by ``jeepney`` (pure-Python D-Bus; PySide6's QtDBus cannot marshal the portal's
``a(sa{sv})``).  Without a portal, :meth:`register` says so and the tray's
Show/Hide remains.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageType,
    message_bus,
    new_method_call,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from PySide6.QtCore import QObject, QSocketNotifier

from fhud_app.hud.hotkey.base import HotkeyBackend, HotkeyError
from fhud_app.hud.hotkey.chords import Chord, Mod

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.portal.Desktop"
OBJECT = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
PORTAL = DBusAddress(OBJECT, bus_name=SERVICE, interface=INTERFACE)
SHORTCUT_ID = "toggle-hud"
CALL_TIMEOUT_S = 2.0
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


def unwrap(variants: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    """``a{sv}`` as jeepney reads it (``{key: (signature, value)}``) → ``{key: value}``."""
    return {k: v[1] for k, v in variants.items()}


def _field(msg: Message, name: HeaderFields) -> Any:
    return msg.header.fields.get(name)


class WaylandHotkey(HotkeyBackend):
    name = "wayland"

    def __init__(self, parent: QObject | None = None, address: str | None = None) -> None:
        """``address``: a D-Bus address (default: ``DBUS_SESSION_BUS_ADDRESS``)."""
        super().__init__(parent)
        address = address or os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            raise HotkeyError(NO_PORTAL)
        try:
            self._bus: DBusConnection = open_dbus_connection(address)
        except (OSError, RuntimeError, ValueError):  # no bus there, or an address we cannot use
            log.debug("no session bus at %s", address, exc_info=True)
            raise HotkeyError(NO_PORTAL) from None
        self._waiting: dict[str, Callable[[int, dict], None]] = {}  # request path → handler
        self._replies: dict[int, Callable[[Message], None]] = {}  # serial → handler
        self._session: str | None = None
        self._tokens = 0
        self._notifier = QSocketNotifier(self._bus.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for rule in (MatchRule(type="signal", interface=REQUEST, member="Response"),
                     MatchRule(type="signal", interface=INTERFACE, member="Activated")):  # fmt: skip
            self._bus.send(message_bus.AddMatch(rule))

    # ------------------------------------------------------------------ requests
    def _token(self) -> str:
        self._tokens += 1
        return f"fhud{self._tokens}"

    def _request(self, member: str, sig: str, body: tuple, token: str,
                 on_response: Callable[[int, dict], None]) -> None:  # fmt: skip
        """Call a portal method whose answer arrives as a Request.Response signal."""
        self._waiting[request_path(self._bus.unique_name, token)] = on_response
        serial = next(self._bus.outgoing_serial)
        self._replies[serial] = self._on_reply
        self._bus.send(new_method_call(PORTAL, member, sig, body), serial=serial)

    def _on_reply(self, msg: Message) -> None:
        if msg.header.message_type == MessageType.error:
            self._fail(f"the desktop refused the global shortcut ({_field(msg, HeaderFields.error_name)}).")
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
        """The portal's interface version; None when there is no portal on the bus."""
        props = DBusAddress(OBJECT, bus_name=SERVICE, interface="org.freedesktop.DBus.Properties")
        try:
            reply = self._bus.send_and_get_reply(new_method_call(props, "Get", "ss", (INTERFACE, "version")),
                                                 timeout=CALL_TIMEOUT_S)  # fmt: skip
        except (OSError, TimeoutError):
            log.debug("no answer from the portal", exc_info=True)
            return None
        if reply.header.message_type == MessageType.error or not reply.body:
            return None
        return int(reply.body[0][1])  # a variant: (signature, value)

    def register(self, chord: Chord) -> None:
        if self.portal_version() is None:
            raise HotkeyError(NO_PORTAL)
        self.chord = chord
        if self._session is not None:  # a session binds once: start a fresh one
            self._close_session()
        token = self._token()
        options = {"handle_token": ("s", token), "session_handle_token": ("s", f"fhud_session{self._tokens}")}
        self._request("CreateSession", "a{sv}", (options,), token, self._on_session)

    def _on_session(self, code: int, results: dict) -> None:
        if code != 0 or "session_handle" not in results:
            self._fail("the desktop did not open a global-shortcut session: use the tray icon.")
            return
        self._session = str(results["session_handle"])
        chord = self.chord
        if chord is None:
            return
        spec = {"description": ("s", "Show or hide the fHUD"), "preferred_trigger": ("s", xdg_trigger(chord))}
        token = self._token()
        body = (self._session, [(SHORTCUT_ID, spec)], "", {"handle_token": ("s", token)})
        self._request("BindShortcuts", "oa(sa{sv})sa{sv}", body, token, self._on_bound)

    def _on_bound(self, code: int, _results: dict) -> None:
        if code == 1:
            self._fail("the global shortcut was declined: use the tray icon, or accept it in the desktop's settings.")
        elif code != 0:
            self._fail("the desktop could not bind the global shortcut: use the tray icon.")

    # ------------------------------------------------------------------ events
    def _drain(self) -> None:
        """Handle every message the socket holds now (the notifier saw it readable)."""
        while True:
            try:
                msg = self._bus.receive(timeout=0)
            except TimeoutError:
                return
            except OSError:  # the bus went away: no more shortcuts
                log.exception("the session bus closed")
                self._notifier.setEnabled(False)
                return
            self._dispatch(msg)

    def _dispatch(self, msg: Message) -> None:
        kind = msg.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            handler = self._replies.pop(_field(msg, HeaderFields.reply_serial), None)
            if handler is not None:
                handler(msg)
            return
        if kind != MessageType.signal:
            return
        member, path = _field(msg, HeaderFields.member), _field(msg, HeaderFields.path)
        if member == "Response" and path in self._waiting:
            handler = self._waiting.pop(path)
            handler(int(msg.body[0]), unwrap(msg.body[1]) if len(msg.body) > 1 else {})
        elif member == "Activated" and msg.body[:2] == (self._session, SHORTCUT_ID) and self.chord is not None:
            self.activated.emit()

    def _close_session(self) -> None:
        if self._session is not None:
            session = DBusAddress(self._session, bus_name=SERVICE, interface="org.freedesktop.portal.Session")
            self._bus.send(new_method_call(session, "Close"))
            self._session = None

    def unregister(self) -> None:
        self._close_session()
        self.chord = None

    def close(self) -> None:
        try:
            self.unregister()
        except OSError:  # the bus is gone already
            log.debug("closing the portal session", exc_info=True)
        self._notifier.setEnabled(False)
        self._bus.close()
