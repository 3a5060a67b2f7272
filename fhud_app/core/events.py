"""Fixed-size event records shared by every stage of the pipeline.

All events travel through :class:`fhud_app.core.ring.Ring` instances with
``EVENT_DTYPE``.  Text is UTF-8 in a fixed 96-byte field, truncated on a
character boundary, so a record never holds half a character.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import Any

import numpy as np

TEXT_BYTES = 96


class Kind(IntEnum):
    WORD = 1  # a final word: text, start, end, value=confidence, emitted_at
    DRAFT = 2  # the current unstable hypothesis tail: text (may be truncated)
    CONCEPT = 3  # id, text, value=weight, count=mentions, start=first_seen, emitted_at
    LINK = 4  # a, b, value=strength
    RETIRE = 5  # id: a concept left the store
    UTTERANCE = 6  # an utterance was cut: start, end, count=words


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
        }
    if kind is Kind.DRAFT:
        return {"type": "draft", "text": text}
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
    return {
        "type": "utterance",
        "start": _num(rec["start"]),
        "end": _num(rec["end"]),
        "words": int(rec["count"]),
        "emitted_at": _num(rec["emitted_at"]),
    }
