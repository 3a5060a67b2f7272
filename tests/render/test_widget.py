"""The GL widget under Xvfb + Mesa: core profile, pixels where the model put things."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fhud_app.core.config import RenderConfig
from fhud_app.core.events import EVENT_DTYPE, Kind
from fhud_app.core.ring import Ring
from fhud_app.render import pacing
from fhud_app.render.shader_loader import ShaderError, load_program

from .conftest import events

pytestmark = pytest.mark.gl


def grab(widget) -> np.ndarray:
    """(H, W, 4) uint8 RGBA of the widget's framebuffer (device pixels)."""
    from PySide6.QtGui import QImage

    img = widget.grabFramebuffer().convertToFormat(QImage.Format.Format_RGBA8888)
    bits = np.frombuffer(img.constBits(), dtype=np.uint8, count=img.sizeInBytes())
    return bits.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width()].copy()


def luma(img: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    h, w = img.shape[:2]
    xs = slice(max(0, int(x0)), min(w, int(x1)))
    ys = slice(max(0, int(y0)), min(h, int(y1)))
    return img[ys, xs, :3].astype(float).mean(axis=2)


@pytest.fixture
def hud(display, qtbot, clock):
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.widget import HudGLWidget

    ring = Ring(256, EVENT_DTYPE)
    model = ParticleModel(RenderConfig(max_particles=4000), size=(800, 500))
    widget = HudGLWidget(model, [ring.reader()], clock=clock)
    widget.ring = ring
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.renderer is not None or widget.error is not None, timeout=10000)
    assert widget.error is None, widget.error
    return widget


def frames(qtbot, widget, clock, n: int = 1, dt: float = 1 / 30) -> None:
    """Advance simulated time and wait for ``n`` painted frames."""
    for _ in range(n):
        clock.advance(dt)
        with qtbot.waitSignal(widget.frame_done, timeout=5000):
            widget.update()


def settle(qtbot, widget, clock, seconds: float, fps: float = 10) -> None:
    """Simulated seconds at a coarse frame step (the model integrates in dt ≤ 0.1 s)."""
    frames(qtbot, widget, clock, int(seconds * fps), 1 / fps)


def test_core_profile(hud):
    from fhud_app.render.widget import profile_name

    assert profile_name(hud) == "Core Profile"
    version = hud.ctx.info["GL_VERSION"]
    assert "Core Profile" in version or hud.ctx.version_code >= 410, version
    assert hud.ctx.version_code >= 410


def test_renders_non_blank_translucent_frame(hud, qtbot, clock):
    frames(qtbot, hud, clock, 2)
    img = grab(hud)
    assert img.shape[:2] == (500, 800)
    alpha = img[..., 3]
    assert 0 < alpha.mean() < 255, "the field must be translucent, neither empty nor opaque"


def test_label_and_cluster_appear_where_the_model_put_them(hud, qtbot, clock):
    hud.ring.write(events(
        (Kind.CONCEPT, {"id": 1, "text": "neural networks", "value": 3.0}),
        (Kind.CONCEPT, {"id": 2, "text": "gradient descent", "value": 1.0}),
        (Kind.LINK, {"a": 1, "b": 2, "value": 0.8}),
        (Kind.WORD, {"text": "networks"}),
    ))
    settle(qtbot, hud, clock, 2.0)
    img = grab(hud)
    model = hud.model
    background = luma(img, 0, 0, 60, 60).mean()
    word = next(w for w in model.caption.words if w.text == "networks")
    word_px = luma(img, word.x, word.y - 18, word.x + word.width, word.y + 4)
    assert word_px.max() > 200 and word_px.mean() > background + 20
    c = model.concepts.by_id[1]
    x, y = model.concepts.pos[c.slot]
    r = model.concepts.radius[c.slot]
    core = luma(img, x - r / 2, y - r / 2, x + r / 2, y + r / 2)
    assert core.mean() > background + 40, (core.mean(), background)
    lx0, ly0, lx1, ly1 = model.concepts.label_rect(c)
    label = luma(img, lx0, ly0, lx1, ly1)
    assert label.max() > 200  # crisp, bright glyph pixels
    empty = luma(img, lx1 + 200, ly0, lx1 + 260, ly1) if lx1 + 260 < 800 else luma(img, 0, ly0, 60, ly1)
    assert label.mean() > empty.mean() + 10


def test_glyphs_first_seen_in_later_frames_reach_the_texture(hud, qtbot, clock):
    hud.ring.write(events((Kind.WORD, {"text": "early"})))
    settle(qtbot, hud, clock, 0.5)
    hud.ring.write(events((Kind.CONCEPT, {"id": 7, "text": "QZXJ 0123456789", "value": 1.0})))
    settle(qtbot, hud, clock, 2.0)
    img = grab(hud)
    c = hud.model.concepts.by_id[7]
    lx0, ly0, lx1, ly1 = hud.model.concepts.label_rect(c)
    assert luma(img, lx0, ly0, lx1, ly1).max() > 200


