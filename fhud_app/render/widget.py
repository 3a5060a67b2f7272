"""The HUD's GL view: a ``QOpenGLWidget`` (4.1 core) that draws a ParticleModel.

The app calls :func:`set_default_surface_format` before it creates the
``QApplication``, builds the model and the ring readers, and hands them in:
this view constructs no service.  Each frame it reads the rings without
blocking, updates the model and draws it with :class:`GLRenderer` in Qt's
context (ModernGL attached once via ``init_context``/``get_context``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import moderngl
import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QSurfaceFormat
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

from fhud_app.core.config import RenderConfig
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.memory import rss_mb
from fhud_app.core.priority import lower_threads_named
from fhud_app.core.ring import RingReader
from fhud_app.render.atlas import GlyphAtlas
from fhud_app.render.gl_renderer import GLRenderer
from fhud_app.render.overlay import FrameStats, overlay_items
from fhud_app.render.pacing import RASTERIZER_THREADS, FramePacer, Pace, is_software_renderer
from fhud_app.render.particles import ParticleModel
from fhud_app.render.shader_loader import ShaderError

log = logging.getLogger(__name__)
REQUIRED_GL = (4, 1)
FIELD_OPACITY = 0.6  # the dark field drawn behind the particles
READ_BATCH = 1024  # events taken from one ring per frame (the rest wait a frame)
DOZE_MS = 200  # an empty, still field draws nothing; the rings are looked at this often


def set_default_surface_format() -> None:
    """OpenGL 4.1 core with an alpha channel; call before ``QApplication`` exists."""
    fmt = QSurfaceFormat()
    fmt.setRenderableType(QSurfaceFormat.RenderableType.OpenGL)
    fmt.setVersion(*REQUIRED_GL)
    fmt.setProfile(QSurfaceFormat.OpenGLContextProfile.CoreProfile)
    fmt.setAlphaBufferSize(8)
    fmt.setDepthBufferSize(0)
    fmt.setStencilBufferSize(0)
    QSurfaceFormat.setDefaultFormat(fmt)


class HudGLWidget(QOpenGLWidget):
    """Signals: ``gl_unsupported(str)`` once if OpenGL is too old; ``frame_done(float)``
    with the GUI-thread CPU milliseconds of each frame.  Frame clock: :class:`FramePacer`
    (see ``render/pacing.py``); on an empty field the view *dozes*, comparing the readers'
    counters every ``DOZE_MS`` (no GL) until an event arrives or :meth:`wake` is called.
    """

    gl_unsupported = Signal(str)
    frame_done = Signal(float)

    def __init__(
        self,
        model: ParticleModel,
        readers: Sequence[RingReader] = (),
        config: RenderConfig | None = None,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
        required_gl: tuple[int, int] = REQUIRED_GL,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.readers = list(readers)
        self.config = config or model.config
        self.clock = clock
        self.required_gl = required_gl
        self.ctx: moderngl.Context | None = None
        self.renderer: GLRenderer | None = None
        self._fbo = QtFramebuffer()
        self.atlas: GlyphAtlas | None = None
        self.error: str | None = None
        self.stats = FrameStats()
        self.pipeline_stats: dict[str, float] = {}
        self.debug_overlay = False
        self._yielding = False  # the rasterizer's threads run below the models (yield_to_models)
        self._t0 = clock()
        self.pacer = FramePacer(self.config)
        self.frames = 0  # frames drawn, all tiers
        self.moving_frames = 0  # frames drawn at the display-rate tier ...
        self.moving_s = 0.0  # ... and the time they covered (what the soak's fps is taken on)
        self._last_frame: tuple[float, bool] | None = None
        self._batch = np.empty(READ_BATCH, dtype=EVENT_DTYPE)
        self._watched: QWidget | None = None
        self._rss = ThrottledRss()  # the overlay's RSS, read at most once a second
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.update)
        self._doze = QTimer(self)
        self._doze.setTimerType(Qt.TimerType.CoarseTimer)
        self._doze.setInterval(DOZE_MS)
        self._doze.timeout.connect(self._check_rings)
        self.setMinimumSize(120, 80)

    # ------------------------------------------------------------ slots
    @Slot(dict)
    def set_pipeline_stats(self, stats: dict) -> None:
        """Figures for the debug overlay (``asr_rtf``, ``word_latency_s``, ``rss_mb`` …), merged."""
        self.pipeline_stats.update(stats)

    @Slot(float, int)
    def set_pressure(self, backlog_s: float, concept_queue: int) -> None:
        """ASR backlog (s) and words waiting for concepts: high, the view draws slower, then less."""
        self.pacer.set_pressure(backlog_s, concept_queue, time.monotonic())

    @Slot()
    def yield_to_models(self) -> None:
        """The models are loaded: a software rasterizer's threads run below them from now on."""
        self._yielding = True
        if self.ctx is not None and self.pacer.software:  # else in initializeGL, once they exist
            lower_rasterizer(self.config.software_nice)

    @property
    def pace(self) -> Pace:
        """The rate the view draws at now, and why."""
        return self.pacer.pace

    def set_concept_recall(self, counts: dict[str, int]) -> None:
        """Concepts said in earlier sessions (normalized phrase -> sessions) get a mark; {} = off."""
        self.model.concepts.set_recall(counts)
        self.wake()

    def start_fresh(self) -> None:
        """A new session: the concept field empties at once."""
        self.model.concepts.clear()
        self.wake()

    def set_readers(self, readers: Sequence[RingReader]) -> None:
        """Read these rings (a new pipeline's words and concepts) from now on."""
        self.readers = list(readers)
        self.wake()

    @Slot(bool)
    def set_debug_overlay(self, on: bool) -> None:
        self.debug_overlay = bool(on)
        self.wake()

    @Slot()
    def toggle_debug_overlay(self) -> None:
        self.set_debug_overlay(not self.debug_overlay)

    @Slot()
    def wake(self) -> None:
        """Draw again at the full rate (new data, a setting changed); a no-op when hidden."""
        if self._drawable():
            self._doze.stop()
            self._timer.start(round(1000 / max(self.pacer.display_fps, 1)))
            self.update()

    @property
    def running(self) -> bool:
        """The view follows its rings: drawing frames, or dozing on an empty field."""
        return self._timer.isActive() or self._doze.isActive()

    @property
    def dozing(self) -> bool:
        """No frames are drawn (the field is empty and still); the rings are still watched."""
        return self._doze.isActive()

    @property
    def frame_interval_ms(self) -> int:
        return self._timer.interval()

    # ------------------------------------------------------------ GL lifecycle
    def initializeGL(self) -> None:  # noqa: N802 - Qt override
        fmt = self.context().format()
        version = (fmt.majorVersion(), fmt.minorVersion())
        if version < self.required_gl:
            self._fail(f"OpenGL {version[0]}.{version[1]}")
            return
        try:
            moderngl.init_context()
            self.ctx = moderngl.get_context()
            self.atlas = GlyphAtlas(self.devicePixelRatioF())
            self.model.set_measure(self.atlas.measure)
            self.renderer = GLRenderer(self.ctx, self.model.pool.capacity, self.model.concepts.capacity)
            self.pacer.software = is_software_renderer(str(self.ctx.info.get("GL_RENDERER", "")))
            if self._yielding:
                self.yield_to_models()
        except ShaderError as exc:  # names the file and line: a broken install, not the driver
            log.exception("shader")
            self._report(f"fHUD cannot draw the concept field: {exc} Transcription keeps working.")
            return
        except Exception as exc:  # noqa: BLE001 - a driver can fail in many ways
            log.exception("OpenGL setup")
            self._fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        self.context().aboutToBeDestroyed.connect(self.release_gl)

    def _fail(self, what: str) -> None:
        need = ".".join(map(str, self.required_gl))
        self._report(
            f"fHUD needs OpenGL {need} or newer to draw the concept field, but this system "
            f"offers {what}. Update the graphics driver; transcription keeps working."
        )

    def _report(self, message: str) -> None:
        self.error = message
        QTimer.singleShot(0, lambda: self.gl_unsupported.emit(self.error))

    def paintGL(self) -> None:  # noqa: N802 - Qt override
        if self.renderer is None:
            paint_message(self, self.error or "Starting the concept field…")  # no frame clock for it
            self._timer.stop()
            return
        t_start = time.thread_time()  # GUI-thread CPU, not wall: other load does not count
        dpr = self.devicePixelRatioF()
        self._fbo.use(self.ctx, self, dpr)
        self.atlas.set_dpr(dpr)
        self.model.resize(self.width(), self.height())
        for reader in self.readers:
            n = reader.read_into(self._batch)
            if n:
                self.model.consume(self._batch[:n])
        self.model.update(self.clock() - self._t0)
        self.renderer.opacity = FIELD_OPACITY
        extra = self._overlay() if self.debug_overlay else ()
        self.renderer.render(self.model, self.atlas, dpr, extra)
        cpu_ms = (time.thread_time() - t_start) * 1e3
        now = time.perf_counter()
        self.stats.add(cpu_ms, now)
        self._count_frame(now)
        self._pace()
        self.frame_done.emit(cpu_ms)

    def _count_frame(self, now: float) -> None:
        self.frames += 1
        if self._last_frame is not None:
            at, moving = self._last_frame
            if moving and self.pace.moving and now - at < 1.0:
                self.moving_frames += 1
                self.moving_s += now - at
        self._last_frame = (now, self.pace.moving)

    def _overlay(self) -> list:
        stats = {"rss_mb": self._rss(), **self.pipeline_stats}
        return overlay_items(self.stats, self.model, self.readers, stats, self.pace)

    # ------------------------------------------------------------ frame clock
    def _pace(self) -> None:
        """Ask the pacer for the next frame's rate; doze when the field is empty."""
        if not self._drawable():
            return
        pending = any(r.available() for r in self.readers)
        pace = self.pacer.decide(self.model.motion(), pending)
        if pace.fps == 0.0 and self.debug_overlay:  # the overlay's figures stay live
            pace = self.pacer.pace = Pace(float(self.config.idle_fps), "debug overlay on an empty field")
        self.model.particle_share = pace.particles
        if pace.fps == 0.0:
            self._timer.stop()
            self._doze.start()
            return
        interval = 1000 / pace.fps
        if not pace.moving:  # wake in time for a resting word's dissolve
            interval = min(interval, self.model.next_motion_in() * 1000 + 1)
        interval = max(1, round(interval))
        self._doze.stop()
        if not self._timer.isActive() or self._timer.interval() != interval:
            self._timer.start(interval)

    def _check_rings(self) -> None:
        """While dozing: an integer compare per reader; the first event wakes the view."""
        if any(r.available() for r in self.readers):
            self.wake()

    def _drawable(self) -> bool:
        return self.isVisible() and not self._minimized()

    def _minimized(self) -> bool:
        return bool(self.window().windowState() & Qt.WindowState.WindowMinimized)

    def _sync_clock(self) -> None:
        if self._drawable():
            if not self.running:
                self.wake()
        else:
            self._timer.stop()
            self._doze.stop()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if self._watched is not self.window():
            self._watched = self.window()
            self._watched.installEventFilter(self)
        self._sync_clock()

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802
        super().hideEvent(event)
        self._timer.stop()
        self._doze.stop()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)  # Qt repaints once; wake so the layout settles in the new size
        if self.dozing:
            self.wake()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self.wake()
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Minimizing the top-level window stops the frame clock; restoring restarts it."""
        if event.type() == QEvent.Type.WindowStateChange:
            QTimer.singleShot(0, self._sync_clock)
        return False

    # ------------------------------------------------------------ teardown
    @Slot()
    def release_gl(self) -> None:
        """Free every GL object (idempotent); makes the context current first."""
        self._timer.stop()
        self._doze.stop()
        self._fbo = QtFramebuffer()
        if self.renderer is None:
            return
        self.makeCurrent()
        self.renderer.release()
        self.renderer = None
        self.doneCurrent()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.release_gl()
        super().closeEvent(event)


def paint_message(widget: QWidget, text: str) -> None:
    """A still picture of ``text`` in place of the field (inside a paint event)."""
    painter = QPainter(widget)
    painter.fillRect(widget.rect(), QColor(12, 16, 26, 235))
    painter.setPen(QColor(236, 240, 250))
    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    painter.drawText(widget.rect().adjusted(24, 24, -24, -24), int(flags), text)
    painter.end()


def profile_name(widget: QOpenGLWidget) -> str:
    """'Core Profile' / 'Compatibility Profile' / 'No Profile' of the widget's live context."""
    return {
        QSurfaceFormat.OpenGLContextProfile.CoreProfile: "Core Profile",
        QSurfaceFormat.OpenGLContextProfile.CompatibilityProfile: "Compatibility Profile",
    }.get(widget.context().format().profile(), "No Profile")


