"""The live caption line and word → concept matching (Qt-free).

Words flow left to right along the bottom of the field like a live caption;
when a line is full the older lines move up.  A word stays legible for
``word_life_s`` seconds and then dissolves into particles.  A revision of an
utterance still on screen replaces its words where they stand: unchanged words
stay, changed ones fade in, and the words after them glide to their new places.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from fhud_app.store.normalize import lemma

MAX_WORD_CHARS = 28
FADE_IN_S = 0.25
DISSOLVE_S = 0.7
CAPTION_LINES = 2

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def clean_text(text: str, limit: int = MAX_WORD_CHARS) -> str:
    """Printable, single-line, ellipsized text ('' when nothing is left)."""
    text = " ".join(text.split())
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch == "\u200d")
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def normalize(token: str) -> str:
    """Lower-case, punctuation-free lemma used for matching (the store's own normalizer)."""
    return lemma(_PUNCT.sub("", token.casefold()))


def phrase_tokens(phrase: str) -> set[str]:
    return {n for n in (normalize(p) for p in phrase.split()) if n}


def approx_measure(text: str, px: float) -> float:
    """A Qt-free width estimate (the app passes the glyph atlas's exact one)."""
    return 0.56 * px * len(text)


Measure = Callable[[str, str], float]  # (role, text) -> logical px


@dataclass
class Word:
    text: str
    key: str  # normalized form for matching
    born: float
    x: float
    line: int = 0  # 0 = the newest (bottom) line
    y: float = -1.0  # baseline, eased toward the line's baseline
    width: float = 0.0
    dissolve_at: float = 0.0
    spawned: bool = False
    utterance: int = 0  # the ASR utterance the word belongs to (0: unknown)
    tx: float = -1.0  # the x the word glides to after a revision (< 0: where it is)


@dataclass
class Caption:
    """Positions of the visible words; knows nothing about particles."""

    width: float
    height: float
    measure: Measure
    word_life_s: float
    max_words: int
    font_px: float = 22.0
    words: list[Word] = field(default_factory=list)
    _cursor: float = 0.0
    dropped: int = 0

    @property
    def line_h(self) -> float:
        return self.font_px * 1.45

    @property
    def margin(self) -> float:
        return max(16.0, min(48.0, self.width * 0.05))

    @property
    def top(self) -> float:
        """The y above which the caption never draws (the concept field ends here)."""
        return self.height - self.margin - CAPTION_LINES * self.line_h - 8

    def baseline(self, line: int) -> float:
        return self.height - self.margin - line * self.line_h - self.font_px * 0.3

    def add(self, text: str, now: float, utterance: int = 0) -> Word | None:
        text = clean_text(text)
        if not text:
            return None
        w = max(1.0, self.measure("word", text))
        space = self.measure("word", " ") or self.font_px * 0.3
        left, right = self.margin, self.width - self.margin
        if self._cursor > left and self._cursor + w > right:
            for old in self.words:
                old.line += 1
            self._cursor = left
        x = max(left, self._cursor)
        word = Word(text, normalize(text), now, x, width=w, dissolve_at=now + self.word_life_s,
                    utterance=utterance)  # fmt: skip
        word.y = self.baseline(0)
        self._cursor = x + w + space
        self.words.append(word)
        return word

    def revise(self, utterance: int, texts: Sequence[str], now: float) -> bool:
        """Replace the words of ``utterance`` by ``texts`` where they stand; False when none
        of its words is on screen any more, or one has begun to dissolve (nothing changes)."""
        idx = [i for i, w in enumerate(self.words) if utterance and w.utterance == utterance]
        if not idx or any(self.words[i].spawned for i in idx):
            return False
        i0, i1 = idx[0], idx[-1] + 1
        old = self.words[i0:i1]
        new = [t for t in (clean_text(t) for t in texts) if t]
        keep: dict[int, Word] = {}  # index in new -> the unchanged old word
        matcher = SequenceMatcher(a=[w.text for w in old], b=new, autojunk=False)
        for a, b, n in matcher.get_matching_blocks():
            keep.update({b + k: old[a + k] for k in range(n)})
        life = max((w.dissolve_at for w in old), default=now + self.word_life_s)
        words = []
        for j, text in enumerate(new):
            w = keep.get(j) or Word(text, normalize(text), now, old[0].x, line=old[0].line,
                                    y=old[0].y, width=max(1.0, self.measure("word", text)),
                                    dissolve_at=life, utterance=utterance)  # fmt: skip
            words.append(w)
        self.words[i0:i1] = words
        self._reflow(i0, old[0].x, old[0].line)
        return True

    def _reflow(self, i0: int, x: float, line: int) -> None:
        """Lay the words from ``i0`` on out again, starting at (``x``, ``line``); the
        newest line stays line 0 and the older lines move by the lines gained or lost."""
        space = self.measure("word", " ") or self.font_px * 0.3
        left, right = self.margin, self.width - self.margin
        rows: list[int] = []
        row = 0
        for w in self.words[i0:]:
            if x > left and x + w.width > right:
                row, x = row + 1, left
            w.tx = x
            rows.append(row)
            x += w.width + space
        shift = row - line  # the first revised word's line becomes ``row`` lines above 0
        for w in self.words[:i0]:
            w.line += shift
        for w, r in zip(self.words[i0:], rows, strict=True):
            w.line = row - r
        self._cursor = x if self.words[i0:] else self._cursor

    def update(self, now: float, dt: float) -> list[Word]:
        """Ease lines into place; return the words that start dissolving now."""
        out: list[Word] = []
        over = len(self.words) - self.max_words
        for i, w in enumerate(self.words):
            if (i < over or w.line >= CAPTION_LINES) and w.dissolve_at > now:
                w.dissolve_at = now  # too many or scrolled away: dissolve early
            if not w.spawned and now >= w.dissolve_at:
                w.spawned = True
                out.append(w)
            target = self.baseline(w.line)
            w.y += (target - w.y) * min(1.0, dt * 10.0)
            if w.tx >= 0.0:  # gliding after a revision
                w.x += (w.tx - w.x) * min(1.0, dt * 10.0)
                if abs(w.tx - w.x) < 0.5:
                    w.x, w.tx = w.tx, -1.0
        self.words = [w for w in self.words if now < w.dissolve_at + DISSOLVE_S]
        excess = len(self.words) - 2 * self.max_words
        if excess > 0:  # a flood: fading words go first, oldest first
            self.dropped += excess
            del self.words[:excess]
        if not self.words:
            self._cursor = self.margin
        return out

    def fit_tail(self, text: str) -> tuple[float, str]:
        """Where the draft tail goes after the last word, and as much of its end as fits."""
        x = self._cursor if self.words else self.margin
        room = self.width - self.margin - x
        if self.measure("word", text) <= room:
            return x, text
        words = text.split()
        for cut in range(1, len(words)):  # whole words only: no "…bers it" fragments
            tail = "…" + " ".join(words[cut:])
            if self.measure("word", tail) <= room:
                return x, tail
        return x, "…" if self.measure("word", "…") <= room else ""

    def alpha(self, w: Word, now: float) -> float:
        a = min(1.0, max(0.0, (now - w.born) / FADE_IN_S))
        if now > w.dissolve_at:
            a *= max(0.0, 1.0 - (now - w.dissolve_at) / DISSOLVE_S)
        return a

    def resize(self, width: float, height: float) -> None:
        self.width, self.height = float(width), float(height)
        self._cursor = min(self._cursor, self.width - self.margin)
