"""The live caption line and word → concept matching (Qt-free).

Words flow left to right along the bottom of the field like a live caption;
when a line is full the older lines move up.  A word stays legible for
``word_life_s`` seconds and then dissolves into particles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

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

    def add(self, text: str, now: float) -> Word | None:
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
        word = Word(text, normalize(text), now, x, width=w, dissolve_at=now + self.word_life_s)
        word.y = self.baseline(0)
        self._cursor = x + w + space
        self.words.append(word)
        return word

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
