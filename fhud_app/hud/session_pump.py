"""Feeds the session file from the pipeline's rings on the GUI thread (a slow timer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from fhud_app.core import paths
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.store.session import SessionRecorder

FLUSH_MS = 2000


class SessionPump(QObject):
    """Copies words and concepts into a :class:`SessionRecorder` every couple of seconds."""

    problem = Signal(str)  # one line naming the cause (once per new problem); "" once it is solved

    def __init__(self, recorder: SessionRecorder, parent: QObject | None = None,
                 interval_ms: int = FLUSH_MS) -> None:  # fmt: skip
        super().__init__(parent)
        self.recorder = recorder
        self._readers: list[Any] = []
        self._buf = np.zeros(4096, EVENT_DTYPE)
        self._last_problem: str | None = None
        self._timer = QTimer(self, interval=interval_ms, timeout=self.pump)

    def attach(self, pipeline: Any) -> None:
        """Follow a (new) pipeline's words and concepts from their first record."""
        self._readers = [pipeline.words.reader(from_start=True),
                         pipeline.concepts.reader(from_start=True)]  # fmt: skip
        self._timer.start()

    def detach(self) -> None:
        """Take the last records of a stopped pipeline and write everything out."""
        self.pump()
        self._readers = []
        self._timer.stop()

    def pump(self) -> None:
        for reader in self._readers:
            n = reader.read_into(self._buf)
            while n:
                self.recorder.add(self._buf[:n])
                n = reader.read_into(self._buf)
        problem = self.recorder.flush()
        if problem != self._last_problem:
            self.problem.emit(problem or "")
        self._last_problem = problem

    def rescue(self) -> str | None:
        """At exit: what could not be saved goes to a fallback file; one line saying where."""
        self.pump()
        return self.recorder.rescue()


def session_pump_for(feed: Any, parent: QObject, say: Callable[[str], None]) -> SessionPump | None:
    """Sessions are kept for the microphone and for files, not for the looping demo.
    ``say`` gets each saving problem, and ``""`` once saving works again."""
    if feed.loop:
        return None
    source = "microphone" if feed.is_mic else str(feed.file)
    pump = SessionPump(SessionRecorder(paths.sessions_dir(), source=source), parent)
    pump.problem.connect(say)
    return pump
