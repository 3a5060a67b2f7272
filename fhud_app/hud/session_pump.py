"""Feeds the session file from the pipeline's rings on the GUI thread (a slow timer)."""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.ring import RingReader
from fhud_app.hud.parts import Pipeline
from fhud_app.store.session import SessionRecorder

log = logging.getLogger(__name__)
FLUSH_MS = 1000  # kill -9 loses at most this much of the words (issue 12: <= 2 s)


class SessionPump(QObject):
    """Copies a pipeline's words and concepts into its :class:`SessionRecorder` (built by
    the composition root; none for the demo) every couple of seconds."""

    problem = Signal(str)  # one line naming the cause (once per new problem); "" once it is solved
    rescued = Signal(str)  # where the lines that could not be saved went (at a stop or quit)
    written = Signal(str, bool)  # the session file grew: its path, and whether the session ended

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
        """Take the last records of a stopped pipeline and write everything out; what
        cannot be saved goes to a fallback file (said in the log and by ``rescued``)."""
        self.pump(final=True)
        self._readers = []
        self._timer.stop()
        rescued = self.recorder.rescue() if self.recorder is not None else None
        if rescued:
            log.warning("%s", rescued)  # at quit the HUD is gone: stderr and the log say where
            self.rescued.emit(rescued)

    def pump(self, final: bool = False) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        lines = recorder.written
        for reader in self._readers:
            n = reader.read_into(self._buf)
            while n:
                recorder.add(self._buf[:n])
                n = reader.read_into(self._buf)
        problem = recorder.flush()
        if problem != self._last_problem:
            self.problem.emit(problem or "")
        self._last_problem = problem
        if recorder.written != lines or (final and recorder.written):
            self.written.emit(str(recorder.path), final)