def test_frames_leave_no_framebuffer_wrappers_behind(hud, qtbot, clock):
    import tracemalloc

    import moderngl

    def held_by_moderngl(snapshot: tracemalloc.Snapshot) -> int:
        only = tracemalloc.Filter(True, moderngl.__file__)
        return sum(st.count for st in snapshot.filter_traces([only]).statistics("filename"))

    frames(qtbot, hud, clock, 3)
    tracemalloc.start()
    try:
        frames(qtbot, hud, clock, 3)
        before = held_by_moderngl(tracemalloc.take_snapshot())
        frames(qtbot, hud, clock, 60)
        after = held_by_moderngl(tracemalloc.take_snapshot())
    finally:
        tracemalloc.stop()
    assert after - before < 20, (before, after)  # a leaked wrapper a frame would be 60+
    hud.resize(640, 400)  # a new size: Qt's framebuffer is new, so is its wrapper
    frames(qtbot, hud, clock, 3)
    assert grab(hud).shape[:2] == (400, 640)


def test_survives_resize(hud, qtbot, clock):
    frames(qtbot, hud, clock, 1)
    for size in ((420, 260), (1000, 640), (200, 120)):
        hud.resize(*size)
        qtbot.waitUntil(lambda s=size: (hud.width(), hud.height()) == s, timeout=3000)
        frames(qtbot, hud, clock, 2)
        img = grab(hud)
        assert img.shape[:2] == (size[1], size[0])
        assert img[..., 3].mean() > 0
        assert hud.model.size == (float(size[0]), float(size[1]))


def test_idle_throttle_and_hidden_stops_clock(hud, qtbot, clock):
    cfg = hud.config
    hud.ring.write(events((Kind.CONCEPT, {"id": 1, "text": "calm", "value": 1.0})))
    settle(qtbot, hud, clock, 8.0)
    assert not hud.model.animating and not hud.model.empty  # a cluster that only breathes
    assert hud.frame_interval_ms == round(1000 / cfg.idle_fps) and not hud.dozing
    hud.ring.write(events((Kind.WORD, {"text": "hello"})))
    frames(qtbot, hud, clock, 2)
    assert hud.frame_interval_ms == round(1000 / hud.pacer.display_fps)
    hud.hide()
    assert not hud.running
    hud.show()
    qtbot.waitUntil(lambda: hud.running, timeout=3000)


def test_empty_field_draws_nothing_until_an_event_arrives(hud, qtbot, clock):
    frames(qtbot, hud, clock, 1)
    assert hud.model.empty and hud.dozing and hud.running
    with qtbot.assertNotEmitted(hud.frame_done, wait=600):  # several doze ticks: no frame
        pass
    with qtbot.waitSignal(hud.frame_done, timeout=2000):  # nobody calls update(): the doze sees it
        hud.ring.write(events((Kind.WORD, {"text": "awake"})))
    assert not hud.dozing and hud.frame_interval_ms == round(1000 / hud.pacer.display_fps)
    settle(qtbot, hud, clock, 12.0)  # the word dissolves, its particles die out
    assert hud.model.empty and hud.dozing


def test_debug_overlay_keeps_an_empty_field_drawing(hud, qtbot, clock):
    frames(qtbot, hud, clock, 1)
    assert hud.dozing
    with qtbot.waitSignal(hud.frame_done, timeout=2000):
        hud.set_debug_overlay(True)
    frames(qtbot, hud, clock, 1)
    assert not hud.dozing and hud.frame_interval_ms == round(1000 / hud.config.idle_fps)


def test_debug_overlay_and_pipeline_stats(hud, qtbot, clock):
    frames(qtbot, hud, clock, 1)
    before = luma(grab(hud), 0, 0, 400, 90).max()
    hud.set_pipeline_stats({"asr_rtf": 0.12, "word_latency_s": 0.9, "concept_latency_s": 2.5, "rss_mb": 420})
    hud.toggle_debug_overlay()
    frames(qtbot, hud, clock, 2)
    after = luma(grab(hud), 0, 0, 400, 90).max()
    assert after > 150 > before
    hud.set_pipeline_stats({"rtf": 0.2})  # the ASR worker's metrics merge in
    assert hud.pipeline_stats["concept_latency_s"] == 2.5 and hud.pipeline_stats["rtf"] == 0.2


def test_releases_gl_objects_on_close(hud, qtbot, clock):
    from moderngl import InvalidObject

    frames(qtbot, hud, clock, 1)
    renderer = hud.renderer
    objects = [renderer.particle_buf, renderer.text_buf, *renderer.progs.values(), *renderer.vaos.values()]
    hud.close()
    assert hud.renderer is None
    assert all(isinstance(o.mglo, InvalidObject) for o in objects)


