"""Rendering with no window and no X: moderngl standalone EGL + Qt's offscreen platform.

Qt is used only to rasterize glyphs (QGuiApplication on ``offscreen``); it
never creates a GL context here, so EGL and Qt's GL never meet in one process.
"""

from __future__ import annotations

import logging
import os

import moderngl
import numpy as np

from fhud_app.core.errors import FhudError
from fhud_app.render.gl_renderer import GLRenderer
from fhud_app.render.particles import ParticleModel

log = logging.getLogger(__name__)


def ensure_gui_app() -> object:
    """A QGuiApplication for font rasterization (``offscreen`` unless one exists)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["fhud"])
    return app


def create_egl_context() -> moderngl.Context:
    try:
        return moderngl.create_context(standalone=True, backend="egl", require=410)
    except Exception as exc:  # noqa: BLE001 - driver errors come in many types
        log.exception("EGL context")
        raise FhudError(
            f"cannot create a headless OpenGL 4.1 context via EGL ({exc}); "
            "install Mesa's EGL (libegl1) or run under a desktop session."
        ) from None


class OffscreenHud:
    """A model drawn into an offscreen framebuffer of ``size`` device pixels."""

    def __init__(self, model: ParticleModel, size: tuple[int, int], dpr: float = 1.0,
                 ctx: moderngl.Context | None = None, glyphs: bool = True) -> None:
        self.ctx = ctx or create_egl_context()
        self.model = model
        self.dpr = dpr
        self.atlas = None
        if glyphs:
            ensure_gui_app()
            from fhud_app.render.atlas import GlyphAtlas

            self.atlas = GlyphAtlas(dpr)
            model.set_measure(self.atlas.measure)
        self.fbo = self.ctx.simple_framebuffer(size, components=4)
        self.renderer = GLRenderer(self.ctx, model.pool.capacity, model.concepts.capacity)
        model.resize(size[0] / dpr, size[1] / dpr)

    def render(self) -> None:
        self.fbo.use()
        self.renderer.render(self.model, self.atlas, self.dpr)

    def read_rgba(self) -> np.ndarray:
        """(H, W, 4) uint8, premultiplied, top row first."""
        w, h = self.fbo.size
        raw = self.fbo.read(components=4, alignment=1)
        return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 4)[::-1].copy()

    def release(self) -> None:
        self.renderer.release()
        self.fbo.release()
