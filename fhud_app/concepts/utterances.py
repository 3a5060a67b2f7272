"""Cutting the stream of final words into utterances.

An utterance ends after a word with sentence punctuation, before a word that follows a pause of
at least ``pause_s`` (audio time between one word's end and the next one's start), when it
reaches ``max_words``, or when no word has arrived for ``idle_s`` of wall time (a speaker who
stopped; by default ``pause_s`` plus a grace for the ASR's commit cadence, since a streaming
recognizer finalizes words in bursts about a second apart).  Qt-free; the :class:`~fhud_app.concepts.worker.ConceptWorker` drives it.

Every word carries the ASR's utterance id.  When the ASR revises an utterance (all its words
replaced), :func:`share_revision` hands each holder of its words (the recent extractions in the
:class:`Ledger`, the cut utterances not extracted yet, the open utterance) its share of the
revised words, so an extraction whose words changed is done again and its lost concepts retire.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import pairwise

SENTENCE_END = (".", "?", "!", "…")
IDLE_GRACE_S = 1.2


@dataclass
class Word:
    """A final word as the concept stage reads it from the words ring (the ASR's
    :class:`fhud_app.asr.base.Word` plus when it was written)."""

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


def share_revision(holders: list[list[Word]], utterance: int, words: list[Word]) -> list[list[Word]]:
    """``holders`` (word lists: recent extractions, cut utterances, the open one) with their
    words of ASR ``utterance`` replaced by their share of the revised ``words``.

    An ASR utterance is often cut into several concept utterances (a sentence each): every
    holder of its words gets only the revised words that fall in its part of the time line,
    the boundary between two holders lying halfway between them.  A holder without words of
    ``utterance`` is given back unchanged.
    """
    out = [list(h) for h in holders]
    spans = sorted(
        (min(w.start for w in h if w.utterance == utterance),
         max(w.end for w in h if w.utterance == utterance), i)
        for i, h in enumerate(holders) if any(w.utterance == utterance for w in h)
    )  # fmt: skip
    if not spans:
        return out
    bounds = [(a[1] + b[0]) / 2 for a, b in pairwise(spans)]
    shares: list[list[Word]] = [[] for _ in spans]
    for w in words:
        shares[bisect_right(bounds, (w.start + w.end) / 2)].append(w)
    for (_, _, i), share in zip(spans, shares, strict=True):
        kept = [w for w in holders[i] if w.utterance != utterance]
        out[i] = sorted(kept + share, key=lambda w: w.start)
    return out


def revise_holders(
    utterance: int, words: list[Word], ledger: Ledger, closed: list[Utterance], cutter: UtteranceCutter
) -> tuple[list[tuple[int, list[Word], list[Word]]], bool]:
    """Apply a revision of ASR ``utterance`` to every holder of its words (see
    :func:`share_revision`); returns the (key, old words, new words) of the recorded
    extractions whose words changed, and whether the open utterance changed."""
    keys = ledger.holding(utterance)
    olds = [ledger.words(k) for k in keys]
    holders = [*olds, *(u.words for u in closed), cutter.open.words]
    shared = share_revision(holders, utterance, words)
    for u, new in zip(closed, shared[len(keys) : -1], strict=True):
        u.words = new
    open_changed = not same_words(cutter.open.words, shared[-1])
    cutter.open.words = shared[-1]
    redo = []
    for key, old, new in zip(keys, olds, shared[: len(keys)], strict=True):
        ledger.update(key, new)
        if not same_words(old, new):
            redo.append((key, old, new))
    return redo, open_changed


def new_ideas(old: list[Word], new: list[Word]) -> bool:
    """Whether revised words name other things than the old ones did: another set of noun
    phrases (by their lemmatized keys), or none where there were some."""
    from fhud_app.concepts.pos import shared_tagger
    from fhud_app.store.normalize import phrase_key

    tagger = shared_tagger()

    def keys(words: list[Word]) -> set[str]:
        text = " ".join(w.text for w in words)
        return {phrase_key(p.text) for p in tagger.candidates(text)} if text else set()

    return keys(old) != keys(new)


def same_words(a: list[Word], b: list[Word]) -> bool:
    """The same words, case and punctuation aside (a revision that changes no concept's input)."""
    return _plain(a) == _plain(b)


def _plain(words: list[Word]) -> list[str]:
    return [t for t in (w.text.strip(_PUNCT).lower() for w in words) if t]


_PUNCT = ".,;:!?…\"'()[]-"


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

    def holding(self, utterance: int) -> list[int]:
        """The keys of the recorded extractions that used words of ASR ``utterance``."""
        return [k for k, ws in self._groups.items() if any(w.utterance == utterance for w in ws)]

    def words(self, key: int) -> list[Word]:
        return self._groups[key]

    def update(self, key: int, words: list[Word]) -> None:
        """The revised words of extraction ``key`` (its place in the ledger kept)."""
        self._groups[key] = list(words)

    def __len__(self) -> int:
        return len(self._groups)
