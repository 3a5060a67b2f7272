"""Feeds the session file from the pipeline's rings on the GUI thread (a slow timer)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.ring import RingReader
from fhud_app.hud.parts import Pipeline
from fhud_app.store.session import SessionRecorder

FLUSH_MS = 2000


class SessionPump(QObject):
    """Copies a pipeline's words and concepts into its :class:`SessionRecorder` (built by
    the composition root; none for the demo) every couple of seconds."""

    problem = Signal(str)  # one line, e.g. a full disk (emitted once per new problem)

    def __init__(self, parent: QObject | None = None, interval_ms: int = FLUSH_MS) -> None:
        super().__init__(parent)
        self.recorder: SessionRecorder | None = None
        self._readers: list[RingReader] = []
        self._buf = np.zeros(4096, EVENT_DTYPE)
        self._last_problem: str | None = None
        self._timer = QTimer(self, interval=interval_ms, timeout=self.pump)

    def attach(self, pipeline: Pipeline) -> None:
        """Follow a (new) pipeline's words and concepts from their first record."""
        self.recorder = pipeline.session
        if self.recorder is None:
            return
        self._readers = [pipeline.words.reader(from_start=True),
                         pipeline.concepts.reader(from_start=True)]  # fmt: skip
        self._timer.start()

    def detach(self) -> None:
        """Take the last records of a stopped pipeline and write everything out."""
        self.pump()
        self._readers = []
        self._timer.stop()

    def pump(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        for reader in self._readers:
            n = reader.read_into(self._buf)
            while n:
                recorder.add(self._buf[:n])
                n = reader.read_into(self._buf)
        problem = recorder.flush()
        if problem != self._last_problem and problem is not None:
            self.problem.emit(problem)
        self._last_problem = problem
