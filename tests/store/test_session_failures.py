"""A session that cannot be saved names the real cause; two recorders never share a file."""

from __future__ import annotations

import errno
import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from fhud_app.core.events import Kind, make_event
from fhud_app.store.session import SessionRecorder, save_failure

SAME_SECOND = datetime(2026, 12, 3, 9, 0, 0)


def _words(*texts: str) -> np.ndarray:
    return np.concatenate([make_event(Kind.WORD, text=t, start=i, end=i + 0.3, value=0.9)
                           for i, t in enumerate(texts)])  # fmt: skip


def test_two_recorders_started_in_the_same_second_get_a_file_each(tmp_path: Path) -> None:
    a = SessionRecorder(tmp_path, source="mic", now=SAME_SECOND)
    b = SessionRecorder(tmp_path, source="talk.wav", now=SAME_SECOND)
    a.add(_words("alpha"))
    b.add(_words("beta"))
    assert a.flush() is None and b.flush() is None
    a.add(_words("gamma"))
    b.add(_words("delta"))
    a.flush(), b.flush()
    assert a.path != b.path and {a.path.name, b.path.name} == {"2026-12-03_090000.jsonl", "2026-12-03_090000-2.jsonl"}
    for rec, words in ((a, ["alpha", "gamma"]), (b, ["beta", "delta"])):
        lines = [json.loads(x) for x in rec.path.read_text().splitlines()]
        assert [x["type"] for x in lines] == ["session", "word", "word"]
        assert [x["text"] for x in lines[1:]] == words


def test_an_earlier_file_of_the_same_name_is_never_appended_to(tmp_path: Path) -> None:
    (tmp_path / "2026-12-03_090000.jsonl").write_text('{"type": "session"}\n')
    rec = SessionRecorder(tmp_path, source="mic", now=SAME_SECOND)
    rec.add(_words("fresh"))
    rec.flush()
    assert rec.path.name == "2026-12-03_090000-2.jsonl"
    assert (tmp_path / "2026-12-03_090000.jsonl").read_text() == '{"type": "session"}\n'


def test_a_sessions_folder_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    folder.write_text("oops")
    rec = SessionRecorder(folder, source="mic")
    rec.add(_words("kept"))
    message = rec.flush()
    assert message == (f"Not saving the session: {folder} is a file, not a folder (move it away). "
                       "The words are kept in memory and saving is retried.")  # fmt: skip
    assert len(rec.pending) == 1


@pytest.mark.parametrize("code, words", [
    (errno.EACCES, "no permission to write in"),
    (errno.EPERM, "no permission to write in"),
    (errno.EROFS, "is on a read-only disk"),
    (errno.ENOSPC, "the disk is full"),
    (errno.EIO, "Input/output error in"),
])
def test_each_cause_is_named(tmp_path: Path, code: int, words: str) -> None:
    text = save_failure(OSError(code, os.strerror(code)), tmp_path)
    assert words in text and (code == errno.ENOSPC) == ("disk is full" in text)


def test_at_exit_the_unsaved_lines_go_to_a_fallback_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    folder = tmp_path / "sessions"
    folder.write_text("oops")
    rec = SessionRecorder(folder, source="mic", now=SAME_SECOND)
    rec.add(_words("one", "two"))
    rec.flush()
    message = rec.rescue()
    rescued = list((tmp_path / "tmp").glob("fhud-session-2026-12-03_090000-*.jsonl"))
    assert len(rescued) == 1 and message is not None
    assert message == (f"The session could not be saved: {folder} is a file, not a folder (move it away). "
                       f"Its 2 unsaved lines are in {rescued[0]}.")  # fmt: skip
    lines = [json.loads(x) for x in rescued[0].read_text().splitlines()]
    assert lines[0]["rescued_from"] == str(rec.path) and [x["text"] for x in lines[1:]] == ["one", "two"]
    assert rec.pending == [] and rec.rescue() is None


def test_nothing_is_rescued_when_the_last_save_works(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path, source="mic")
    rec.add(_words("fine"))
    assert rec.rescue() is None and rec.path.is_file() and rec.pending == []
