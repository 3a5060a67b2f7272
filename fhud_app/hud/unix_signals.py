"""Ctrl+C and SIGTERM for a Qt app, without a polling timer."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer


class Wakeup:
    """Undo :func:`quit_on_signals` (after the event loop has returned)."""

    def __init__(self, notifier: QSocketNotifier, reader: socket.socket, writer: socket.socket) -> None:
        self._notifier, self._reader, self._writer = notifier, reader, writer

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def quit_on_signals(quit_app: Callable[[], None], parent: QObject) -> Wakeup:
    """SIGINT and SIGTERM call ``quit_app`` on the event loop (settings saved, threads joined).

    Qt's loop runs in C, so Python signal handlers wait until Python code runs; the
    wake-up fd makes the loop notice a signal at once.
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, parent)
    notifier.activated.connect(lambda: reader.recv(64))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, quit_app))
    return Wakeup(notifier, reader, writer)
