"""Did this process open a network socket?  Python's audit hooks, plus the kernel's view.

:class:`NetworkWatch` installs an audit hook (it cannot be removed; the self-test is
a process of its own) that records every ``socket.__new__`` of an internet family,
``socket.connect``/``bind`` to an internet address and ``socket.getaddrinfo`` (a name
lookup is network use too).  Native code that opens sockets without Python (a C++
library) is caught at the end by listing the process's open internet sockets.
Unix-domain sockets (the X server, D-Bus, PulseAudio) are not network and are ignored.
"""

from __future__ import annotations

import socket
import sys
import threading

INET = (socket.AF_INET, socket.AF_INET6)


class NetworkWatch:
    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()

    def install(self) -> NetworkWatch:
        sys.addaudithook(self._hook)
        return self

    def _hook(self, event: str, args: tuple) -> None:
        if not event.startswith("socket."):
            return
        text = describe(event, args)
        if text is not None:
            with self._lock:
                self.events.append(text)

    def open_sockets(self) -> list[str]:
        """The process's internet sockets open right now, as the kernel lists them."""
        import psutil

        try:
            conns = psutil.Process().net_connections(kind="inet")
        except psutil.Error as exc:  # no /proc access: say so rather than pass silently
            return [f"cannot list sockets ({exc})"]
        return [f"{c.laddr} -> {c.raddr or '-'} ({c.status})" for c in conns]

    def report(self) -> list[str]:
        with self._lock:
            seen = list(dict.fromkeys(self.events))
        return seen + [f"open socket {s}" for s in self.open_sockets()]


def describe(event: str, args: tuple) -> str | None:
    """A line for an audit event that is network use, ``None`` for anything else."""
    if event == "socket.__new__":
        family = args[1] if len(args) > 1 else None
        return f"socket created (family {family})" if family in INET else None
    if event in ("socket.connect", "socket.bind", "socket.sendto"):
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) in INET:
            return f"{event.split('.', 1)[1]} to {address}"
        return None
    if event == "socket.getaddrinfo":
        return f"name lookup of {args[0]!r}"
    return None
