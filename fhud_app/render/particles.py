"""The HUD's particle model: words, concept clusters, links and pooled particles.

Qt-free (numpy only).  The view calls :meth:`ParticleModel.consume` with
``EVENT_DTYPE`` records read non-blocking from the rings, :meth:`update` once
per frame, then reads the arrays below; particles move on the GPU, so only
slots written since the last frame (:meth:`ParticlePool.take_dirty`) are uploaded.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from fhud_app.core.config import RenderConfig
from fhud_app.core.events import EVENT_DTYPE, JsonLines, Kind, decode_text
from fhud_app.render.caption import DISSOLVE_S, Caption, Measure, Word, approx_measure, clean_text
from fhud_app.render.concepts import ConceptSet
from fhud_app.render.pool import PARTICLE_FLOATS, ParticlePool

FONT_PX = {"word": 22.0, "label": 16.0, "overlay": 12.0}
WORD_RGBA = (0.93, 0.95, 1.0, 1.0)
DRAFT_RGBA = (0.70, 0.76, 0.88, 0.55)
RECENT_CONCEPT_S = 12.0  # an unmatched word drifts to a concept mentioned this recently
DRAFT_SHOW_S = 3.0  # a draft tail nobody replaced is stale after this long
LAYOUT_STEP_S = 1 / 30  # the layout integrates at most 30 times a second
BURST_PER_MENTION = 10  # particles that rise into a concept per newly counted mention
BURST_MAX = 60
LATE_BIND_S = 6.0  # a concept that appears this soon after a word still collects it
ARRIVE_S = 0.6  # a new word fades in and its line eases into place this long


@dataclass(frozen=True)
class TextItem:
    role: str  # "word" | "label" | "overlay": selects the font
    text: str
    x: float  # left, logical px
    y: float  # baseline, logical px
    rgba: tuple[float, float, float, float]


def _default_measure(role: str, text: str) -> float:
    return approx_measure(text, FONT_PX.get(role, 16.0))


class ParticleModel:
    """Everything the renderer draws, in logical pixels (origin top-left, y down)."""

    def __init__(
        self,
        config: RenderConfig | None = None,
        size: tuple[float, float] = (720.0, 420.0),
        measure: Measure | None = None,
        max_concepts: int = 64,
        seed: int = 7,
    ) -> None:
        self.config = config or RenderConfig()
        self.measure = measure or _default_measure
        self.pool = ParticlePool(self.config.max_particles)
        self.caption = Caption(
            float(size[0]), float(size[1]), self.measure, self.config.word_life_s,
            self.config.max_words, FONT_PX["word"],
        )
        self.concepts = ConceptSet(max_concepts, self.measure, FONT_PX["label"])
        self.now = 0.0
        self.draft = ("", 0.0)
        self.words_seen = 0
        self.words_dropped = 0
        self._revisions = JsonLines()  # joins a revision's records (they may span two batches)
        self._rng = np.random.default_rng(seed)
        self._pending: deque[tuple[str, np.ndarray, float]] = deque(maxlen=64)
        self._in_flight_until = -math.inf
        self._speed = 0.0
        self._layout_dt = 0.0
        self.particle_share = 1.0  # below 1 when the view yields the CPU to the models

    def set_measure(self, measure: Measure) -> None:
        """Use exact text widths (the glyph atlas's) from now on."""
        self.measure = self.caption.measure = self.concepts.measure = measure

    # ------------------------------------------------------------ geometry
    @property
    def size(self) -> tuple[float, float]:
        return self.caption.width, self.caption.height

    def resize(self, width: float, height: float) -> None:
        if (width, height) != self.size:
            self.caption.resize(max(width, 1.0), max(height, 1.0))
            self.concepts.dirty = True

    def field(self) -> tuple[float, float, float, float]:
        m = self.caption.margin * 0.6
        return (m, m, self.caption.width - m, max(m + 40.0, self.caption.top))

    # ------------------------------------------------------------ events
    def consume(self, events: np.ndarray) -> None:
        """Apply a batch of ``EVENT_DTYPE`` records (any kinds, any order)."""
        if events is None or len(events) == 0:
            return
        if events.dtype != EVENT_DTYPE:
            raise TypeError("consume() takes EVENT_DTYPE records")
        kinds = events["kind"]
        for rec in events[(kinds == Kind.CONCEPT) | (kinds == Kind.LINK) | (kinds == Kind.RETIRE)]:
            self._concept_event(rec)
        self._words(events[kinds == Kind.WORD])
        for rev in self._revisions.feed(events[kinds == Kind.REVISION]):
            self.caption.revise(rev["utterance"], [w["text"] for w in rev["words"]], self.now)
        drafts = np.flatnonzero(kinds == Kind.DRAFT)
        if len(drafts) and not (kinds[drafts[-1] :] == Kind.WORD).any():
            # the newest draft came after every word of this batch: it is still the tail
            self.draft = (clean_text(decode_text(events[drafts[-1]]["text"]), 48), self.now)

    def _words(self, words: np.ndarray) -> None:
        self.words_seen += len(words)
        keep = self.config.max_words
        if len(words) > keep:  # a flood: show only the newest
            self.words_dropped += len(words) - keep
            words = words[-keep:]
        for rec in words:
            if self.caption.add(decode_text(rec["text"]), self.now, int(rec["id"])) is not None:
                self.draft = ("", self.now)

    def _concept_event(self, rec: np.void) -> None:
        kind = int(rec["kind"])
        if kind == Kind.CONCEPT:
            cid = int(rec["id"])
            old = self.concepts.by_id.get(cid)
            before = old.mentions if old is not None else 0
            text = clean_text(decode_text(rec["text"]), 40)
            new = self.concepts.upsert(cid, text, float(rec["value"]), self.now)
            c = self.concepts.by_id.get(cid)
            if c is None or cid not in self.concepts.shown:  # off screen: nothing to fly to
                return
            if new is not None:
                self._late_bind(new)
            if c is not None:
                c.mentions = max(before, int(rec["count"]), 1)
                self._burst(c, c.mentions - before)
        elif kind == Kind.LINK:
            self.concepts.link(int(rec["a"]), int(rec["b"]), float(rec["value"]))
        else:
            self.concepts.retire(int(rec["id"]), self.now)

    # ------------------------------------------------------------ per frame
    def update(self, now: float) -> None:
        dt = max(0.0, float(now) - self.now) if math.isfinite(now) else 0.0
        self.now += dt
        self.pool.reclaim(self.now)
        for word in self.caption.update(self.now, dt):
            self._dissolve(word)
        for slot in self.concepts.update(self.now, dt):
            self._drop_target(slot)
        self._layout_dt += dt
        if self._layout_dt >= LAYOUT_STEP_S and (self._speed > 0.0 or self.concepts.changing
                                                  or self.concepts.dirty):
            self._speed = self.concepts.layout(self.field(), self._layout_dt)
            self._layout_dt = 0.0

    @property
    def animating(self) -> bool:
        """Something moves faster than the slow drift (the view draws at the display rate)."""
        return self.motion() not in ("slow drift", "")

    def motion(self) -> str:
        """What moves on screen, the fastest first: 'word arriving', 'word dissolving',
        'particles in flight', 'cluster forming' (the display rate), 'slow drift' (the
        settle rate: orbiting particles, breathing clusters, words at rest), '' (empty)."""
        now = self.now
        words = self.caption.words
        if any(now - w.born < ARRIVE_S for w in words):
            return "word arriving"
        if any(w.dissolve_at <= now < w.dissolve_at + DISSOLVE_S for w in words):
            return "word dissolving"
        if now < self._in_flight_until:
            return "particles in flight"
        if self._speed > 2.0 or self.concepts.changing:
            return "cluster forming"
        return "" if self.empty else "slow drift"

    def next_motion_in(self) -> float:
        """Seconds until something scheduled starts moving (a resting word dissolves)."""
        due = [w.dissolve_at for w in self.caption.words if w.dissolve_at > self.now]
        return max(0.0, min(due) - self.now) if due else math.inf

    @property
    def empty(self) -> bool:
        """Nothing on screen at all (no word, draft, particle or cluster): the view may stop."""
        return not (
            self.caption.words or self._draft_visible() or self.pool.live or self.concepts.visible
        )

    # ------------------------------------------------------------ particles
    def _dissolve(self, word: Word) -> None:
        target = self._target_for(word.key)
        n = self._share(int(np.clip(len(word.text) * 8 + 10, 12, 72)))
        slots = self.pool.allocate(n)
        self._spawn(slots, word.x, word.y, word.width, target)
        if target < 0 and word.key:
            self._pending.append((word.key, slots, self.now))

    def _share(self, n: int) -> int:
        """``n`` particles, fewer while the view yields to the models (never none)."""
        return n if self.particle_share >= 1.0 or n == 0 else max(4, round(n * self.particle_share))

    def _target_for(self, key: str) -> int:
        c = self.concepts.match(key)
        if c is None:
            c = self.concepts.most_recent(self.now - RECENT_CONCEPT_S)
        return -1 if c is None else c.slot

    def _burst(self, concept, new_mentions: int) -> None:  # noqa: ANN001 - a concepts.Concept
        """Mentions the concept stage counted (often seconds after their words dissolved)
        rise from the caption line into the cluster: it grows with every mention."""
        n = self._share(int(min(max(new_mentions, 0) * BURST_PER_MENTION, BURST_MAX)))
        if n:
            left = self.caption.margin
            width = self.caption.width - 2 * left
            self._spawn(self.pool.allocate(n), left, self.caption.baseline(0), width, concept.slot, 0.8)

    def _spawn(self, slots: np.ndarray, x: float, y: float, width: float, target: int,
               stagger: float = 0.35) -> None:
        n = slots.size
        r = self._rng.random((n, 5), dtype=np.float32)
        fx = r[:, 0]
        rows = np.empty((n, PARTICLE_FLOATS), dtype=np.float32)
        rows[:, 0] = x + fx * width
        rows[:, 1] = y - r[:, 1] * FONT_PX["word"] * 0.75
        rows[:, 2] = target
        rows[:, 3] = r[:, 2]
        rows[:, 4] = self.now + stagger * fx  # the dissolve sweeps left to right
        self._set_flight(rows, r, target)
        self.pool.write(slots, rows, rows[:, 4] + rows[:, 6])

    def _set_flight(self, rows: np.ndarray, r: np.ndarray, target: int) -> None:
        if target >= 0:
            rows[:, 5] = 1.8 + 1.6 * r[:, 3]
            rows[:, 6] = rows[:, 5] + 20.0 + 30.0 * r[:, 4]
        else:
            rows[:, 5] = 0.0
            rows[:, 6] = 2.2 + 1.2 * r[:, 3]
        rows[:, 7] = 1.4 + 1.8 * r[:, 4] ** 2
        self._in_flight_until = max(self._in_flight_until, float((rows[:, 4] + rows[:, 5]).max()) + 0.5)
        if target < 0:
            self._in_flight_until = max(self._in_flight_until, float((rows[:, 4] + rows[:, 6]).max()))

    def _late_bind(self, concept) -> None:  # noqa: ANN001 - a concepts.Concept
        """A concept that arrives just after its words still collects their particles."""
        waiting = [p for p in self._pending if self.now - p[2] <= LATE_BIND_S]
        self._pending.clear()
        for key, slots, t in waiting:
            if key not in concept.keys:
                self._pending.append((key, slots, t))
                continue
            rows = self.pool.data[slots]
            alive = (rows[:, 2] < 0) & (self.pool.expires[slots] > self.now)
            slots, rows = slots[alive], rows[alive]
            if not slots.size:
                continue
            age = np.clip(self.now - rows[:, 4], 0.0, None) / np.maximum(rows[:, 6], 1e-3)
            rows[:, 1] -= 60.0 * age * (2.0 - age)  # where the fading drift has got to
            rows[:, 2] = concept.slot
            rows[:, 4] = self.now
            r = self._rng.random((slots.size, 5), dtype=np.float32)
            self._set_flight(rows, r, concept.slot)
            self.pool.write(slots, rows, rows[:, 4] + rows[:, 6])

    def _drop_target(self, slot: int) -> None:
        """A concept slot was freed: its particles must not jump to the next occupant."""
        hit = np.flatnonzero((self.pool.data[:, 2] == slot) & (self.pool.expires > self.now))
        if hit.size:
            self.pool.data[hit, 6] = -1.0
            self.pool.expires[hit] = self.now
            self.pool.touch(hit)

    # ------------------------------------------------------------ what to draw
    def text_items(self) -> list[TextItem]:
        out: list[TextItem] = []
        for w in self.caption.words:
            a = self.caption.alpha(w, self.now)
            if a > 0.01:
                out.append(TextItem("word", w.text, w.x, w.y, WORD_RGBA[:3] + (a,)))
        text, _ = self.draft
        if self._draft_visible():
            x, fitted = self.caption.fit_tail(text)
            if fitted:
                out.append(TextItem("word", fitted, x, self.caption.baseline(0), DRAFT_RGBA))
        out.extend(self.concepts.label_items(TextItem))
        return out

    def _draft_visible(self) -> bool:
        text, since = self.draft
        return bool(text) and self.now - since < DRAFT_SHOW_S

    def stats(self) -> dict[str, float]:
        return {
            "particles": float(self.pool.live),
            "words": float(len(self.caption.words)),
            "concepts": float(self.concepts.active_count),
            "words_dropped": float(self.words_dropped),
            "particles_recycled": float(self.pool.recycled),
        }

