"""A glyph atlas rasterized by Qt (QFont + QPainter into QImage) for the GL text pass.

Needs a ``QGuiApplication`` (any platform, ``offscreen`` included) but no GL.
Channel 0 of :attr:`GlyphAtlas.image` is glyph coverage, channel 1 a blurred,
dilated copy the text shader draws as a dark halo.  Glyphs are rasterized at
``px * dpr`` device pixels and drawn 1:1, so text is crisp at DPR 1 and 2.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

ROLES = {  # role: (pixel size at DPR 1, weight, monospace)
    "word": (22.0, QFont.Weight.Normal, False),
    "label": (16.0, QFont.Weight.DemiBold, False),
    "overlay": (12.0, QFont.Weight.Normal, True),
}
SANS = ["Inter", "SF Pro Text", "Helvetica Neue", "Segoe UI", "DejaVu Sans", "Noto Sans"]
MONO = ["SF Mono", "Menlo", "Consolas", "DejaVu Sans Mono", "Noto Sans Mono"]
LAYOUT_CACHE = 2048


def _font(role: str, dpr: float) -> QFont:
    px, weight, mono = ROLES[role]
    f = QFont()
    f.setFamilies(MONO if mono else SANS)
    f.setPixelSize(max(1, round(px * dpr)))
    f.setWeight(weight)
    f.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return f


def _box_blur(a: np.ndarray, r: int) -> np.ndarray:
    """Separable box blur of a float image with radius ``r`` (edges clamp to zero)."""
    if r <= 0:
        return a
    k = 2 * r + 1
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r + 1, r)
        c = np.cumsum(np.pad(a, pad), axis=axis)
        a = (np.take(c, range(k, c.shape[axis]), axis=axis) - np.take(c, range(0, c.shape[axis] - k), axis=axis)) / k
    return a


class GlyphAtlas:
    """Shelf-packed glyphs; when full it starts over (``generation`` changes)."""

    def __init__(self, dpr: float = 1.0, size: int | None = None) -> None:
        self._fixed_size = size
        self.generation = 0
        self.dpr = 0.0
        self.set_dpr(dpr)

    def set_dpr(self, dpr: float) -> None:
        dpr = float(dpr) if dpr and math.isfinite(dpr) else 1.0
        if dpr == self.dpr:
            return
        self.dpr = dpr
        self.fonts = {r: _font(r, dpr) for r in ROLES}
        self.metrics = {r: QFontMetricsF(f) for r, f in self.fonts.items()}
        self.pad = max(2, round(3 * dpr))
        self._reset()

    def _reset(self) -> None:
        side = self._fixed_size or min(4096, 1024 * math.ceil(self.dpr))
        self.image = np.zeros((side, side, 2), dtype=np.uint8)
        self._glyphs: dict[tuple[str, str], tuple[float, ...] | None] = {}
        self._layouts: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._shelf = [0, 0, 0]  # x, y, row height
        self.generation += 1
        self.version = 0  # grows with every glyph added: the texture must catch up
        self.dirty_rows: tuple[int, int] | None = None  # rows written since take_dirty_rows()

    # ------------------------------------------------------------ public
    def measure(self, role: str, text: str) -> float:
        """Advance width of ``text`` in logical pixels (what :meth:`layout` uses)."""
        m = self.metrics[role]
        return sum(round(m.horizontalAdvance(ch)) for ch in text) / self.dpr

    def layout(self, role: str, text: str) -> np.ndarray:
        """(n, 8) float32 ``dx, dy, w, h, u0, v0, u1, v1`` relative to the pen at the baseline."""
        key = (role, text)
        hit = self._layouts.get(key)
        if hit is not None:
            self._layouts.move_to_end(key)
            return hit
        gen = self.generation
        rows = self._layout(role, text)
        if gen != self.generation:  # the atlas started over mid-way: lay out again
            rows = self._layout(role, text)
        self._layouts[key] = rows
        if len(self._layouts) > LAYOUT_CACHE:
            self._layouts.popitem(last=False)
        return rows

    def _layout(self, role: str, text: str) -> np.ndarray:
        m = self.metrics[role]
        pen = 0.0
        rows = []
        for ch in text:
            g = self._glyph(role, ch)
            if g is not None:
                ox, oy, w, h, u0, v0, u1, v1 = g
                rows.append(((pen + ox) / self.dpr, oy / self.dpr, w / self.dpr, h / self.dpr, u0, v0, u1, v1))
            pen += round(m.horizontalAdvance(ch))
        return np.array(rows, dtype=np.float32).reshape(-1, 8)

    def take_dirty_rows(self) -> tuple[int, int] | None:
        """Rows ``[lo, hi)`` of :attr:`image` changed since the last call (then clears)."""
        rows, self.dirty_rows = self.dirty_rows, None
        return rows

    # ------------------------------------------------------------ rasterizing
    def _glyph(self, role: str, ch: str) -> tuple[float, ...] | None:
        key = (role, ch)
        if key in self._glyphs:
            return self._glyphs[key]
        g = None if ch.isspace() else self._rasterize(role, ch)
        self._glyphs[key] = g
        return g

    def _rasterize(self, role: str, ch: str) -> tuple[float, ...] | None:
        rect = self.metrics[role].boundingRect(ch)
        if rect.width() <= 0 or rect.height() <= 0:
            return None
        p = self.pad
        ox, oy = math.floor(rect.left()), math.floor(rect.top())
        w = min(math.ceil(rect.right()) - ox + 2 * p, 256)
        h = min(math.ceil(rect.bottom()) - oy + 2 * p, 256)
        cell = self._paint(role, ch, w, h, QPointF(p - ox, p - oy))
        x, y = self._place(w, h)
        side = self.image.shape[0]
        self.image[y : y + h, x : x + w, 0] = cell
        halo = np.clip(_box_blur(cell.astype(np.float32), max(1, round(1.5 * self.dpr))) * 2.2, 0, 255)
        self.image[y : y + h, x : x + w, 1] = halo.astype(np.uint8)
        self.version += 1
        lo, hi = self.dirty_rows or (y, y + h)
        self.dirty_rows = (min(lo, y), max(hi, y + h))
        return (ox - p, oy - p, w, h, x / side, y / side, (x + w) / side, (y + h) / side)

    def _paint(self, role: str, ch: str, w: int, h: int, origin: QPointF) -> np.ndarray:
        img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setFont(self.fonts[role])
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(origin, ch)
        painter.end()
        bits = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
        return bits.reshape(h, img.bytesPerLine() // 4, 4)[:, :w, 3].copy()

    def _place(self, w: int, h: int) -> tuple[int, int]:
        side = self.image.shape[0]
        x, y, row = self._shelf
        if x + w > side:
            x, y, row = 0, y + row, 0
        if y + h > side:  # full: start over (callers re-lay-out on the new generation)
            self._reset()
            x, y, row = 0, 0, 0
        self._shelf = [x + w + 1, y, max(row, h + 1)]
        return x, y
