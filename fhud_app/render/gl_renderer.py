"""Draws a :class:`ParticleModel` with moderngl into whatever framebuffer is bound.

Context-agnostic: the same code runs in Qt's context (the widget) and in a
standalone EGL context (snapshot, bench).  It imports no Qt; text comes from
any *glyph source* (``fhud_app.render.atlas.GlyphAtlas`` in practice) with
``generation``, ``image`` ((H, W, 2) uint8: coverage, halo) and
``layout(role, text)`` -> (n, 8) float32 rows ``dx, dy, w, h, u0, v0, u1, v1``.

One pass, premultiplied alpha (``ONE, ONE_MINUS_SRC_ALPHA``) onto a
transparent clear: field, filaments, glows, particles, text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import moderngl
import numpy as np

from fhud_app.render.concepts import MAX_LINKS
from fhud_app.render.particles import ParticleModel, TextItem
from fhud_app.render.pool import PARTICLE_FLOATS
from fhud_app.render.shader_loader import load_program

SEGMENTS = 24
TEXT_FLOATS = 12
MAX_GLYPHS = 16384


class GlyphSource(Protocol):
    generation: int  # a new value: the whole image changed
    image: np.ndarray

    def take_dirty_rows(self) -> tuple[int, int] | None: ...

    def layout(self, role: str, text: str) -> np.ndarray: ...


def glyph_instances(items: Sequence[TextItem], glyphs: GlyphSource, limit: int = MAX_GLYPHS) -> np.ndarray:
    """(n, 12) float32 rows: rect x, y, w, h; uv; rgba, for every visible glyph."""
    quads, per_item = [], []
    total = 0
    for it in items:
        q = glyphs.layout(it.role, it.text)
        if not len(q) or total + len(q) > limit:
            continue
        quads.append(q)
        per_item.append((it.x, it.y, *it.rgba))
        total += len(q)
    inst = np.empty((total, TEXT_FLOATS), dtype=np.float32)
    if not total:
        return inst
    inst[:, :8] = np.concatenate(quads)
    rep = np.repeat(np.array(per_item, dtype=np.float32), [len(q) for q in quads], axis=0)
    inst[:, :2] += rep[:, :2]
    inst[:, 8:12] = rep[:, 2:6]
    return inst


def _set(uniform: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        uniform.write(value.astype(np.float32, copy=False).tobytes())
    else:
        uniform.value = value


PROGRAMS = ("field", "filament", "glow", "particles", "text")  # shaders/<name>.glsl


class GLRenderer:
    """GL objects for one context; call :meth:`release` before the context goes."""

    def __init__(self, ctx: moderngl.Context, capacity: int, max_concepts: int = 64) -> None:
        self.ctx = ctx
        self.capacity = int(capacity)
        defines = {"MAX_CONCEPTS": max_concepts, "SEGMENTS": SEGMENTS}
        self.progs = {n: load_program(ctx, n, defines) for n in PROGRAMS}
        self.particle_buf = ctx.buffer(reserve=self.capacity * PARTICLE_FLOATS * 4)
        self.link_buf = ctx.buffer(reserve=MAX_LINKS * 16)
        self.text_buf = ctx.buffer(reserve=MAX_GLYPHS * TEXT_FLOATS * 4)
        p = self.progs
        self.vaos = {
            "field": ctx.vertex_array(p["field"], []),
            "glow": ctx.vertex_array(p["glow"], []),
            "filament": ctx.vertex_array(p["filament"], [(self.link_buf, "4f/i", "a_link")]),
            "particles": ctx.vertex_array(
                p["particles"], [(self.particle_buf, "4f 4f", "a_spawn", "a_timing")]
            ),
            "text": ctx.vertex_array(
                p["text"], [(self.text_buf, "4f 4f 4f/i", "a_rect", "a_uv", "a_color")]
            ),
        }
        self._members: dict[str, dict[str, Any]] = {}
        self.atlas_tex: moderngl.Texture | None = None
        self._atlas_gen = -1
        self.uploaded_bytes = 0  # particle bytes written by the last upload
        self.size_scale = 1.0
        self.draw_count = self.capacity
        self.opacity = 0.88

    # ------------------------------------------------------------ uploads
    def upload_particles(self, data: np.ndarray, ranges: Sequence[tuple[int, int]]) -> int:
        """Write the given slot ranges of ``data`` ((capacity, 8) float32); returns bytes."""
        stride = PARTICLE_FLOATS * 4
        n = 0
        for lo, hi in ranges:
            chunk = np.ascontiguousarray(data[lo:hi])
            self.particle_buf.write(chunk, offset=lo * stride)
            n += chunk.nbytes
        self.uploaded_bytes = n
        return n

    def _sync_atlas(self, glyphs: GlyphSource) -> None:
        """Upload the atlas: whole on a new generation, else only the rows new glyphs touched."""
        rows = glyphs.take_dirty_rows()
        if self.atlas_tex is not None and self._atlas_gen == glyphs.generation:
            if rows is not None:
                lo, hi = rows
                w = glyphs.image.shape[1]
                self.atlas_tex.write(np.ascontiguousarray(glyphs.image[lo:hi]).tobytes(), viewport=(0, lo, w, hi - lo))
            return
        img = np.ascontiguousarray(glyphs.image)
        h, w = img.shape[:2]
        if self.atlas_tex is None or self.atlas_tex.size != (w, h):
            if self.atlas_tex is not None:
                self.atlas_tex.release()
            self.atlas_tex = self.ctx.texture((w, h), 2, dtype="f1")
            self.atlas_tex.filter = (moderngl.LINEAR, moderngl.LINEAR)
            self.atlas_tex.repeat_x = self.atlas_tex.repeat_y = False
        self.atlas_tex.write(img.tobytes())
        self._atlas_gen = glyphs.generation

    # ------------------------------------------------------------ drawing
    def render(
        self,
        model: ParticleModel,
        glyphs: GlyphSource | None,
        dpr: float = 1.0,
        extra_text: Sequence[TextItem] = (),
    ) -> None:
        """Draw one frame of ``model`` into the bound framebuffer (viewport = whole fbo)."""
        ctx = self.ctx
        fbo = ctx.fbo
        ctx.viewport = (0, 0, *fbo.size)
        ctx.clear(0.0, 0.0, 0.0, 0.0)
        ctx.enable(moderngl.BLEND | moderngl.PROGRAM_POINT_SIZE)
        ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE)
        ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        ctx.blend_equation = moderngl.FUNC_ADD
        self.upload_particles(model.pool.data, model.pool.take_dirty())
        self.draw_count = model.pool.high_water
        geo, col = model.concepts.uniforms(model.now)
        common = {"u_view": model.size, "u_dpr": float(dpr), "u_time": float(model.now)}
        self._draw_field(model.now)
        self._draw_filaments(model.concepts.link_instances(), geo, col, common)
        self._draw_glows(geo, col, common)
        self._draw_particles(geo, col, common)
        if glyphs is not None:
            self._draw_text([*model.text_items(), *extra_text], glyphs, common)

    def _uniforms(self, name: str, values: dict[str, Any]) -> moderngl.Program:
        prog = self.progs[name]
        cache = self._members.setdefault(name, {})
        for k, v in values.items():
            if k not in cache:  # None: optimized out by the driver
                cache[k] = prog[k] if k in prog else None
            if cache[k] is not None:
                _set(cache[k], v)
        return prog

    def _draw_field(self, now: float) -> None:
        if self.opacity > 0.0:
            self._uniforms("field", {"u_opacity": float(self.opacity), "u_time": float(now)})
            self.vaos["field"].render(moderngl.TRIANGLES, vertices=3)

    def _draw_filaments(self, links: np.ndarray, geo: np.ndarray, col: np.ndarray, common: dict) -> None:
        if not len(links):
            return
        self.link_buf.write(links[:MAX_LINKS].tobytes())
        self._uniforms("filament", {**common, "u_concepts": geo, "u_colors": col})
        self.vaos["filament"].render(
            moderngl.TRIANGLE_STRIP, vertices=2 * (SEGMENTS + 1), instances=min(len(links), MAX_LINKS)
        )

    def _draw_glows(self, geo: np.ndarray, col: np.ndarray, common: dict) -> None:
        self._uniforms("glow", {**common, "u_concepts": geo, "u_colors": col})
        self.vaos["glow"].render(moderngl.TRIANGLE_STRIP, vertices=4, instances=len(geo))

    def _draw_particles(self, geo: np.ndarray, col: np.ndarray, common: dict) -> None:
        extra = {"u_concepts": geo, "u_colors": col, "u_size_scale": float(self.size_scale)}
        self._uniforms("particles", {**common, **extra})
        count = min(self.capacity, self.draw_count)
        if count > 0:
            self.vaos["particles"].render(moderngl.POINTS, vertices=count)

    def _draw_text(self, items: Sequence[TextItem], glyphs: GlyphSource, common: dict) -> None:
        inst = glyph_instances(items, glyphs)
        if not len(inst):
            return
        self._sync_atlas(glyphs)
        self.text_buf.write(inst.tobytes())
        self.atlas_tex.use(0)
        self._uniforms("text", {"u_view": common["u_view"], "u_dpr": common["u_dpr"], "u_atlas": 0})
        self.vaos["text"].render(moderngl.TRIANGLE_STRIP, vertices=4, instances=len(inst))

    def release(self) -> None:
        """Free every GL object (the context must be current)."""
        for vao in self.vaos.values():
            vao.release()
        for obj in (self.particle_buf, self.link_buf, self.text_buf, *self.progs.values()):
            obj.release()
        if self.atlas_tex is not None:
            self.atlas_tex.release()
            self.atlas_tex = None
        self.vaos.clear()
        self.progs.clear()
        self._members.clear()
