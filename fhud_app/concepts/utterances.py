"""Cutting the stream of final words into utterances.

An utterance ends after a word with sentence punctuation, before a word that follows a pause of
at least ``pause_s`` (audio time between one word's end and the next one's start), when it
reaches ``max_words``, or when no word has arrived for ``idle_s`` of wall time (a speaker who
stopped; by default ``pause_s`` plus a grace for the ASR's commit cadence, since a streaming
recognizer finalizes words in bursts about a second apart).  Qt-free; the :class:`~fhud_app.concepts.worker.ConceptWorker` drives it.

Every word carries the ASR's utterance id.  When the ASR revises an utterance (all its words
replaced), :meth:`UtteranceCutter.revise` replaces them in the open utterance and
:meth:`Ledger.revise` gives back every recent extraction that used them, with the revised words,
so its concepts can be retracted and extracted again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

SENTENCE_END = (".", "?", "!", "…")
IDLE_GRACE_S = 1.2


@dataclass
class Word:
    text: str
    start: float  # audio seconds
    end: float
    wall: float  # time.monotonic() when the word event was written
    emitted_at: float = 0.0  # audio seconds fed when the word became final
    utterance: int = 0  # the ASR's utterance id (0: none)


@dataclass
class Utterance:
    words: list[Word] = field(default_factory=list)
    reason: str = ""  # "punctuation" | "pause" | "length" | "idle" | "asr-end" | "flush"

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def start(self) -> float:
        return self.words[0].start if self.words else 0.0

    @property
    def end(self) -> float:
        return self.words[-1].end if self.words else 0.0

    @property
    def last_wall(self) -> float:
        return self.words[-1].wall if self.words else 0.0

    @property
    def emitted_at(self) -> float:
        return self.words[-1].emitted_at if self.words else 0.0

    def revise(self, utterance: int, words: list[Word]) -> bool:
        """Replace this utterance's words of ASR ``utterance`` by ``words``; True if it had any."""
        if not any(w.utterance == utterance for w in self.words):
            return False
        self.words = _replace(self.words, utterance, words)
        return True


class UtteranceCutter:
    """Feed words one at a time; closed utterances come back from :meth:`add` and :meth:`poll`."""

    def __init__(
        self, pause_s: float = 0.8, max_words: int = 40, idle_s: float | None = None
    ) -> None:
        self.pause_s = pause_s
        self.idle_s = pause_s + IDLE_GRACE_S if idle_s is None else idle_s
        self.max_words = max(1, max_words)
        self.open = Utterance()

    def add(self, word: Word) -> list[Utterance]:
        """Append ``word``; returns the utterances this closes (zero, one or two)."""
        closed: list[Utterance] = []
        if self.open.words and word.start - self.open.end >= self.pause_s:
            closed.append(self._close("pause"))
        self.open.words.append(word)
        if word.text.rstrip("\"')]").endswith(SENTENCE_END):
            closed.append(self._close("punctuation"))
        elif len(self.open.words) >= self.max_words:
            closed.append(self._close("length"))
        return closed

    def poll(self, now_wall: float) -> Utterance | None:
        """Close the open utterance when no word arrived for ``idle_s`` of wall time."""
        if self.open.words and now_wall - self.open.last_wall >= self.idle_s:
            return self._close("idle")
        return None

    def flush(self) -> Utterance | None:
        """Close whatever is open (end of input)."""
        return self._close("flush") if self.open.words else None

    @property
    def pending(self) -> bool:
        return bool(self.open.words)

    def asr_ended(self, utterance: int) -> Utterance | None:
        """The ASR closed ``utterance``: close the open utterance when it ends there."""
        ids = [w.utterance for w in self.open.words]
        if ids and utterance in ids and max(ids) <= utterance:
            return self._close("asr-end")
        return None

    def revise(self, utterance: int, words: list[Word]) -> bool:
        """Replace the open utterance's words of ASR ``utterance`` by ``words`` (those that
        were already cut off are the ledger's); True when the open utterance changed."""
        return self.open.revise(utterance, words)

    def _close(self, reason: str) -> Utterance:
        done, self.open = self.open, Utterance()
        done.reason = reason
        return done


class Merged:
    """Consecutive utterances extracted together."""

    def __init__(self, parts: list[Utterance]) -> None:
        self.parts = parts
        self.words = [w for u in parts for w in u.words]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def end(self) -> float:
        return self.words[-1].end

    @property
    def last_wall(self) -> float:
        return self.words[-1].wall


def merge_utterances(closed: list[Utterance], max_words: int) -> list[Merged]:
    """Group consecutive utterances into runs of at most ``max_words`` words (oldest first)."""
    groups: list[list[Utterance]] = []
    count = 0
    for utt in closed:
        if groups and count + len(utt.words) <= max_words:
            groups[-1].append(utt)
            count += len(utt.words)
        else:
            groups.append([utt])
            count = len(utt.words)
    return [Merged(g) for g in groups]


def _replace(old: list[Word], utterance: int, words: list[Word]) -> list[Word]:
    """``old`` with its words of ``utterance`` replaced by ``words``, in time order."""
    kept = [w for w in old if w.utterance != utterance]
    lo = min((w.start for w in old if w.utterance == utterance), default=0.0)
    hi = max((w.end for w in old if w.utterance == utterance), default=0.0)
    new = [w for w in words if w.end > lo - 1e-6 and w.start < hi + 1e-6] if kept else words
    return sorted(kept + new, key=lambda w: w.start)


class Ledger:
    """The words of the last ``size`` extractions, by key, to redo them when the ASR revises."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._groups: OrderedDict[int, list[Word]] = OrderedDict()

    def record(self, key: int, words: list[Word]) -> None:
        self._groups[key] = list(words)
        self._groups.move_to_end(key)
        while len(self._groups) > self.size:
            self._groups.popitem(last=False)

    def revise(self, utterance: int, words: list[Word]) -> list[tuple[int, list[Word]]]:
        """(key, revised words) of every recorded extraction that used words of ``utterance``;
        the ledger keeps the revised words."""
        out = []
        for key, old in self._groups.items():
            if any(w.utterance == utterance for w in old):
                self._groups[key] = _replace(old, utterance, words)
                out.append((key, self._groups[key]))
        return out

    def __len__(self) -> int:
        return len(self._groups)
