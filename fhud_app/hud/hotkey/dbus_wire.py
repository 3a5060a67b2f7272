"""A minimal D-Bus client on the wire: enough for the GlobalShortcuts portal.

PySide6's QtDBus cannot marshal the portal's ``a(sa{sv})`` argument (it
rejects Python tuples and crashes on hand-built ``QDBusArgument`` arrays), so
this module speaks the protocol itself: SASL EXTERNAL auth, little-endian
marshalling of the basic and container types, method calls, replies and
signals.  Qt-free; the caller watches :attr:`Connection.fileno` (a
``QSocketNotifier``) and calls :meth:`Connection.read_messages`.
"""

from __future__ import annotations

import os
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

METHOD_CALL, METHOD_RETURN, ERROR, SIGNAL = 1, 2, 3, 4
NO_REPLY_EXPECTED = 0x1
_FIELDS = {1: ("path", "o"), 2: ("interface", "s"), 3: ("member", "s"), 4: ("error_name", "s"),
           5: ("reply_serial", "u"), 6: ("destination", "s"), 7: ("sender", "s"), 8: ("signature", "g")}  # fmt: skip
_CODES = {name: (code, sig) for code, (name, sig) in _FIELDS.items()}
_FIXED = {"y": ("B", 1), "b": ("I", 4), "n": ("h", 2), "q": ("H", 2), "i": ("i", 4), "u": ("I", 4),
          "x": ("q", 8), "t": ("Q", 8), "d": ("d", 8), "h": ("I", 4)}  # fmt: skip
_ALIGN = {**{k: v[1] for k, v in _FIXED.items()}, "s": 4, "o": 4, "g": 1, "v": 1, "a": 4, "(": 8, "{": 8}


class DBusError(Exception):
    pass


class ObjectPath(str):
    """A string marshalled as ``o``."""


@dataclass(frozen=True)
class Variant:
    signature: str
    value: Any


def split_signature(sig: str) -> list[str]:
    """``"sa{sv}(ii)"`` → ``["s", "a{sv}", "(ii)"]``."""
    out, i = [], 0
    while i < len(sig):
        j = _type_end(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def _type_end(sig: str, i: int) -> int:
    c = sig[i]
    if c == "a":
        return _type_end(sig, i + 1)
    if c in "({":
        close, depth, j = {"(": ")", "{": "}"}[c], 0, i
        while True:
            if sig[j] == c:
                depth += 1
            elif sig[j] == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
    return i + 1


def guess_signature(value: Any) -> str:
    if isinstance(value, Variant):
        return "v"
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int):
        return "u" if value >= 0 else "i"
    if isinstance(value, float):
        return "d"
    if isinstance(value, ObjectPath):
        return "o"
    if isinstance(value, str):
        return "s"
    raise DBusError(f"cannot guess a D-Bus type for {type(value).__name__}")


class Writer:
    def __init__(self) -> None:
        self.buf = bytearray()

    def pad(self, n: int) -> None:
        self.buf.extend(b"\0" * (-len(self.buf) % n))

    def write(self, sig: str, values: list[Any]) -> None:
        """One value per complete type of ``sig``."""
        for one, item in zip(split_signature(sig), values, strict=True):
            self._one(one, item)

    def _one(self, t: str, v: Any) -> None:
        c = t[0]
        self.pad(_ALIGN[c])
        if c in _FIXED:
            self.buf.extend(struct.pack("<" + _FIXED[c][0], int(v) if c != "d" else float(v)))
        elif c in "so":
            raw = str(v).encode()
            self.buf.extend(struct.pack("<I", len(raw)) + raw + b"\0")
        elif c == "g":
            raw = str(v).encode()
            self.buf.extend(bytes([len(raw)]) + raw + b"\0")
        elif c == "v":
            var = v if isinstance(v, Variant) else Variant(guess_signature(v), v)
            self._one("g", var.signature)
            self._one(var.signature, var.value)
        elif c == "a":
            self._array(t[1:], v)
        else:  # struct or dict entry
            for sub, item in zip(split_signature(t[1:-1]), v, strict=True):
                self._one(sub, item)

    def _array(self, elem: str, v: Any) -> None:
        at = len(self.buf)
        self.buf.extend(b"\0\0\0\0")
        self.pad(_ALIGN[elem[0]])
        start = len(self.buf)
        items = v.items() if elem[0] == "{" else v
        for item in items:
            self._one(elem, item)
        struct.pack_into("<I", self.buf, at, len(self.buf) - start)


class Reader:
    def __init__(self, data: bytes, endian: str = "<") -> None:
        self.data, self.pos, self.endian = data, 0, endian

    def align(self, n: int) -> None:
        self.pos += -self.pos % n

    def read(self, sig: str) -> list[Any]:
        return [self._one(t) for t in split_signature(sig)]

    def _one(self, t: str) -> Any:
        c = t[0]
        self.align(_ALIGN[c])
        if c in _FIXED:
            fmt, size = _FIXED[c]
            (v,) = struct.unpack_from(self.endian + fmt, self.data, self.pos)
            self.pos += size
            return bool(v) if c == "b" else v
        if c in "so":
            (n,) = struct.unpack_from(self.endian + "I", self.data, self.pos)
            s = self.data[self.pos + 4 : self.pos + 4 + n].decode()
            self.pos += 4 + n + 1
            return ObjectPath(s) if c == "o" else s
        if c == "g":
            n = self.data[self.pos]
            s = self.data[self.pos + 1 : self.pos + 1 + n].decode()
            self.pos += n + 2
            return s
        if c == "v":
            return self._one(self._one("g"))
        if c == "a":
            return self._array(t[1:])
        return tuple(self._one(sub) for sub in split_signature(t[1:-1]))

    def _array(self, elem: str) -> Any:
        (n,) = struct.unpack_from(self.endian + "I", self.data, self.pos)
        self.pos += 4
        self.align(_ALIGN[elem[0]])
        end, items = self.pos + n, []
        while self.pos < end:
            items.append(self._one(elem))
        return dict(items) if elem[0] == "{" else items


