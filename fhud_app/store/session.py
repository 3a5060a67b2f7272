"""The session file: everything said and crystallized, appended as JSON Lines.

One file a session under ``paths.sessions_dir()``, in the schema of
``fhud transcribe --format jsonl`` (word, revision, concept, link, retire events)
after a header line.  Lines wait in memory until they are written; a write that fails
(a full disk, a folder that went away) keeps them and is retried on the next
flush, so nothing already captured is lost while the app runs.
"""

from __future__ import annotations

import json
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
        self.error: str | None = None
        self._json = JsonLines()  # joins a revision's records into one line
        self._t0 = time.monotonic()

    def add(self, recs: np.ndarray) -> None:
        """Queue the records worth keeping (drafts and utterance marks are not)."""
        for d in self._json.feed(recs):
            if d["type"] in RECORDED:
                self.words += d["type"] == "word"
                self.pending.append(json.dumps(d, ensure_ascii=False))

    def flush(self) -> str | None:
        """Write what is pending; a one-line message when that failed (lines are kept)."""
        if not self.pending:
            return None
        lines = self.pending if self.written else [json.dumps(self.header), *self.pending]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self.error = (f"Could not save the session to {self.path} ({reason}): "
                          "the words are kept in memory and saving is retried; free some space.")  # fmt: skip
            return self.error
        self.written += len(lines)
        self.pending = []
        self.error = None
        return None

    def summary(self) -> dict[str, Any]:
        return {"path": str(self.path), "words": self.words, "lines": self.written,
                "pending": len(self.pending), "seconds": round(time.monotonic() - self._t0, 1)}  # fmt: skip
