"""The network watch sees internet sockets and name lookups, and ignores Unix sockets."""

from __future__ import annotations

import socket

from fhud_app.selftest.network import NetworkWatch, describe


def test_internet_socket_and_lookup_are_seen():
    watch = NetworkWatch().install()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
    socket.getaddrinfo("localhost", 80)
    report = watch.report()
    assert any("socket created" in line for line in report)
    assert any(line.startswith("bind to ('127.0.0.1'") for line in report)
    assert any("name lookup of 'localhost'" in line for line in report)


def test_unix_sockets_are_not_network():
    watch = NetworkWatch().install()
    a, b = socket.socketpair(socket.AF_UNIX)
    a.close()
    b.close()
    assert watch.report() == []


def test_other_audit_events_are_ignored():
    assert describe("open", ("/etc/hosts", "r", 0)) is None
    assert describe("socket.__new__", (None, socket.AF_UNIX, 1, 0)) is None
