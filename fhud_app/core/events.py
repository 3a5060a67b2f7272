"""Fixed-size event records shared by every stage of the pipeline.

All events travel through :class:`fhud_app.core.ring.Ring` instances with
``EVENT_DTYPE``.  Text is UTF-8 in a fixed 96-byte field, truncated on a
character boundary, so a record never holds half a character.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

import numpy as np

TEXT_BYTES = 96


class Kind(IntEnum):
    WORD = 1  # a final word: id=utterance, text, start, end, value=confidence, emitted_at
    DRAFT = 2  # the current unstable hypothesis tail: text (may be truncated), end, emitted_at
    CONCEPT = 3  # id, text, value=weight, count=mentions, start=first_seen, emitted_at
    LINK = 4  # a, b, value=strength
    RETIRE = 5  # id: a concept left the store
    UTTERANCE = 6  # utterance id ended: no word or revision of it follows; emitted_at
    # One word of the words that now replace all of utterance id's words: a=its index,
    # count=how many (0: the utterance is now empty, one record with no text), text, start,
    # end, value=confidence, emitted_at.  The records of one revision are written together.
    REVISION = 7


EVENT_DTYPE = np.dtype(
    [
        ("kind", "u1"),
        ("id", "<i4"),
        ("a", "<i4"),
        ("b", "<i4"),
        ("count", "<i4"),
        ("value", "<f4"),
        ("start", "<f8"),
        ("end", "<f8"),
        ("emitted_at", "<f8"),  # seconds of audio fed when the event was made
        ("wall", "<f8"),  # time.monotonic() when the event was made
        ("text", f"S{TEXT_BYTES}"),
    ]
)


def encode_text(text: str, limit: int = TEXT_BYTES) -> bytes:
    """UTF-8 encode, truncated on a character boundary to ``limit`` bytes."""
    raw = text.encode("utf-8", errors="replace")
    if len(raw) <= limit:
        return raw
    raw = raw[:limit]
    return raw.decode("utf-8", errors="ignore").encode("utf-8")


def decode_text(raw: bytes) -> str:
    return bytes(raw).rstrip(b"\0").decode("utf-8", errors="replace")


def make_event(
    kind: Kind,
    *,
    text: str = "",
    id: int = 0,
    a: int = 0,
    b: int = 0,
    count: int = 0,
    value: float = 0.0,
    start: float = 0.0,
    end: float = 0.0,
    emitted_at: float = 0.0,
    wall: float = 0.0,
) -> np.ndarray:
    """A one-element array of ``EVENT_DTYPE`` (ready for ``Ring.write``)."""
    rec = np.zeros(1, dtype=EVENT_DTYPE)
    rec[0] = (int(kind), id, a, b, count, value, start, end, emitted_at, wall, encode_text(text))
    return rec


def make_revision(
    utterance: int,
    words: Sequence[tuple[str, float, float, float]],
    *,
    emitted_at: float = 0.0,
    wall: float = 0.0,
) -> np.ndarray:
    """The REVISION records replacing ``utterance``'s words by ``words`` (text, start, end,
    confidence); one record with ``count == 0`` when no word is left."""
    if not words:
        return make_event(Kind.REVISION, id=utterance, emitted_at=emitted_at, wall=wall)
    return np.concatenate([
        make_event(Kind.REVISION, id=utterance, a=i, count=len(words), text=text, start=start,
                   end=end, value=conf, emitted_at=emitted_at, wall=wall)
        for i, (text, start, end, conf) in enumerate(words)
    ])


def _num(x: float, nd: int = 3) -> float | None:
    x = float(x)
    return None if not math.isfinite(x) else round(x, nd)


def event_to_dict(rec: np.void) -> dict[str, Any]:
    """The JSON Lines form of one record (the schema documented in the README)."""
    kind = Kind(int(rec["kind"]))
    text = decode_text(rec["text"])
    if kind is Kind.WORD:
        return {
            "type": "word",
            "text": text,
            "start": _num(rec["start"]),
            "end": _num(rec["end"]),
            "confidence": _num(rec["value"]),
            "emitted_at": _num(rec["emitted_at"]),
            "utterance": int(rec["id"]),
        }
    if kind is Kind.DRAFT:  # reaches: the audio seconds its last word ends at
        return {"type": "draft", "text": text, "reaches": _num(rec["end"]), "emitted_at": _num(rec["emitted_at"])}
    if kind is Kind.CONCEPT:
        return {
            "type": "concept",
            "id": int(rec["id"]),
            "text": text,
            "weight": _num(rec["value"]),
            "mentions": int(rec["count"]),
            "first_seen": _num(rec["start"]),
            "last_seen": _num(rec["end"]),
            "emitted_at": _num(rec["emitted_at"]),
        }
    if kind is Kind.LINK:
        return {"type": "link", "a": int(rec["a"]), "b": int(rec["b"]), "strength": _num(rec["value"])}
    if kind is Kind.RETIRE:
        return {"type": "retire", "id": int(rec["id"])}
    if kind is Kind.REVISION:  # one word of a revision: JsonLines joins them into one object
        return {
            "type": "revision_word",
            "utterance": int(rec["id"]),
            "index": int(rec["a"]),
            "count": int(rec["count"]),
            "text": text,
            "start": _num(rec["start"]),
            "end": _num(rec["end"]),
            "confidence": _num(rec["value"]),
            "emitted_at": _num(rec["emitted_at"]),
        }
    return {"type": "utterance", "utterance": int(rec["id"]), "emitted_at": _num(rec["emitted_at"])}


class JsonLines:
    """Records → the objects of the JSON Lines schema (README): the records of one
    revision become one ``{"type": "revision", "utterance", "words", "emitted_at"}``
    object, emitted with its last record (they may arrive in separate reads)."""

    def __init__(self) -> None:
        self._rev: dict[str, Any] | None = None

    def feed(self, recs: Iterable[np.void]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for rec in recs:
            d = event_to_dict(rec)
            if d["type"] != "revision_word":
                out.append(d)
                continue
            if d["index"] == 0 or self._rev is None or self._rev["utterance"] != d["utterance"]:
                self._rev = {"type": "revision", "utterance": d["utterance"], "words": [],
                             "emitted_at": d["emitted_at"]}  # fmt: skip
            if d["count"]:
                self._rev["words"].append({k: d[k] for k in ("text", "start", "end", "confidence")})
            if d["index"] + 1 >= d["count"]:
                out.append(self._rev)
                self._rev = None
        return out


def final_words(objects: Iterable[dict[str, Any]]) -> list[str]:
    """The final text of a JSON Lines stream, word by word: the words of each utterance
    (ids increase with time), each revision replacing all the words of its utterance."""
    by_utt: dict[int, list[str]] = {}
    for d in objects:
        if d.get("type") == "word":
            by_utt.setdefault(int(d.get("utterance", 0)), []).append(d["text"])
        elif d.get("type") == "revision":
            by_utt[int(d["utterance"])] = [w["text"] for w in d["words"]]
    return [w for u in sorted(by_utt) for w in by_utt[u]]
