"""Concept clusters and their links, in fixed slots the shaders index (Qt-free)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fhud_app.render import layout
from fhud_app.render.caption import Measure, phrase_tokens
from fhud_app.store.normalize import phrase_key

PALETTE = np.array(
    [
        (0.38, 0.85, 1.00),  # cyan
        (0.62, 0.55, 1.00),  # violet
        (1.00, 0.74, 0.42),  # amber
        (0.42, 1.00, 0.78),  # mint
        (1.00, 0.52, 0.70),  # rose
        (0.55, 0.72, 1.00),  # periwinkle
    ],
    dtype=np.float32,
)
FADE_IN_S = 1.2
FADE_OUT_S = 3.0  # a retired concept
HIDE_S = 1.0  # a concept that no longer fits (it may come back)
MAX_LINKS = 256
FILL = 0.38  # cluster+label boxes may cover this share of the field: room to breathe
MIN_SHOWN, MAX_SHOWN = 3, 24
LINKS_PER_SHOWN = 1.5  # at most this many filaments per concept on screen
_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))
RECALL_MARK = "↺"  # a concept that came up in earlier sessions: "garden ↺3"


def sanitize(value: float, default: float, hi: float = 1e6) -> float:
    v = float(value)
    if not math.isfinite(v):
        return hi if v > 0 else default if math.isnan(v) else 0.0
    return min(max(v, 0.0), hi)


@dataclass
class Concept:
    id: int
    text: str
    slot: int
    weight: float
    keys: set[str]
    born: float
    updated: float
    label_w: float
    retired_at: float = math.inf
    seed: float = field(default=0.0)
    mentions: int = 0
    recalled: int = 0  # earlier sessions it came up in (the concept memory; 0 when off)

    @property
    def label(self) -> str:
        return f"{self.text} {RECALL_MARK}{self.recalled}" if self.recalled else self.text


class ConceptSet:
    def __init__(self, capacity: int, measure: Measure, label_px: float) -> None:
        self.capacity = capacity
        self.measure = measure
        self.label_px = label_px
        self.by_id: dict[int, Concept] = {}
        self.slots: list[Concept | None] = [None] * capacity
        self.pos = np.zeros((capacity, 2))
        self.vel = np.zeros((capacity, 2))
        self.radius = np.zeros(capacity)
        self.alpha = np.zeros(capacity)
        self.links: dict[tuple[int, int], float] = {}
        self.changing = False
        self.dirty = True  # something the layout depends on changed since its last step
        self._created = 0
        self._evicted: list[int] = []
        self.shown: set[int] = set()  # ids on screen: the heaviest that fit the field
        self._field_area = math.inf
        self._centre = (360.0, 180.0, 200.0)
        self.recall: dict[str, int] = {}  # normalized phrase -> earlier sessions (empty: memory off)

    def set_recall(self, counts: dict[str, int]) -> None:
        """Mark concepts said in earlier sessions with the count of those sessions."""
        self.recall = dict(counts)
        for c in self.by_id.values():
            self._relabel(c)
        self.dirty = True

    def _relabel(self, c: Concept) -> None:
        c.recalled = self.recall.get(phrase_key(c.text), 0) if self.recall else 0
        c.label_w = self._label_w(c.label)

    # ------------------------------------------------------------ events
    def upsert(self, cid: int, text: str, weight: float, now: float) -> Concept | None:
        """Create or update; returns the concept when it is new."""
        self.dirty = True
        w = sanitize(weight, 1.0)
        c = self.by_id.get(cid)
        if c is not None:
            c.weight, c.updated, c.retired_at = w, now, math.inf
            if text and text != c.text:
                c.text, c.keys = text, phrase_tokens(text)
                self._relabel(c)
            self._choose_shown()
            return None
        if not text:
            return None
        slot = self._free_slot()
        c = Concept(cid, text, slot, w, phrase_tokens(text), now, now, self._label_w(text))
        if self.recall:
            self._relabel(c)
        c.seed = (cid * 0.61803398875) % 1.0
        self.by_id[cid] = c
        self.slots[slot] = c
        self._place(slot)
        self._choose_shown()
        return c

    def _label_w(self, text: str) -> float:
        return max(1.0, float(self.measure("label", text)))

    def _free_slot(self) -> int:
        for i, c in enumerate(self.slots):
            if c is None:
                return i
        victims = [c for c in self.slots if c is not None]
        victim = min(victims, key=lambda c: (c.retired_at == math.inf, c.weight, c.updated))
        self._free(victim)
        return victim.slot

    def _place(self, slot: int) -> None:
        cx, cy, r = self._centre
        k = self._created
        self._created += 1
        ang = k * _GOLDEN
        rad = r * math.sqrt(((k % 13) + 0.5) / 13.0)
        self.pos[slot] = (cx + math.cos(ang) * rad, cy + math.sin(ang) * rad * 0.7)
        self.vel[slot] = 0.0
        self.radius[slot] = 4.0
        self.alpha[slot] = 0.0

    def link(self, a: int, b: int, strength: float) -> None:
        self.dirty = True
        if a == b:
            return
        key = (min(a, b), max(a, b))
        s = sanitize(strength, 0.5, 1.0)
        if s <= 0.0:
            self.links.pop(key, None)
            return
        self.links[key] = s
        if len(self.links) > MAX_LINKS:
            weakest = min(self.links, key=self.links.__getitem__)
            del self.links[weakest]

    def retire(self, cid: int, now: float) -> None:
        self.dirty = True
        c = self.by_id.get(cid)
        if c is not None and c.retired_at == math.inf:
            c.retired_at = now
            self._choose_shown()

    def clear(self) -> None:
        """Forget every concept (a new session: its ids start again at 1)."""
        for c in list(self.by_id.values()):
            self._free(c)
        self.shown = set()

    def _free(self, c: Concept) -> None:
        self.dirty = True
        self.slots[c.slot] = None
        self.by_id.pop(c.id, None)
        self.alpha[c.slot] = 0.0
        self.links = {k: v for k, v in self.links.items() if c.id not in k}
        self._evicted.append(c.slot)

    # ------------------------------------------------------------ lookups
    def active(self) -> list[Concept]:
        return [c for c in self.slots if c is not None and c.retired_at == math.inf]

    @property
    def active_count(self) -> int:
        return len(self.active())

    @property
    def visible(self) -> bool:
        """True while any cluster is drawn (fading ones included) or about to be."""
        return self.changing or bool((self.alpha > 0.0).any())

    def on_screen(self) -> list[Concept]:
        return [c for c in self.active() if c.id in self.shown]

    def _choose_shown(self) -> None:
        """The heaviest concepts that fit; the rest wait off screen (still matched by id)."""
        ranked = sorted(self.active(), key=lambda c: (c.weight, c.updated), reverse=True)
        wmax = ranked[0].weight if ranked else 1.0
        budget, shown = FILL * self._field_area, set()
        for c in ranked[:MAX_SHOWN]:
            r = self.target_radius(c.weight, wmax)
            w = max(2 * r, c.label_w) + layout.BOX_PAD
            h = 2 * r + layout.LABEL_GAP + self.label_px * 1.3 + layout.BOX_PAD
            budget -= w * h
            if budget < 0 and len(shown) >= MIN_SHOWN:
                break
            shown.add(c.id)
        if shown != self.shown:
            self.shown = shown
            self.dirty = True

    def match(self, key: str) -> Concept | None:
        hits = [c for c in self.on_screen() if key and key in c.keys]
        return max(hits, key=lambda c: (c.weight, c.updated)) if hits else None

    def most_recent(self, since: float) -> Concept | None:
        recent = [c for c in self.on_screen() if c.updated >= since]
        return max(recent, key=lambda c: c.updated) if recent else None

    @staticmethod
    def target_radius(weight: float, wmax: float) -> float:
        norm = min(1.0, weight / wmax) if wmax > 0 else 0.0
        return 16.0 + 30.0 * math.sqrt(max(norm, 0.04))

    # ------------------------------------------------------------ per frame
    def update(self, now: float, dt: float) -> list[int]:
        """Ease sizes and fades; returns slots freed this frame."""
        live = [c for c in self.slots if c is not None]
        wmax = max([c.weight for c in live if c.retired_at == math.inf] + [1e-6])
        self.changing = False
        for c in live:
            target_r = self.target_radius(c.weight, wmax)
            target_a = 1.0 if c.retired_at == math.inf and c.id in self.shown else 0.0
            fade_s = FADE_IN_S if target_a > 0 else FADE_OUT_S if c.retired_at < math.inf else HIDE_S
            rate = 1.0 / fade_s
            i = c.slot
            self.radius[i] += (target_r - self.radius[i]) * min(1.0, dt * 2.0)
            step = math.copysign(min(abs(target_a - self.alpha[i]), dt * rate), target_a - self.alpha[i])
            self.alpha[i] += step
            self.changing |= abs(target_r - self.radius[i]) > 0.3 or abs(target_a - self.alpha[i]) > 0.01
            if c.retired_at < math.inf and self.alpha[i] <= 0.0:
                self._free(c)
        freed, self._evicted = self._evicted, []
        return freed

    def layout(self, fld: tuple[float, float, float, float], dt: float) -> float:
        x0, y0, x1, y1 = fld
        self._centre = ((x0 + x1) / 2, (y0 + y1) / 2, 0.42 * min(x1 - x0, y1 - y0))
        area = (x1 - x0) * (y1 - y0)
        if area != self._field_area:
            self._field_area = area
            self._choose_shown()
        idx = np.array([c.slot for c in self.slots if c is not None and c.id in self.shown], dtype=int)
        if idx.size == 0 or dt <= 0:
            return 0.0
        row = {int(s): k for k, s in enumerate(idx)}
        links = [
            (row[self.by_id[a].slot], row[self.by_id[b].slot], s)
            for (a, b), s in self.links.items()
            if a in self.shown and b in self.shown
        ]
        pos, vel = self.pos[idx], self.vel[idx]
        label = np.stack([[self.slots[s].label_w for s in idx], np.full(idx.size, self.label_px * 1.3)], 1)
        speed = layout.step(pos, vel, self.radius[idx], label, np.array(links).reshape(-1, 3), fld, dt)
        self.pos[idx], self.vel[idx] = pos, vel
        self.dirty = False
        return speed

    # ------------------------------------------------------------ what to draw
    def uniforms(self, now: float) -> tuple[np.ndarray, np.ndarray]:
        """(K, 4) x, y, radius, alpha and (K, 4) r, g, b, breathing phase, float32."""
        geo = np.zeros((self.capacity, 4), dtype=np.float32)
        col = np.zeros((self.capacity, 4), dtype=np.float32)
        geo[:, :2] = self.pos
        geo[:, 2] = self.radius
        geo[:, 3] = self.alpha
        for c in self.slots:
            if c is not None:
                col[c.slot, :3] = PALETTE[c.id % len(PALETTE)]
                col[c.slot, 3] = c.seed * 6.2831853
        return geo, col

    def link_instances(self) -> np.ndarray:
        """(m, 4) float32: slot a, slot b, strength, seed."""
        rows = [
            (self.by_id[a].slot, self.by_id[b].slot, s, ((a * 31 + b * 17) % 97) / 97.0)
            for (a, b), s in self.links.items()
            if a in self.shown and b in self.shown
        ]
        rows.sort(key=lambda r: r[2], reverse=True)  # the strongest, when there are too many
        rows = rows[: max(1, int(LINKS_PER_SHOWN * len(self.shown)))]
        return np.array(rows, dtype=np.float32).reshape(-1, 4)

    def label_rect(self, c: Concept) -> tuple[float, float, float, float]:
        x, y = self.pos[c.slot]
        top = y + self.radius[c.slot] + layout.LABEL_GAP
        return (x - c.label_w / 2, top, x + c.label_w / 2, top + self.label_px * 1.3)

    def label_items(self, factory: Callable[..., Any]) -> list[Any]:
        out = []
        for c in self.slots:
            if c is None or self.alpha[c.slot] < 0.02:
                continue
            x0, top, _, _ = self.label_rect(c)
            tint = 0.72 + 0.28 * PALETTE[c.id % len(PALETTE)]
            a = float(self.alpha[c.slot]) * 0.95
            if c.id not in self.shown:  # leaving: the label goes first, it no longer has room
                a *= a * a
            out.append(factory("label", c.label, x0, top + self.label_px * 0.95, (*map(float, tint), a)))
        return out
