from __future__ import annotations

import errno
import json
from datetime import datetime

import numpy as np

from fhud_app.core.events import Kind, make_event
from fhud_app.store.session import SessionRecorder


def _events() -> np.ndarray:
    return np.concatenate([
        make_event(Kind.WORD, text="seed", start=0.5, end=0.9, value=0.8, emitted_at=2.0),
        make_event(Kind.DRAFT, text="rou"),
        make_event(Kind.CONCEPT, id=1, text="seed round", value=1.0, count=1),
        make_event(Kind.UTTERANCE, start=0.0, end=1.0, count=2),
        make_event(Kind.LINK, a=1, b=2, value=0.5),
    ])


def test_session_file_has_a_header_then_the_events_worth_keeping(tmp_path):
    rec = SessionRecorder(tmp_path / "sessions", source="mic", now=datetime(2026, 11, 26, 9, 5, 7))
    rec.add(_events())
    assert rec.flush() is None
    lines = [json.loads(x) for x in rec.path.read_text().splitlines()]
    assert rec.path.name == "2026-11-26_090507.jsonl"
    assert lines[0] == {"type": "session", "started": "2026-11-26T09:05:07", "source": "mic"}
    assert [x["type"] for x in lines[1:]] == ["word", "concept", "link"]
    assert lines[1]["text"] == "seed" and lines[1]["emitted_at"] == 2.0
    rec.add(_events()[:1])
    rec.flush()
    assert len(rec.path.read_text().splitlines()) == 5  # appended, header once
    assert rec.summary()["words"] == 2


def test_a_full_disk_keeps_every_line_and_the_retry_writes_them(tmp_path, monkeypatch):
    rec = SessionRecorder(tmp_path, source="talk.wav")
    rec.add(_events())
    real_open = open

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("builtins.open", full_disk)
    message = rec.flush()
    assert message is not None and "No space left on device" in message and "\n" not in message
    assert len(rec.pending) == 3 and not rec.path.exists()
    monkeypatch.setattr("builtins.open", real_open)
    assert rec.flush() is None
    assert len(rec.path.read_text().splitlines()) == 4
    assert rec.error is None


def test_nothing_said_writes_no_file(tmp_path):
    rec = SessionRecorder(tmp_path, source="mic")
    rec.add(np.concatenate([make_event(Kind.DRAFT, text="hm")]))
    assert rec.flush() is None
    assert not rec.path.exists()


def test_a_revision_is_one_line_even_when_its_records_arrive_in_two_reads(tmp_path):
    from fhud_app.core.events import final_words, make_revision

    rec = SessionRecorder(tmp_path, source="mic")
    rev = make_revision(1, [("runway", 0.0, 0.5, 0.9), ("lights", 0.6, 0.9, 0.9)])
    rec.add(np.concatenate([make_event(Kind.WORD, text="run", id=1), make_event(Kind.WORD, text="we", id=1),
                            rev[:1]]))
    rec.add(rev[1:])
    rec.flush()
    lines = [json.loads(x) for x in rec.path.read_text().splitlines()][1:]
    assert [x["type"] for x in lines] == ["word", "word", "revision"]
    assert final_words(lines) == ["runway", "lights"] and rec.summary()["words"] == 2
