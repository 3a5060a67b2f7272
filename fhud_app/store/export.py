"""A session as a file to take elsewhere: Markdown, plain text, SRT, WebVTT, JSON (Qt-free).

* Markdown: the transcript in paragraphs, each with its time, then the session's concepts
  with their links as ``[[wiki links]]``, so the file drops into a notes vault.
* SRT and WebVTT: cues cut from the word timestamps, at most :data:`MAX_LINES` lines of
  :data:`LINE_CHARS` characters and :data:`MAX_CUE_S` seconds each; a pause, or the end of
  a sentence, starts a new cue.
* JSON: the concept graph (concepts, links, weights, mentions) and the words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fhud_app.store.session_file import SessionData, Word
from fhud_app.store.timefmt import clock

FORMATS = ("md", "txt", "srt", "vtt", "json")
LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 7.0
CUE_PAUSE_S = 1.5  # a silence this long ends a cue
SENTENCE_CUE_WORDS = 4  # a sentence that ends after this many words of a cue ends the cue
MIN_CUE_S = 0.5  # a cue stays up at least this long (unless the next one starts)
PARAGRAPH_PAUSE_S = 2.0
PARAGRAPH_WORDS = 80  # a long run of speech breaks at the next sentence end after this many words


def export(session: SessionData, fmt: str) -> str:
    """The text of ``session`` in ``fmt`` (one of :data:`FORMATS`)."""
    writers = {"md": to_markdown, "txt": to_text, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    return writers[fmt](session)


def paragraphs(words: list[Word]) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in words:
        cur = out[-1] if out else None
        if (cur is None or w.start - cur[-1].end >= PARAGRAPH_PAUSE_S
                or (len(cur) >= PARAGRAPH_WORDS and cur[-1].text.endswith((".", "?", "!")))
                or len(cur) >= 2 * PARAGRAPH_WORDS):  # fmt: skip
            out.append([w])
        else:
            cur.append(w)
    return out


def _clean(text: str) -> str:
    return " ".join(text.split())


def _title(session: SessionData) -> str:
    when = session.started.strftime("%Y-%m-%d %H:%M") if session.started else session.id
    return f"Session {when}"


def _wiki(text: str) -> str:
    name = "".join(c for c in _clean(text) if c not in "[]|#^")
    return f"[[{name}]]"


def to_markdown(session: SessionData) -> str:
    meta = [f"id {session.id}"]
    if session.started:
        meta.append(f"started {session.started:%Y-%m-%d %H:%M:%S}")
    if session.source:
        meta.append(f"source {session.source}")
    meta += [f"duration {clock(session.duration)}", f"{len(session.words)} words"]
    lines = [f"# {_title(session)}", "", " · ".join(meta), "", "## Transcript", ""]
    for para in paragraphs(session.words):
        lines += [f"**[{clock(para[0].start)}]** " + _clean(" ".join(w.text for w in para)), ""]
    if not session.words:
        lines += ["(nothing was said)", ""]
    lines += ["## Concepts", ""]
    neighbours: dict[str, list[tuple[float, str]]] = {}
    for (a, b), strength in session.links.items():
        neighbours.setdefault(a, []).append((strength, b))
        neighbours.setdefault(b, []).append((strength, a))
    for c in session.top_concepts(len(session.concepts)):
        line = f"- {_wiki(c.text)}: {c.mentions} mention{'s' * (c.mentions != 1)}, first at {clock(c.first_seen)}"
        linked = [session.concepts[k].text for _, k in sorted(neighbours.get(c.key, []), reverse=True)
                  if k in session.concepts]  # fmt: skip
        if linked:
            line += "; linked to " + ", ".join(_wiki(t) for t in linked)
        lines.append(line)
    if not session.concepts:
        lines.append("(no concepts)")
    return "\n".join(lines) + "\n"


def to_text(session: SessionData) -> str:
    paras = [_clean(" ".join(w.text for w in p)) for p in paragraphs(session.words)]
    return "\n\n".join(paras) + "\n" if paras else ""


# ------------------------------------------------------------------ subtitles
@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]


def wrap(texts: list[str], width: int = LINE_CHARS) -> list[str]:
    """Greedy word wrap (a word longer than ``width`` is cut into pieces)."""
    lines: list[str] = []
    for text in texts:
        for piece in (text[i : i + width] for i in range(0, len(text), width)):
            if lines and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
    return lines


def cues(words: list[Word]) -> list[Cue]:
    """Subtitle cues: ≤ MAX_LINES lines of ≤ LINE_CHARS characters, ≤ MAX_CUE_S seconds."""
    groups: list[list[Word]] = []
    for w in words:
        if not _clean(w.text):
            continue
        cur = groups[-1] if groups else None
        if (cur is None or w.end - cur[0].start > MAX_CUE_S or w.start - cur[-1].end > CUE_PAUSE_S
                or (len(cur) >= SENTENCE_CUE_WORDS and cur[-1].text.endswith((".", "?", "!")))
                or len(wrap([_clean(x.text) for x in [*cur, w]])) > MAX_LINES):  # fmt: skip
            groups.append([w])
        else:
            cur.append(w)
    out: list[Cue] = []
    for i, group in enumerate(groups):
        lines = wrap([_clean(w.text) for w in group])
        start = group[0].start
        end = max(group[-1].end, start + MIN_CUE_S)
        if i + 1 < len(groups):
            end = min(end, groups[i + 1][0].start)
        end = max(min(end, start + MAX_CUE_S), start + 0.001)
        # a single word longer than two lines: one cue per two lines, sharing its time
        for k in range(0, len(lines), MAX_LINES):
            out.append(Cue(start, end, lines[k : k + MAX_LINES]))
    return out


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(session: SessionData) -> str:
    blocks = [f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(c.lines)
              for i, c in enumerate(cues(session.words), 1)]  # fmt: skip
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _vtt_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(session: SessionData) -> str:
    blocks = ["WEBVTT"]
    for c in cues(session.words):
        blocks.append(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n"
                      + "\n".join(_vtt_text(line) for line in c.lines))  # fmt: skip
    return "\n\n".join(blocks) + "\n"


def to_json(session: SessionData) -> str:
    doc = {
        "id": session.id,
        "started": session.started.isoformat() if session.started else None,
        "source": session.source,
        "duration": round(session.duration, 3),
        "concepts": [{"key": c.key, "text": c.text, "weight": round(c.weight, 3), "mentions": c.mentions,
                      "first_seen": round(c.first_seen, 3)}
                     for c in session.top_concepts(len(session.concepts))],
        "links": [{"a": a, "b": b, "strength": round(s, 3)} for (a, b), s in session.links.items()],
        "words": [{"text": w.text, "start": round(w.start, 3), "end": round(w.end, 3),
                   "confidence": round(w.confidence, 3)} for w in session.words],
    }  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
