"""Keeps the session library's index up to date off the GUI thread.

:class:`SessionIndexer` owns its :class:`~fhud_app.store.library.SessionLibrary` (opened in
``run``): a full update at start and whenever asked (the Sessions window opens), the live
session's file after it was written (at most every :data:`LIVE_EVERY_S`, and at once when
the session ends), and, when the concept memory is on, the concepts of earlier sessions.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from fhud_app.store.library import NO_INDEX, SessionLibrary

log = logging.getLogger(__name__)
LIVE_EVERY_S = 10.0  # re-reading a long live file costs ~50 ms per hour of it
WAIT_S = 0.5


class SessionIndexer(QThread):
    updated = Signal()  # the index changed: views refresh
    notice = Signal(str)  # one sentence for the person (a rebuilt index, a torn file)
    recall = Signal(dict)  # concept key -> how many other sessions it came up in

    def __init__(self, folder: Path, index_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder, self.index_path = Path(folder), index_path
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._full = True
        self._live: Path | None = None
        self._live_due = False
        self._live_now = False
        self._recall_for: str | None = None
        self._last_live = 0.0

    # ------------------------------------------------------------------ requests (any thread)
    def request_update(self) -> None:
        with self._lock:
            self._full = True
        self._wake.set()

    def session_written(self, path: Path, *, final: bool = False) -> None:
        """The live session's file grew (``final``: it ended: index it now)."""
        with self._lock:
            self._live = Path(path)
            self._live_due = True
            self._live_now = self._live_now or final
        self._wake.set()

    def request_recall(self, current_session: str) -> None:
        with self._lock:
            self._recall_for = current_session
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        self.setObjectName("fhud-session-index")
        try:
            library = SessionLibrary(self.folder, self.index_path)
        except Exception:  # noqa: BLE001 - any failure: say it, keep the app
            log.exception("cannot open the session index")
            self.notice.emit(f"The session library could not be opened at {self.folder}: search is off.")
            return
        try:
            while not self._stop.is_set():
                self._wake.wait(WAIT_S)
                self._wake.clear()
                self._step(library)
        finally:
            library.close()

    def _step(self, library: SessionLibrary) -> None:
        now = time.monotonic()
        with self._lock:
            full, self._full = self._full, False
            live = self._live
            due = self._live_due and (self._live_now or now - self._last_live >= LIVE_EVERY_S)
            if due:
                self._live_due = self._live_now = False
            recall_for, self._recall_for = self._recall_for, None
        changed = False
        try:
            if full:
                quiet = frozenset({live}) if live is not None else frozenset()
                changed = library.update(quiet) > 0
            elif due and live is not None:
                library.index_session(live)
                self._last_live, changed = now, True
            if recall_for is not None:
                self.recall.emit(library.recall(exclude=recall_for))
        except Exception:  # noqa: BLE001 - the index is derived data: log, say once, go on
            log.exception("session index update failed")
            self.notice.emit("The session index could not be updated; `fhud sessions reindex` rebuilds it.")
        for text in library.notices:
            if not text.startswith(NO_INDEX):  # the app's first run: no news (a damaged index is)
                self.notice.emit(text)
        library.notices.clear()
        if changed:
            self.updated.emit()
