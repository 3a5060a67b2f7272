"""Unhandled exceptions, seen by the person: one sentence in the HUD and the tray, never a silent exit.

:mod:`fhud_app.core.logs` catches them in any thread and writes the traceback to the log;
:class:`CrashBridge` carries its sentence to the GUI thread (a queued signal: workers
never touch widgets) and hands it to the app's ``say``.  :func:`fatal` is for an error
that ends the GUI before the HUD exists: a message box names the log file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from fhud_app.core import logs

log = logging.getLogger(__name__)


class CrashBridge(QObject):
    """Delivers :func:`fhud_app.core.logs.report` sentences to ``say`` on this object's thread."""

    raised = Signal(str)

    def __init__(self, say: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._say = say
        self.raised.connect(self._deliver)  # queued when emitted from another thread
        self._stop = logs.on_unhandled(self.raised.emit)

    @Slot(str)
    def _deliver(self, text: str) -> None:
        self._say(text)

    def close(self) -> None:
        self._stop()


def fatal(exc: BaseException, show: Callable[[str], None] | None = None) -> str:
    """The GUI could not start or run: log the traceback and show one sentence."""
    text = logs.report(type(exc), exc, exc.__traceback__)
    (show or _message_box)(text)
    return text


def _message_box(text: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return  # Qt itself failed: the log and stderr are all there is
    QMessageBox.critical(None, "fHUD", text)