class QtFramebuffer:
    """Qt's framebuffer for a widget, wrapped for moderngl once per (id, size): moderngl keeps
    every ``detect_framebuffer`` wrapper alive, so wrapping it each frame leaked one a frame
    (~6 MB per 10 minutes of a soak at 26 fps)."""

    def __init__(self) -> None:
        self.key: tuple[int, int, int] | None = None
        self.fbo: moderngl.Framebuffer | None = None

    def use(self, ctx: moderngl.Context, widget: QOpenGLWidget, dpr: float) -> None:
        key = (widget.defaultFramebufferObject(), round(widget.width() * dpr), round(widget.height() * dpr))
        if self.fbo is None or self.key != key:
            self.key, self.fbo = key, ctx.detect_framebuffer(key[0])
        self.fbo.use()


class ThrottledRss:
    """This process's RSS (MB), measured at most once a second."""

    def __init__(self) -> None:
        self.at, self.mb = -1e9, 0.0

    def __call__(self) -> float:
        now = time.monotonic()
        if now - self.at > 1.0:
            self.at, self.mb = now, rss_mb() or 0.0
        return self.mb


def lower_rasterizer(nice: int) -> None:
    """The software rasterizer's threads run at ``nice`` (``RenderConfig.software_nice``)
    from now on: the view yields to the models.  Called once they are loaded; while they
    load the view is drawn as before (the load takes both cores for seconds; words move)."""
    lowered = lower_threads_named(RASTERIZER_THREADS, nice)
    if lowered:
        log.info("software rasterizer: %d of its threads at nice %d", lowered, nice)