def test_shader_compile_error_names_file_and_line(hud, tmp_path):
    src = "#version 410 core\n#if defined VERTEX_SHADER\nvoid main() {\n    gl_Position = vec4(0.0);\n}\n#endif\n"
    src += "#if defined FRAGMENT_SHADER\nout vec4 c;\nvoid main() {\n    c = vec4(undefined_name);\n}\n#endif\n"
    (tmp_path / "broken.glsl").write_text(src)
    hud.makeCurrent()
    try:
        with pytest.raises(ShaderError) as err:
            load_program(hud.ctx, "broken", root=tmp_path)
    finally:
        hud.doneCurrent()
    assert f"{tmp_path / 'broken.glsl'}:10" in str(err.value), str(err.value)


def test_old_gl_gets_a_message_not_a_black_window(display, qtbot, clock):
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.widget import HudGLWidget

    widget = HudGLWidget(ParticleModel(size=(500, 300)), clock=clock, required_gl=(9, 9))
    qtbot.addWidget(widget)
    widget.resize(500, 300)
    with qtbot.waitSignal(widget.gl_unsupported, timeout=10000) as sig:
        widget.show()
    assert "OpenGL 9.9" in sig.args[0] and "driver" in sig.args[0]
    img = grab(widget)
    assert img[..., :3].max() > 200  # the message's text is drawn
    assert img[..., :3].mean() > 8


