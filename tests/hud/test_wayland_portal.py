"""The Wayland backend against a fake GlobalShortcuts portal on a private bus."""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    message_bus,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import Proxy, open_dbus_connection

from fhud_app.hud.hotkey import HotkeyError, parse_chord
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
    address = proc.stdout.readline().strip()
    yield address
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


class FakePortal(threading.Thread):
    """Answers CreateSession/BindShortcuts like xdg-desktop-portal; ``bind_code`` 1 = declined."""

    def __init__(self, address: str, bind_code: int = 0) -> None:
        super().__init__(daemon=True)
        self.bus = open_dbus_connection(address)
        Proxy(message_bus, self.bus).RequestName(SERVICE, 4)
        self.bind_code = bind_code
        self.bound: list = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                msg = self.bus.receive(timeout=0.05)
            except TimeoutError:
                continue
            if msg.header.message_type == MessageType.method_call:
                self.handle(msg)

    def reply(self, msg: Message, sig: str | None = None, body: tuple = ()) -> None:
        self.bus.send(new_method_return(msg, sig, body))

    def signal(self, path: str, iface: str, member: str, sig: str, body: tuple) -> None:
        self.bus.send(new_signal(DBusAddress(path, interface=iface), member, sig, body))

    def respond(self, msg: Message, token: str, code: int, results: dict) -> None:
        path = request_path(msg.header.fields[HeaderFields.sender], token)
        self.reply(msg, "o", (path,))
        self.signal(path, "org.freedesktop.portal.Request", "Response", "ua{sv}", (code, results))

    def handle(self, msg: Message) -> None:
        member = msg.header.fields[HeaderFields.member]
        if member == "Get":
            self.reply(msg, "v", (("u", 1),))
        elif member == "CreateSession":
            token = msg.body[0]["handle_token"][1]
            self.respond(msg, token, 0, {"session_handle": ("o", SESSION)})
        elif member == "BindShortcuts":
            self.bound.append(msg.body[1])
            self.respond(msg, msg.body[3]["handle_token"][1], self.bind_code, {})
        else:
            self.reply(msg)

    def activate(self) -> None:
        self.signal(OBJECT, INTERFACE, "Activated", "osta{sv}", (SESSION, "toggle-hud", 1, {}))


@pytest.fixture
def portal(bus_address):
    fake = FakePortal(bus_address)
    fake.start()
    yield fake
    fake.stop.set()
    fake.join()
    fake.bus.close()


def test_trigger_syntax():
    assert xdg_trigger(parse_chord("Ctrl+Alt+Space")) == "CTRL+ALT+space"
    assert xdg_trigger(parse_chord("Meta+Shift+K")) == "SHIFT+LOGO+k"


def test_binds_the_chord_and_fires_on_activation(qtbot, portal, bus_address):
    hotkey = WaylandHotkey(address=bus_address)
    try:
        hotkey.register(parse_chord("Ctrl+Alt+Space"))
        qtbot.waitUntil(lambda: bool(portal.bound), timeout=5000)
        [(shortcut_id, spec)] = portal.bound[0]
        assert shortcut_id == "toggle-hud" and spec["preferred_trigger"] == ("s", "CTRL+ALT+space")
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
        WaylandHotkey(address=f"unix:path={tmp_path / 'no-bus'}")
