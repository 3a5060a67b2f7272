"""Reading a session file back (Qt-free, numpy-free): words, concepts and links as they ended.

The JSON Lines file written by :class:`~fhud_app.store.session.SessionRecorder` is the source
of truth; this reader is forgiving the way a person's files need it to be:

* a last line cut short (the app was killed mid-write) is read up to the tear and reported;
* a line broken by a hand edit is skipped and counted, the rest is read;
* a file whose first line is not a JSON object is not a session: :class:`NotASession`;
* revisions replace the words of the utterance they name, so the text is the final text;
* a pipeline restarted inside one session starts its audio clock (and its concept ids)
  again: later words are shifted to follow the earlier ones, ids are kept apart.

Concepts are merged by their normalized phrase (:func:`~fhud_app.store.normalize.phrase_key`),
the key under which the library matches them across sessions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fhud_app.core.errors import InputError
from fhud_app.store.normalize import phrase_key

RESTART_BACK_S = 1.0  # a word this much earlier than the last one: a restarted audio clock
MAX_NUMBER = 1e9  # times and counts beyond this (31 years of audio) are damage, not data


class NotASession(InputError):
    """The file is not JSON Lines (or not a session's)."""


@dataclass(slots=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float = 1.0
    utterance: int | None = None


@dataclass
class SessionConcept:
    key: str
    text: str
    weight: float
    mentions: int
    first_seen: float


@dataclass
class SessionData:
    id: str
    path: Path
    started: datetime | None = None
    source: str = ""
    words: list[Word] = field(default_factory=list)
    concepts: dict[str, SessionConcept] = field(default_factory=dict)  # by key
    links: dict[tuple[str, str], float] = field(default_factory=dict)  # (key, key) sorted
    torn: bool = False  # the last line was cut short
    bad_lines: list[int] = field(default_factory=list)  # 1-based numbers of unreadable lines

    @property
    def duration(self) -> float:
        return max((w.end for w in self.words), default=0.0)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def top_concepts(self, n: int = 5) -> list[SessionConcept]:
        ranked = sorted(self.concepts.values(), key=lambda c: (-c.mentions, -c.weight, c.first_seen))
        return ranked[:n]

    def problem(self) -> str | None:
        """One sentence about what could not be read, or None."""
        parts = []
        if self.bad_lines:
            n = len(self.bad_lines)
            parts.append(f"{n} line{'s' * (n > 1)} that {'are' if n > 1 else 'is'} not JSON "
                         f"(first at line {self.bad_lines[0]}) skipped")  # fmt: skip
        if self.torn:
            parts.append("its last line was cut short (the app stopped while writing) and was read up to the tear")
        if not parts:
            return None
        return f"Session {self.id}: " + "; ".join(parts) + "."


def read_session(path: Path) -> SessionData:
    """Read ``path``; raises :class:`NotASession` (one sentence) when it is not a session."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc}).") from None
    return parse_session(raw, path)


def parse_session(raw: bytes, path: Path) -> SessionData:
    data = SessionData(id=path.stem, path=path)
    lines = raw.decode("utf-8", errors="replace").split("\n")
    unterminated = lines.pop() if lines else ""  # "" when the file ends with a newline
    builder = _Builder(data)
    objs = _load_all(lines)  # one C call for the whole file when every line is good
    if objs is None:
        objs = _load_each(lines, data, path)
    for obj in objs:
        builder.add(obj)
    if unterminated.strip():
        obj = _loads(unterminated)
        if obj is None:
            data.torn = True
        else:  # a complete last line without its newline (a hand edit): keep it
            objs.append(obj)
            builder.add(obj)
    if not objs and not data.torn:
        raise NotASession(f"{path.name} is not a session file: it holds no JSON Lines; "
                          "it was left out of the library.")  # fmt: skip
    builder.finish()
    return data


def _load_all(lines: list[str]) -> list[dict[str, Any]] | None:
    try:
        objs = json.loads("[" + ",".join(x for x in lines if x.strip()) + "]")
    except ValueError:
        return None
    return objs if all(isinstance(o, dict) for o in objs) else None


def _load_each(lines: list[str], data: SessionData, path: Path) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        obj = _loads(line)
        if obj is None:
            if not objs:
                raise NotASession(f"{path.name} is not a session file: line {number} is not JSON Lines; "
                                  "it was left out of the library.")  # fmt: skip
            data.bad_lines.append(number)
            continue
        objs.append(obj)
    return objs


def _loads(line: str) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _num(obj: dict[str, Any], name: str, default: float = 0.0) -> float:
    """A number within ±MAX_NUMBER (NaN, infinities, strings and booleans give ``default``)."""
    value = obj.get(name, default)
    if (type(value) is float or type(value) is int) and -MAX_NUMBER <= value <= MAX_NUMBER:
        return value
    return default


class _Builder:
    """Applies the lines of a session, in order, to a :class:`SessionData`."""

    def __init__(self, data: SessionData) -> None:
        self.data = data
        self.offset = 0.0  # added to times after a restarted audio clock
        self.epoch = 0
        self.last_end = 0.0
        self.keys: dict[tuple[int, int], str] = {}  # (epoch, concept id) -> key
        self.handlers = {"session": self._header, "word": self._word, "concept": self._concept,
                         "link": self._link, "revision": self._revision}  # fmt: skip

    def add(self, obj: dict[str, Any]) -> None:
        kind = obj.get("type")
        handler = self.handlers.get(kind) if type(kind) is str else None  # retire, stats…: nothing
        if handler is not None:
            handler(obj)

    def finish(self) -> None:
        self.data.words.sort(key=lambda w: w.start)

    def _header(self, obj: dict[str, Any]) -> None:
        if self.data.started is None:
            try:
                self.data.started = datetime.fromisoformat(str(obj.get("started")))
            except ValueError:
                pass
            self.data.source = str(obj.get("source") or "")

    def _word(self, obj: dict[str, Any], revised: bool = False) -> None:
        text = obj.get("text")
        if type(text) is not str or not text or text.isspace():
            return
        start, end = _num(obj, "start"), _num(obj, "end")
        if not revised and start + self.offset < self.last_end - RESTART_BACK_S:
            self.offset = self.last_end + 1.0 - start  # a new pipeline: its clock began at 0
            self.epoch += 1
        start, end = start + self.offset, max(end, start) + self.offset
        self.last_end = max(self.last_end, end)
        utt = obj.get("utterance")
        self.data.words.append(Word(text.strip(), start, end, _num(obj, "confidence", 1.0),
                                    (self.epoch, utt) if type(utt) is int else None))  # fmt: skip

    def _concept(self, obj: dict[str, Any]) -> None:
        text = str(obj.get("text") or "").strip()
        key = phrase_key(text) or text.lower()
        if not key:
            return
        cid = obj.get("id")
        if type(cid) is int:
            self.keys[(self.epoch, cid)] = key
        first = _num(obj, "first_seen") + self.offset
        old = self.data.concepts.get(key)
        mentions = int(_num(obj, "mentions", 1))
        if old is None:
            self.data.concepts[key] = SessionConcept(key, text, _num(obj, "weight"), mentions, first)
            return
        old.text, old.weight = text, _num(obj, "weight", old.weight)
        old.mentions = max(old.mentions, mentions)
        old.first_seen = min(old.first_seen, first)

    def _link(self, obj: dict[str, Any]) -> None:
        ids = obj.get("a"), obj.get("b")
        if type(ids[0]) is not int or type(ids[1]) is not int:
            return
        a, b = self.keys.get((self.epoch, ids[0])), self.keys.get((self.epoch, ids[1]))
        if a and b and a != b:
            self.data.links[(min(a, b), max(a, b))] = _num(obj, "strength")

    def _revision(self, obj: dict[str, Any]) -> None:
        """``{"type":"revision","utterance":U,"words":[word objects]}`` replaces utterance U's words."""
        utt = obj.get("utterance")
        new = obj.get("words")
        if type(utt) is not int or not isinstance(new, list):
            return
        tag = (self.epoch, utt)
        self.data.words = [w for w in self.data.words if w.utterance != tag]
        for item in new:
            if isinstance(item, dict):
                self._word({**item, "utterance": utt}, revised=True)
