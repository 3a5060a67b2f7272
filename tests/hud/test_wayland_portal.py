"""The Wayland backend against a fake GlobalShortcuts portal on a private bus."""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest

from fhud_app.hud.hotkey import HotkeyError, parse_chord
from fhud_app.hud.hotkey import dbus_wire as wire
from fhud_app.hud.hotkey.wayland import (
    INTERFACE,
    OBJECT,
    SERVICE,
    WaylandHotkey,
    request_path,
    xdg_trigger,
)

SESSION = "/org/freedesktop/portal/desktop/session/1_1/fhud"


@pytest.fixture
def bus_address():
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed")
    proc = subprocess.Popen([daemon, "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    address = wire.session_address({"DBUS_SESSION_BUS_ADDRESS": proc.stdout.readline().strip()})
    yield address
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


class FakePortal(threading.Thread):
    """Answers CreateSession/BindShortcuts like xdg-desktop-portal; ``bind_code`` 1 = declined."""

    def __init__(self, address: str, bind_code: int = 0) -> None:
        super().__init__(daemon=True)
        self.bus = wire.Connection(address)
        self.bus.open()
        self.bus.sock.settimeout(0.05)
        self.bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "RequestName", "su", [SERVICE, 4])  # fmt: skip
        self.bind_code = bind_code
        self.bound: list = []
        self.client = ""
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                msg = self.bus._next_blocking()
            except (TimeoutError, BlockingIOError):
                continue
            if msg.type == wire.METHOD_CALL:
                self.handle(msg)

    def reply(self, msg: wire.Message, sig: str = "", body: list | None = None) -> None:
        headers = {"reply_serial": msg.serial, "destination": msg.sender, "signature": sig}
        self.bus.send(wire.Message(wire.METHOD_RETURN, headers=headers, body=body or []))

    def signal(self, path: str, iface: str, member: str, sig: str, body: list) -> None:
        headers = {"path": wire.ObjectPath(path), "interface": iface, "member": member,
                   "destination": self.client, "signature": sig}  # fmt: skip
        self.bus.send(wire.Message(wire.SIGNAL, headers=headers, body=body))

    def respond(self, msg: wire.Message, token: str, code: int, results: dict) -> None:
        path = request_path(msg.sender, token)
        self.reply(msg, "o", [wire.ObjectPath(path)])
        self.signal(path, "org.freedesktop.portal.Request", "Response", "ua{sv}", [code, results])

    def handle(self, msg: wire.Message) -> None:
        self.client = msg.sender
        if msg.member == "Get":
            self.reply(msg, "v", [wire.Variant("u", 1)])
        elif msg.member == "CreateSession":
            session = {"session_handle": wire.Variant("o", wire.ObjectPath(SESSION))}
            self.respond(msg, msg.body[0]["handle_token"], 0, session)
        elif msg.member == "BindShortcuts":
            self.bound.append(msg.body[1])
            self.respond(msg, msg.body[3]["handle_token"], self.bind_code, {})
        else:
            self.reply(msg)

    def activate(self) -> None:
        self.signal(OBJECT, INTERFACE, "Activated", "osta{sv}", [wire.ObjectPath(SESSION), "toggle-hud", 1, {}])


@pytest.fixture
def portal(bus_address):
    fake = FakePortal(bus_address)
    fake.start()
    yield fake
    fake.stop.set()
    fake.join()
    fake.bus.close()


def test_marshalling_round_trip():
    sig = "oa(sa{sv})sa{sv}"
    values = [wire.ObjectPath("/a"), [("id", {"description": wire.Variant("s", "x")})], "", {"n": 7}]
    writer = wire.Writer()
    writer.write(sig, values)
    assert wire.Reader(bytes(writer.buf)).read(sig) == ["/a", [("id", {"description": "x"})], "", {"n": 7}]
    assert wire.split_signature(sig) == ["o", "a(sa{sv})", "s", "a{sv}"]


def test_trigger_syntax():
    assert xdg_trigger(parse_chord("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert xdg_trigger(parse_chord("Meta+Shift+K")) == "SHIFT+LOGO+k"


def test_binds_the_chord_and_fires_on_activation(qtbot, portal, bus_address):
    hotkey = WaylandHotkey(address=bus_address)
    try:
        hotkey.register(parse_chord("Ctrl+Alt+Space"))
        qtbot.waitUntil(lambda: bool(portal.bound), timeout=5000)
        [(shortcut_id, spec)] = portal.bound[0]
        assert shortcut_id == "toggle-hud" and spec["preferred_trigger"] == "CTRL+ALT+space"
        with qtbot.waitSignal(hotkey.activated, timeout=5000):
            portal.activate()
    finally:
        hotkey.close()


def test_declined_shortcut_is_reported(qtbot, bus_address):
    fake = FakePortal(bus_address, bind_code=1)
    fake.start()
    hotkey = WaylandHotkey(address=bus_address)
    try:
        with qtbot.waitSignal(hotkey.failed, timeout=5000) as failed:
            hotkey.register(parse_chord("Ctrl+Alt+Space"))
        assert "declined" in failed.args[0] and hotkey.chord is None
    finally:
        hotkey.close()
        fake.stop.set()
        fake.join()
        fake.bus.close()


def test_no_portal_points_to_the_tray(qapp, bus_address, tmp_path):
    hotkey = WaylandHotkey(address=bus_address)  # a bus with no portal on it
    try:
        with pytest.raises(HotkeyError, match="tray icon"):
            hotkey.register(parse_chord("Ctrl+Alt+Space"))
    finally:
        hotkey.close()
    with pytest.raises(HotkeyError, match="tray icon"):
        WaylandHotkey(address=str(tmp_path / "no-bus"))
