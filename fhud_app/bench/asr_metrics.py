"""What ``fhud bench asr`` measures on a stream of word events (pure functions).

The stream is the JSON Lines objects of the words ring (``core.events.JsonLines``):
words, drafts (with the audio time they reach), revisions and utterance ends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from fhud_app.bench.common import percentile

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty").split()
_DIGITS = {w: str(i) for i, w in enumerate(_SMALL)}


def normalize(text: str) -> str:
    """What WER compares: lower case, no punctuation or hyphens, and one spelling of what
    people write either way ("12%" / "12 percent", "$8" / "8 dollars", "1,600" / "1600",
    "ten" / "10" up to twenty), so a number's form is not counted as a recognition error."""
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"\$(\d[\d,.]*)", r"\1 dollars", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " "))
    return " ".join(_DIGITS.get(t, t) for t in text.split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref = normalize(reference)
    if not ref:
        return 0.0 if not normalize(hypothesis) else 1.0
    return float(jiwer.wer(ref, normalize(hypothesis) or "<empty>"))


@dataclass
class TimedWord:
    text: str
    start: float
    end: float
    emitted_at: float = 0.0
    utterance: int = 0


@dataclass
class Stream:
    """The words a run produced, as committed and as finally revised."""

    committed: list[TimedWord] = field(default_factory=list)
    final: dict[int, list[TimedWord]] = field(default_factory=dict)  # utterance -> words
    revisions: list[tuple[int, list[TimedWord], list[TimedWord]]] = field(default_factory=list)
    drafts: list[tuple[float, float, str]] = field(default_factory=list)  # emitted_at, reaches, text

    @property
    def final_words(self) -> list[TimedWord]:
        return [w for u in sorted(self.final) for w in self.final[u]]


def collect(objects: Sequence[dict[str, Any]]) -> Stream:
    s = Stream()
    for d in objects:
        kind = d.get("type")
        if kind == "word":
            w = TimedWord(d["text"], d["start"], d["end"], d["emitted_at"], d.get("utterance", 0))
            s.committed.append(w)
            s.final.setdefault(w.utterance, []).append(w)
        elif kind == "revision":
            u = int(d["utterance"])
            new = [TimedWord(x["text"], x["start"], x["end"], d["emitted_at"], u) for x in d["words"]]
            s.revisions.append((u, list(s.final.get(u, [])), new))
            s.final[u] = new
        elif kind == "draft" and d.get("reaches") is not None:
            s.drafts.append((float(d.get("emitted_at") or 0.0), float(d["reaches"]), d["text"]))
    return s


def revised_words(stream: Stream) -> int:
    """Committed words a revision later changed or removed."""
    changed = 0
    for _, old, new in stream.revisions:
        a = [normalize(w.text) for w in old]
        b = [normalize(w.text) for w in new]
        kept = sum(n for _, _, n in SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
        changed += len(a) - kept
    return changed


def first_seen_latencies(stream: Stream) -> list[float]:
    """For each committed word, audio seconds from its end to the first draft that reached
    past its middle and held it (or to its commit, when no draft did)."""
    out = []
    drafts = sorted(stream.drafts)
    for w in stream.committed:
        key, mid = normalize(w.text), (w.start + w.end) / 2
        seen = w.emitted_at
        for emitted, reaches, text in drafts:
            if emitted >= seen:
                break
            if reaches >= mid and key in normalize(text).split():
                seen = emitted
                break
        out.append(max(0.0, seen - w.end))
    return out


def doubled_phrases(words: Sequence[str], min_n: int = 3, max_n: int = 12) -> int:
    """How many times a phrase of ``min_n``+ words comes twice in a row."""
    toks = [normalize(w) for w in words]
    toks = [t for t in toks if t]
    count, i = 0, 0
    while i < len(toks):
        for n in range(min(max_n, (len(toks) - i) // 2), min_n - 1, -1):
            if toks[i : i + n] == toks[i + n : i + 2 * n]:
                count += 1
                i += n
                break
        i += 1
    return count


def assign(words: Sequence[TimedWord], starts: Sequence[float]) -> list[list[str]]:
    """The words of each paragraph (by the paragraph their middle falls in; a word up to
    0.3 s before a paragraph's start counts as its own)."""
    out: list[list[str]] = [[] for _ in starts]
    edges = np.asarray(starts, dtype=np.float64) - 0.3
    for w in words:
        i = max(0, int(np.searchsorted(edges, (w.start + w.end) / 2, side="right")) - 1)
        out[i].append(w.text)
    return out


def latency_figures(stream: Stream) -> dict[str, float]:
    lat = [w.emitted_at - w.end for w in stream.committed]
    return {
        "committed_p50": percentile(lat, 50),
        "committed_p95": percentile(lat, 95),
        "first_seen_p50": percentile(first_seen_latencies(stream), 50),
    }