@dataclass
class Message:
    type: int
    serial: int = 0
    flags: int = 0
    headers: dict[str, Any] = field(default_factory=dict)
    body: list[Any] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        if name in _CODES:
            return self.headers.get(name)
        raise AttributeError(name)

    def encode(self) -> bytes:
        sig = self.headers.get("signature", "")
        body = Writer()
        if sig:
            body.write(sig, self.body)
        fields = [(_CODES[k][0], Variant(_CODES[k][1], v)) for k, v in self.headers.items() if v]
        head = Writer()
        head.buf.extend(struct.pack("<cBBBII", b"l", self.type, self.flags, 1, len(body.buf), self.serial))
        head._one("a(yv)", fields)
        head.pad(8)
        return bytes(head.buf + body.buf)


def parse_message(data: bytes) -> tuple[Message | None, int]:
    """One message from the front of ``data`` and the bytes it used (None, 0 if incomplete)."""
    if len(data) < 16:
        return None, 0
    endian = "<" if data[0:1] == b"l" else ">"
    mtype, flags, _version, body_len, serial, fields_len = struct.unpack_from(endian + "BBBIII", data, 1)
    header_end = 16 + fields_len + (-(16 + fields_len) % 8)
    total = header_end + body_len
    if len(data) < total:
        return None, 0
    reader = Reader(data[:header_end], endian)
    reader.pos = 12
    headers = {_FIELDS[code][0]: value for code, value in reader._one("a(yv)") if code in _FIELDS}
    sig = headers.get("signature", "")
    body = Reader(data[header_end:total], endian).read(sig) if sig else []
    return Message(mtype, serial, flags, headers, body), total


def session_address(env: dict[str, str] | None = None) -> str | None:
    """The socket of ``DBUS_SESSION_BUS_ADDRESS`` (``\\0name`` for an abstract one)."""
    env = os.environ if env is None else env
    for part in env.get("DBUS_SESSION_BUS_ADDRESS", "").split(";"):
        kind, _, params = part.partition(":")
        if kind != "unix":
            continue
        opts = dict(p.split("=", 1) for p in params.split(",") if "=" in p)
        if "path" in opts:
            return opts["path"]
        if "abstract" in opts:
            return "\0" + opts["abstract"]
    return None


class Connection:
    """One authenticated connection to a bus over a Unix socket.

    Non-blocking after :meth:`open`: :meth:`call` sends and remembers the
    callback for the reply; :meth:`read_messages` (when the socket is readable)
    dispatches replies to their callbacks and returns every other message.
    """

    def __init__(self, address: str, timeout: float = 2.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(address)
        except OSError:
            self.sock.close()
            raise
        self._serial = 0
        self._pending: dict[int, Any] = {}
        self._buf = b""
        self.unique_name = ""

    def fileno(self) -> int:
        return self.sock.fileno()

    def open(self) -> None:
        """Authenticate (SASL EXTERNAL) and say Hello; blocking, bounded by the timeout."""
        self.sock.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
        line = self._line()
        if not line.startswith(b"OK"):
            raise DBusError(f"the bus refused authentication: {line.decode(errors='replace')}")
        self.sock.sendall(b"BEGIN\r\n")
        reply = self.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello")
        self.unique_name = reply.body[0]
        self.sock.setblocking(False)

    def _line(self) -> bytes:
        while b"\r\n" not in self._buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise DBusError("the bus closed the connection")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\r\n", 1)
        return line

    def send(self, msg: Message) -> int:
        self._serial += 1
        msg.serial = self._serial
        self.sock.sendall(msg.encode())
        return msg.serial

    def call(self, dest: str, path: str, iface: str, member: str, sig: str = "",
             body: list[Any] | None = None, on_reply: Any = None) -> int:  # fmt: skip
        headers = {"path": ObjectPath(path), "interface": iface, "member": member,
                   "destination": dest, "signature": sig}  # fmt: skip
        serial = self.send(Message(METHOD_CALL, headers=headers, body=list(body or [])))
        if on_reply is not None:
            self._pending[serial] = on_reply
        return serial

    def call_blocking(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                      body: list[Any] | None = None) -> Message:  # fmt: skip
        serial = self.call(dest, path, iface, member, sig, body)
        while True:
            msg = self._next_blocking()
            if msg.reply_serial == serial:
                if msg.type == ERROR:
                    raise DBusError(f"{msg.error_name}: {msg.body[0] if msg.body else ''}")
                return msg

    def _next_blocking(self) -> Message:
        while True:
            msg, used = parse_message(self._buf)
            if msg is not None:
                self._buf = self._buf[used:]
                return msg
            chunk = self.sock.recv(65536)
            if not chunk:
                raise DBusError("the bus closed the connection")
            self._buf += chunk

    def read_messages(self) -> list[Message]:
        """Whatever arrived: replies go to their callbacks, the rest is returned."""
        try:
            while chunk := self.sock.recv(65536):
                self._buf += chunk
        except BlockingIOError:
            pass
        out = []
        while True:
            msg, used = parse_message(self._buf)
            if msg is None:
                return out
            self._buf = self._buf[used:]
            callback = self._pending.pop(msg.reply_serial, None) if msg.reply_serial else None
            if callback is not None:
                callback(msg)
            else:
                out.append(msg)

    def close(self) -> None:
        self.sock.close()