DPR_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from fhud_app.render.widget import HudGLWidget, set_default_surface_format
    set_default_surface_format()
    from PySide6.QtWidgets import QApplication
    from PySide6.QtCore import QTimer
    from fhud_app.core.events import Kind, make_event
    from fhud_app.render.particles import ParticleModel
    app = QApplication([])
    model = ParticleModel(size=(400, 240))
    t = [0.0]
    w = HudGLWidget(model, clock=lambda: t[0])
    w.resize(400, 240); w.show()
    model.consume(make_event(Kind.WORD, text="crisp"))
    def check():
        t[0] += 0.5
        w.repaint()
        img = w.grabFramebuffer()
        word = model.caption.words[0]
        dpr = w.devicePixelRatioF()
        assert dpr == 2.0, dpr
        assert (img.width(), img.height()) == (800, 480), (img.width(), img.height())
        x, y = int(word.x * dpr), int(word.y * dpr)
        bright = max(img.pixelColor(x + i, y - j).lightness() for i in range(0, int(word.width * dpr), 2) for j in range(0, 30, 2))
        assert bright > 200, bright
        assert w.atlas.dpr == 2.0
        print("ok")
        w.close()
        QTimer.singleShot(0, app.quit)
    QTimer.singleShot(800, check)
    app.exec()
    """
)


def test_dpr_2_renders_at_device_resolution(display):
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="xcb")
    out = subprocess.run([sys.executable, "-c", DPR_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


def test_dpr_change_rebuilds_the_atlas(hud, qtbot, clock):
    frames(qtbot, hud, clock, 1)
    gen = hud.atlas.generation
    hud.atlas.set_dpr(2.0)  # what paintGL does when the window moves to a 2x screen
    assert hud.atlas.generation == gen + 1
    hud.ring.write(events((Kind.WORD, {"text": "sharp"})))
    frames(qtbot, hud, clock, 2)  # paintGL sets the real DPR back: no crash, still drawing
    assert hud.atlas.dpr == hud.devicePixelRatioF()
    assert grab(hud)[..., 3].mean() > 0


def test_minimized_window_stops_the_frame_clock(hud, qtbot):
    from PySide6.QtCore import Qt

    assert hud.running
    hud.setWindowState(Qt.WindowState.WindowMinimized)
    qtbot.waitUntil(lambda: not hud.running, timeout=3000)
    hud.setWindowState(Qt.WindowState.WindowNoState)
    hud.showNormal()
    qtbot.waitUntil(lambda: hud.running, timeout=3000)


def test_absurd_stream_keeps_frames_short(display, qtbot, clock):
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.synthetic import events_of
    from fhud_app.render.widget import HudGLWidget

    ring = Ring(8192, EVENT_DTYPE)
    widget = HudGLWidget(ParticleModel(size=(640, 360)), [ring.reader()], clock=clock)
    qtbot.addWidget(widget)
    widget.resize(640, 360)
    widget.show()
    qtbot.waitUntil(lambda: widget.renderer is not None, timeout=10000)
    odd = ["x" * 500, "", "日本語のテキスト", "🚀✨🔥", "مرحبا", "Ωμέγα", "a\tb"]
    flood = events_of(*[(Kind.WORD, {"text": odd[i % len(odd)] + str(i)}) for i in range(3000)])
    nan = events_of((Kind.CONCEPT, {"id": 1, "text": "🚀 rocket", "value": float("nan")}))
    cpu = []
    widget.frame_done.connect(cpu.append)
    for _ in range(6):  # 3000 words per frame: about 180k words a second
        ring.write(flood)
        ring.write(nan)
        frames(qtbot, widget, clock, 1)
    assert widget.model.words_dropped > 0
    assert len(widget.model.caption.words) <= 2 * widget.model.config.max_words
    assert max(cpu[1:]) < 250.0, cpu  # responsive: a frame never stalls on the flood
    assert grab(widget)[..., 3].mean() > 0


def test_software_rasterizer_caps_the_display_rate(hud):
    renderer = hud.ctx.info["GL_RENDERER"]
    if "llvmpipe" not in renderer.lower():
        pytest.skip(f"not a software rasterizer: {renderer}")
    assert hud.pacer.software and hud.pacer.display_fps == min(hud.config.fps, hud.config.software_fps)


def test_software_rasterizer_threads_give_way_to_the_models(hud):
    import os
    import sys

    renderer = str(hud.ctx.info.get("GL_RENDERER", ""))
    if not sys.platform.startswith("linux") or "llvmpipe" not in renderer.lower():
        pytest.skip(f"no llvmpipe threads to look at: {renderer}")

    def rasterizer_nice() -> dict[str, int]:
        nice = {}
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/comm") as f:
                if f.read().startswith("llvmpipe"):
                    nice[tid] = os.getpriority(os.PRIO_PROCESS, int(tid))
        return nice

    before = rasterizer_nice()
    hud.yield_to_models()  # the app calls it once the models are loaded
    nice = rasterizer_nice()
    assert nice and all(v >= hud.config.software_nice for v in nice.values()), (before, nice)
    assert os.getpriority(os.PRIO_PROCESS, 0) < hud.config.software_nice  # the GUI thread is not


def test_pressure_slows_the_view_and_thins_its_particles(hud, qtbot, clock):
    hud.ring.write(events((Kind.WORD, {"text": "pressure"})))
    frames(qtbot, hud, clock, 2)
    assert hud.frame_interval_ms == round(1000 / hud.pacer.display_fps) and hud.pace.moving
    hud.set_pressure(3.4, 0)  # the ASR is 3.4 s behind: the view gives way
    frames(qtbot, hud, clock, 1)
    floor = pacing.MIN_MOVING_FPS  # the rate stops there; the particles give way beyond
    assert hud.frame_interval_ms == round(1000 / floor) and hud.model.particle_share == 0.25
    assert "ASR backlog 3.4 s" in hud.pace.reason
    from fhud_app.render.overlay import overlay_lines

    lines = overlay_lines(hud.stats, hud.model, hud.readers, {"drops": 320, "backlog_s": 3.4}, hud.pace)
    assert any(line.startswith(f"rate {floor} fps:") for line in lines)
    assert any("yielding to the models: ASR backlog 3.4 s" in line and "×0.25" in line for line in lines)
    assert any("dropped 320 samples" in line for line in lines)
    lines = overlay_lines(hud.stats, hud.model, hud.readers, {"drops": 32000, "dropped_s": 2.0}, hud.pace)
    assert any("audio ring: dropped 2.0 s" in line for line in lines)


def test_frames_are_counted_by_tier(hud, qtbot, clock):
    hud.ring.write(events((Kind.WORD, {"text": "counted"})))
    frames(qtbot, hud, clock, 5)
    assert hud.frames >= 5 and hud.moving_frames >= 3 and hud.moving_s > 0


def test_the_widget_is_the_view_the_hud_expects(hud, qtbot, clock):
    from fhud_app.hud.parts import HudView

    assert isinstance(hud, HudView)
    ring = Ring(16, EVENT_DTYPE)
    hud.set_readers([ring.reader()])
    assert [r.ring for r in hud.readers] == [ring]


def test_a_shader_error_is_reported_as_one(display, qtbot, clock, monkeypatch):
    from fhud_app.render import widget as widget_module
    from fhud_app.render.particles import ParticleModel

    def broken(*_args):  # noqa: ANN002, ANN202
        raise ShaderError("shaders/field.glsl:12: 'undefined_name' : undeclared identifier")

    monkeypatch.setattr(widget_module, "GLRenderer", broken)
    widget = widget_module.HudGLWidget(ParticleModel(size=(400, 240)), clock=clock)
    qtbot.addWidget(widget)
    widget.resize(400, 240)
    with qtbot.waitSignal(widget.gl_unsupported, timeout=10000) as sig:
        widget.show()
    assert "field.glsl:12" in sig.args[0] and "needs OpenGL" not in sig.args[0]
