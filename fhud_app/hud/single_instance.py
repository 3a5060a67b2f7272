"""One GUI per data folder: a lock file, and a request file through which a second launch
asks the first to show its HUD.  No socket is opened.

The lock is a :class:`QLockFile` (it holds the owner's process id, so a lock left by a
crashed or killed instance is taken over).  A second launch writes ``show-hud.request``
beside it; the first instance watches the folder (:class:`QFileSystemWatcher`), deletes
the request and emits :attr:`SingleInstance.show_requested`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QLockFile, QObject, Signal

log = logging.getLogger(__name__)

LOCK_NAME = "fhud.lock"
REQUEST_NAME = "show-hud.request"
ALREADY_RUNNING = "fHUD is already running"


class SingleInstance(QObject):
    """``acquire()`` once at launch: True for the first instance (which then watches for
    requests), False when another holds the lock (call :meth:`ask_to_show`)."""

    show_requested = Signal()

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.request = self.folder / REQUEST_NAME
        self._lock = QLockFile(str(self.folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._watcher: QFileSystemWatcher | None = None

    def acquire(self) -> bool:
        """Take the lock; True when this is the only instance (or no lock can be kept at
        all, a read-only data folder: then the app runs, unguarded, and the log says so)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("no single-instance lock in %s (%s)", self.folder, exc.strerror or exc)
            return True
        if self._lock.tryLock(0):
            self._watch()
            return True
        if self._lock.error() != QLockFile.LockError.LockFailedError:
            log.warning("no single-instance lock in %s (QLockFile: %s)", self.folder, self._lock.error().name)
            return True
        return False

    def owner(self) -> int | None:
        """The process id holding the lock (None when unknown)."""
        info = self._lock.getLockInfo()  # PySide6: (pid, hostname, appname), or empty
        return int(info[0]) if isinstance(info, tuple) and info and info[0] else None

    def ask_to_show(self) -> bool:
        """Ask the running instance to show its HUD; False when the request cannot be written."""
        tmp = self.request.with_name(f"{REQUEST_NAME}.{os.getpid()}.tmp")
        try:
            tmp.write_text(f"{os.getpid()}\n", encoding="utf-8")
            os.replace(tmp, self.request)  # appears whole: the watcher never reads half of it
        except OSError as exc:
            log.warning("could not ask the running fHUD to show its HUD (%s)", exc.strerror or exc)
            tmp.unlink(missing_ok=True)
            return False
        return True

    def release(self) -> None:
        if self._watcher is not None:
            self._watcher.removePaths(self._watcher.directories())
            self._watcher = None
        self._lock.unlock()

    def _watch(self) -> None:
        self.request.unlink(missing_ok=True)  # an old request is not a new launch
        self._watcher = QFileSystemWatcher([str(self.folder)], self)
        self._watcher.directoryChanged.connect(self._check)

    def _check(self, _path: str = "") -> None:
        if not self.request.exists():
            return
        try:
            self.request.unlink()
        except FileNotFoundError:
            return  # another check took it
        self.show_requested.emit()
