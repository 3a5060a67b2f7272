"""Session files for the library's tests, in the schema SessionRecorder writes."""

from __future__ import annotations

import json
from pathlib import Path

GARDEN = "The garden is never finished. Soil and water make the garden grow. Compost feeds the soil."


def word_lines(text: str, start: float = 0.5, step: float = 0.4, **extra) -> list[dict]:
    out = []
    t = start
    for w in text.split():
        out.append({"type": "word", "text": w, "start": round(t, 3), "end": round(t + step * 0.8, 3),
                    "confidence": 0.9, "emitted_at": round(t + 1.5, 3), **extra})  # fmt: skip
        t += step
    return out


def concept(cid: int, text: str, mentions: int = 1, first_seen: float = 0.5, weight: float = 1.0) -> dict:
    return {"type": "concept", "id": cid, "text": text, "weight": weight, "mentions": mentions,
            "first_seen": first_seen, "emitted_at": first_seen + 2}  # fmt: skip


def write_session(folder: Path, name: str, lines: list[dict], *, started: str | None = None,
                  source: str = "microphone", tail: str = "") -> Path:
    """``folder/name.jsonl`` with a header, ``lines``, and ``tail`` appended raw (a torn line)."""
    folder.mkdir(parents=True, exist_ok=True)
    when = started or f"{name[:10]}T{name[11:13]}:{name[13:15]}:{name[15:17]}"
    header = {"type": "session", "started": when, "source": source}
    text = "\n".join(json.dumps(x) for x in [header, *lines]) + "\n" + tail
    path = folder / f"{name}.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def garden_session(folder: Path, name: str = "2026-11-26_090507") -> Path:
    lines = word_lines(GARDEN)
    lines += [concept(1, "garden", 1, 0.9), concept(2, "soil", 1, 4.9), concept(1, "gardens", 2, 0.9),
              {"type": "link", "a": 1, "b": 2, "strength": 0.5}, concept(3, "compost", 1, 7.7, weight=1.5),
              {"type": "retire", "id": 3}]  # fmt: skip
    return write_session(folder, name, lines)


def two_sessions(folder):
    """The garden session and a short one about soil: the library's usual test folder."""
    garden_session(folder)
    write_session(folder, "2026-11-27_180000", [*word_lines("rivers carry the soil to the sea"),
                                                concept(1, "soil", 1, 2.5)])
    return folder
