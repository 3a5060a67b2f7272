"""The session file: everything said and crystallized, appended as JSON Lines.

One file a session under ``paths.sessions_dir()``, in the schema of
``fhud transcribe --format jsonl`` (word, revision, concept, link, retire events)
after a header line.  Lines wait in memory until they are written; a write that fails
(a full disk, a folder that went away) keeps them and is retried on the next
flush, so nothing already captured is lost while the app runs; at exit,
:meth:`SessionRecorder.rescue` writes what is still pending to a fallback file.
Every recorder claims a file of its own (created exclusively), so two instances
started in the same second never share one.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.core.events import JsonLines

RECORDED = ("word", "revision", "concept", "link", "retire")


class SessionRecorder:
    def __init__(self, folder: Path, *, source: str, now: datetime | None = None) -> None:
        started = now or datetime.now()
        self.folder = Path(folder)
        self.path = self.folder / f"{started:%Y-%m-%d_%H%M%S}.jsonl"
        self.header = {"type": "session", "started": started.isoformat(timespec="seconds"),
                       "source": source}  # fmt: skip
        self.pending: list[str] = []
        self.written = 0  # lines on disk
        self.words = 0
        self.error: str | None = None  # the message of the last failed write ...
        self.cause = ""  # ... and its cause, in words
        self._json = JsonLines()  # joins a revision's records into one line
        self._t0 = time.monotonic()

    def add(self, recs: np.ndarray) -> None:
        """Queue the records worth keeping (drafts and utterance marks are not)."""
        for d in self._json.feed(recs):
            if d["type"] in RECORDED:
                self.words += d["type"] == "word"
                self.pending.append(json.dumps(d, ensure_ascii=False))

    def flush(self) -> str | None:
        """Write what is pending; a one-line message naming the cause when that failed
        (the lines are kept, and the next flush tries again)."""
        if not self.pending:
            return None
        lines = self.pending if self.written else [json.dumps(self.header), *self.pending]
        text = "\n".join(lines) + "\n"
        try:
            if self.written:
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(text)
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.path = _create_unique(self.path, text)
        except OSError as exc:
            self.cause = save_failure(exc, self.folder)
            self.error = f"Not saving the session: {self.cause}. The words are kept in memory and saving is retried."
            return self.error
        self.written += len(lines)
        self.pending = []
        self.error = None
        return None

    def rescue(self) -> str | None:
        """At exit, with lines still pending (saving failed): write them, with the header, to a
        fallback file; one line saying where (or that they could not be written anywhere)."""
        if not self.pending or self.flush() is None:
            return None
        header = json.dumps({**self.header, "rescued_from": str(self.path)})
        text = "\n".join([header, *self.pending]) + "\n"
        name = f"fhud-session-{self.path.stem}-{os.getpid()}.jsonl"
        for folder in (Path(tempfile.gettempdir()), Path.home()):
            try:
                target = _create_unique(folder / name, text)
            except OSError:
                continue
            count = len(self.pending)
            self.pending = []
            return f"The session could not be saved: {self.cause}. Its {count} unsaved lines are in {target}."
        return f"The session could not be saved: {self.cause}, nor its {len(self.pending)} lines anywhere else."

    def summary(self) -> dict[str, Any]:
        return {"path": str(self.path), "words": self.words, "lines": self.written,
                "pending": len(self.pending), "seconds": round(time.monotonic() - self._t0, 1)}  # fmt: skip


def _create_unique(path: Path, text: str) -> Path:
    """Write ``text`` to a new file at ``path``, or ``<stem>-2``, ``-3``… if taken; the path used."""
    for n in range(1, 1000):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            with open(candidate, "x", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            continue
        return candidate
    raise OSError(errno.EEXIST, "too many session files with this name", str(path))


def save_failure(exc: OSError, folder: Path) -> str:
    """The real cause of a failed write into ``folder``, in words."""
    code, detail = exc.errno, exc.strerror or type(exc).__name__
    blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        return f"{blocking} is a file, not a folder (move it away)"
    if code in (errno.EACCES, errno.EPERM):
        return f"no permission to write in {folder} ({detail})"
    if code == errno.EROFS:
        return f"{folder} is on a read-only disk"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full ({detail})"
    return f"{detail} in {folder}"
