"""The GUI composition with a fake pipeline, a fake view and a fake device layer.

The fakes implement the protocols of :mod:`fhud_app.hud.parts`; a test checks that
they (and the real parts) still do, so a drifted fake fails here.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from fhud_app.app_gui import App
from fhud_app.audio.source import SourceSpec
from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.core.errors import DeviceError
from fhud_app.core.events import EVENT_DTYPE, Kind, make_event
from fhud_app.core.ring import Ring
from fhud_app.hud import parts
from fhud_app.hud.hotkey import parse_chord
from fhud_app.hud.settings import Key, Settings
from fhud_app.store.session import SessionRecorder


class FakeAsr(QObject):
    loading = Signal(float)
    ready = Signal(str, str)
    notice = Signal(str)
    error = Signal(str)
    metrics = Signal(dict)


class FakeConcepts(QObject):
    loading = Signal(float)
    ready = Signal(str)
    error = Signal(str)
    metrics = Signal(dict)


class FakeSource:
    sample_rate = 16_000

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.finished = threading.Event()
        self.overflows = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.finished.set()


class FakeView(QWidget):
    gl_unsupported = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.readers: list = []
        self.debug_overlay = False
        self.stats: dict = {}

    def set_readers(self, readers) -> None:  # noqa: ANN001
        self.readers = list(readers)

    def set_debug_overlay(self, on: bool) -> None:
        self.debug_overlay = on

    def set_pipeline_stats(self, stats: dict) -> None:
        self.stats = stats

    def set_pressure(self, backlog_s: float, concept_queue: int) -> None:
        self.pressure = (backlog_s, concept_queue)

    def yield_to_models(self) -> None:
        self.yielded = True

    def set_concept_recall(self, counts: dict) -> None:
        self.recall = counts

    def start_fresh(self) -> None:
        self.fresh = getattr(self, "fresh", 0) + 1


class FakePipeline(QObject):
    """A :class:`fhud_app.hud.parts.Pipeline` that runs nothing."""

    finished = Signal()

    def __init__(self, config: Config, spec: SourceSpec, concepts: bool = False) -> None:
        super().__init__()
        self.config, self.device, self.loop = config, spec.device or "", spec.loop
        self.asr = FakeAsr()
        self.concept_worker = FakeConcepts() if concepts else None
        self.words = Ring(64, EVENT_DTYPE)
        self.concepts = Ring(64, EVENT_DTYPE)
        self.audio = Ring(8 * 16_000, "float32")
        self.source = FakeSource()
        self.session = None if spec.loop else SessionRecorder(paths.sessions_dir(), source=spec.label)
        self.error: str | None = None
        self.running = False
        self.stuck = False

    def start(self) -> None:
        self.running = True

    def pressure(self) -> tuple[float, int]:
        return self.audio.reader(from_start=True).available() / 16_000, 0

    def stop(self, timeout_s: float | None = None) -> bool:
        self.running = False
        return not self.stuck  # a worker still loading its model outlives the timeout

    def fail(self, error: Exception) -> None:
        self.source.error = error
        self.error = str(error)
        self.finished.emit()


class FakeDevices:
    def __init__(self, *names: str) -> None:
        self.names = list(names)

    def input_names(self) -> list[str]:
        return list(self.names)

    def rescan(self) -> None:
        self.rescans = getattr(self, "rescans", 0) + 1


class Harness:
    def __init__(self, qtbot, spec: SourceSpec, layer: FakeDevices, settings: Settings | None = None) -> None:
        self.made: list[FakePipeline] = []
        self.settings = settings or Settings()
        self.concepts = False  # pipelines made with a fake concept stage
        self.app = App(self.settings.apply(Config()), spec, self.settings, view_factory=lambda c: FakeView(),
                       pipeline_factory=self._make, device_layer=layer)  # fmt: skip
        self.control = self.app.controller
        qtbot.addWidget(self.app.window)

    def _make(self, config: Config, spec: SourceSpec) -> FakePipeline:
        pipe = FakePipeline(config, spec, self.concepts)
        self.made.append(pipe)
        return pipe

    def close(self) -> None:
        self.app.hotkey.close()
        self.control.stop()
        self.app.sessions.close()


@pytest.fixture
def harness(qtbot):
    made = []

    def build(spec: SourceSpec | None = None, layer: FakeDevices | None = None, settings: Settings | None = None):
        h = Harness(qtbot, spec or SourceSpec(), layer or FakeDevices("Built-in"), settings)
        made.append(h)
        return h

    yield build
    for h in made:
        h.close()


def test_start_shows_the_hud_then_starts_the_pipeline(qtbot, harness):
    h = harness()
    h.app.start()
    assert h.app.window.isVisible()
    assert h.made == []  # models load after the HUD is up
    qtbot.waitUntil(lambda: len(h.made) == 1 and h.made[0].running, timeout=3000)


def test_pipeline_status_reaches_hud_and_tray(qtbot, harness):
    h = harness()
    h.control.start()
    h.made[0].asr.loading.emit(0.4)
    assert "40%" in h.app.window.status.text()
    assert "40%" in h.app.tray.status_action.text()


def test_missing_microphone_falls_back_to_default(harness):
    h = harness(SourceSpec(device="USB Mic"), FakeDevices("Built-in"))
    h.control.start()
    assert h.made[0].device == ""
    assert "not connected" in h.app.window.status.text()


def test_microphone_removed_mid_stream_restarts_on_default(qtbot, harness):
    layer = FakeDevices("Built-in", "USB Mic")
    h = harness(SourceSpec(device="USB Mic"), layer)
    h.control.start()
    assert h.made[0].device == "USB Mic"
    layer.names.remove("USB Mic")
    h.made[0].fail(DeviceError("the input device 'USB Mic' stopped (unplugged?)"))
    qtbot.waitUntil(lambda: len(h.made) == 2, timeout=3000)
    assert h.made[1].device == "" and not h.made[0].running
    assert "removed" in h.app.window.status.text()
    assert h.settings.get(Key.INPUT_DEVICE) == ""


def test_silent_microphone_is_explained(qtbot, harness):
    h = harness()
    h.control.start()
    h.made[0].audio.write(np.zeros(16_000, np.float32))
    h.control.check_level()
    assert "silence" not in h.app.window.status.text()
    h.made[0].audio.write(np.zeros(3 * 16_000, np.float32))
    h.control.check_level()
    assert "silence" in h.app.window.status.text()


def test_words_ring_reaches_the_view(harness):
    h = harness()
    h.control.start()
    assert [r.ring for r in h.app.window.view.readers] == [h.made[0].words, h.made[0].concepts]


def test_demo_loops_inside_one_pipeline(qtbot, harness):
    h = harness(SourceSpec(Path("demo.ogg"), loop=True))
    h.control.start()
    assert h.made[0].loop  # the source loops: the pipeline (and its models) is built once
    assert len(h.made) == 1 and h.made[0].running
    h.made[0].asr.ready.emit("whisper", "no Apple GPU")
    assert h.app.window.status.text() == "Demo: a recorded monologue, played on a loop (speech: whisper)."


def test_a_file_that_ends_says_so(harness):
    h = harness(SourceSpec(Path("talk.wav")))
    h.control.start()
    h.made[0].finished.emit()
    assert h.control.pipeline is None and "ended" in h.app.window.status.text()


def test_failing_pipeline_is_a_sentence_not_a_crash(harness):
    h = harness()

    def broken(config, spec):
        raise DeviceError("no microphone found: connect one, or transcribe a file instead.")

    h.control.factory = broken
    h.control.start()
    assert "no microphone found" in h.app.window.status.text()
    assert h.control.pipeline is None


def test_choices_persist_across_launches(qtbot, harness, private_settings):
    first = harness()
    first.app.start()
    first.app.tray.pin_action.trigger()  # unpin
    first.app.tray.click_action.trigger()  # click-through on
    next(a for a in first.app.tray.engine_group.actions() if a.data() == "whisper").trigger()
    first.app.save()
    first.close()
    second = harness(settings=Settings(private_settings))
    assert second.app.window.pinned is False
    assert second.app.window.click_through is True
    assert second.app.config.asr.engine == "whisper"
    assert second.app.tray.selected(second.app.tray.engine_group) == "whisper"


def test_listening_off_stops_the_pipeline(qtbot, harness):
    h = harness()
    h.control.start()
    h.app.tray.listen_action.setChecked(False)
    assert h.control.pipeline is None and not h.made[0].running
    assert h.settings.get(Key.LISTENING) is False


def test_hotkey_conflict_is_shown(qtbot, x11, harness):
    from fhud_app.hud.hotkey.x11 import X11Hotkey

    squatter = X11Hotkey()
    try:
        squatter.register(parse_chord(Config().hud.hotkey))
        h = harness()
        h.app.start()
        assert "already used by another application" in h.app.window.status.text()
    finally:
        squatter.close()


def test_concept_stage_progress_is_shown(harness):
    h = harness()
    h.concepts = True
    h.control.start()
    stage = h.made[0].concept_worker
    stage.loading.emit(0.5)
    assert "concept model… 50%" in h.app.window.status.text()
    yielded = []
    h.control.models_ready.connect(lambda: yielded.append(True))
    stage.ready.emit("yake")
    assert h.app.window.status.text() == "Concepts: keywords (no language model)."
    assert h.app.window.status._pending == ""  # the loading line does not come back
    assert yielded == [True] and h.app.view.yielded  # the view now yields to the models


def test_ready_clears_the_loading_line(qtbot, harness):
    h = harness()
    h.control.start()
    h.made[0].asr.loading.emit(1.0)
    h.made[0].asr.ready.emit("whisper", "embedded")
    assert h.app.window.status.text() == "Listening (speech: whisper)."
    h.app.window.status._notice_done()  # the notice's time is up
    assert not h.app.window.status.isVisible()


def test_quit_saves_and_releases(qtbot, x11, harness, private_settings):
    h = harness()
    h.app.start()
    h.app.window.move(123, 77)
    h.app.quit()
    assert h.app.hotkey.backend is None and h.control.pipeline is None
    assert not h.app.window.isVisible()
    assert Settings(private_settings).get(Key.GEOMETRY).startswith("123,77,")


def test_quit_does_not_wait_for_a_model_load(qtbot, x11, harness, private_settings):
    h = harness()
    h.control.start()
    stuck = h.made[0]
    stuck.stuck = True  # its worker is inside a model load that cannot be interrupted
    h.app.window.move(40, 50)
    h.app.quit()
    assert h.control.abandoned is stuck and h.control.pipeline is None  # left to the process exit
    assert Settings(private_settings).get(Key.GEOMETRY).startswith("40,50,")


def test_debug_overlay_gets_asr_and_concept_figures(harness):
    h = harness()
    h.concepts = True
    h.control.start()
    h.made[0].asr.metrics.emit({"rtf": 0.2, "latency_p50": 1.1, "overflows": 3})
    h.made[0].concept_worker.metrics.emit({"latency_p50": 2.5})
    stats = h.app.view.stats
    assert stats["overflows"] == 3 and stats["latency_p50"] == 1.1
    assert stats["concept_latency_p50"] == 2.5


def test_the_fakes_and_the_real_parts_keep_to_the_protocols(qapp, tmp_path):
    import soundfile as sf

    from fhud_app.app import make_pipeline

    assert isinstance(FakePipeline(Config(), SourceSpec(), concepts=True), parts.Pipeline)
    assert isinstance(FakeView(), parts.HudView)
    sf.write(tmp_path / "talk.wav", np.zeros(1600, np.float32), 16_000)
    real = make_pipeline(Config(), SourceSpec(tmp_path / "talk.wav"))  # built, not started
    assert isinstance(real, parts.Pipeline)
    assert isinstance(real.asr, parts.SpeechStage) and isinstance(real.concept_worker, parts.ConceptStage)


def test_exit_after_quits_and_saves(qtbot, x11, harness, private_settings):
    h = harness()
    h.app.start(exit_after=0.2)  # fhud --exit-after 0.2
    assert h.app.window.isVisible()
    qtbot.waitUntil(lambda: not h.app.window.isVisible() and h.app.hotkey.backend is None, timeout=5000)
    assert h.control.pipeline is None and Settings(private_settings).get(Key.GEOMETRY)


def test_the_view_learns_how_far_behind_the_models_are(qtbot, harness):
    h = harness()
    h.control.start()
    h.made[0].audio.write(np.zeros(3 * 16_000, np.float32))  # 3 s nobody decoded yet
    qtbot.waitUntil(lambda: getattr(h.app.view, "pressure", (0, 0))[0] == 3.0, timeout=3000)


def test_metrics_sink_writes_latencies_and_frames(harness, tmp_path, monkeypatch):
    import json

    from fhud_app.core.events import Kind, make_event

    monkeypatch.setenv("FHUD_METRICS_FILE", str(tmp_path / "m.jsonl"))
    h = harness()
    h.control.start()
    h.made[0].asr.metrics.emit({"backlog_s": 0.4, "drops": 0})
    words = h.made[0].words
    words.write(make_event(Kind.WORD, text="soak", start=1.0, end=1.5, emitted_at=2.7))
    words.write(make_event(Kind.DRAFT, text="draft", emitted_at=2.8))
    h.app.metrics_sink.write()
    h.app.metrics_sink.close()
    line = json.loads((tmp_path / "m.jsonl").read_text().splitlines()[0])
    assert line["word_latencies"] == [1.2] and line["stats"]["backlog_s"] == 0.4 and "frames" in line


def test_the_only_microphone_goes_away_and_comes_back(qtbot, harness):
    layer = FakeDevices("Built-in")
    h = harness(SourceSpec(), layer)
    h.control.start()
    first = h.made[0]
    first.words.write(make_event(Kind.WORD, text="before", start=0.0, end=0.3, emitted_at=1.0))
    layer.names.clear()  # unplugged: no input at all
    first.fail(DeviceError("the input device stopped (unplugged?)"))
    qtbot.waitUntil(lambda: "went away" in h.app.window.status.text(), timeout=3000)
    assert not first.running and len(h.made) == 1  # nothing to listen to: it waits
    qtbot.waitUntil(lambda: getattr(layer, "rescans", 0) >= 2, timeout=3000)  # still looking
    assert len(h.made) == 1
    layer.names.append("Built-in")  # plugged back in
    back = time.monotonic()
    qtbot.waitUntil(lambda: len(h.made) == 2 and h.made[1].running, timeout=2000)
    assert time.monotonic() - back <= 2.0
    assert "back" in h.app.window.status.text()
    words = [e["text"] for e in _session_lines(first) if e.get("type") == "word"]
    assert words == ["before"]  # the words before it went away reached the session file


def _session_lines(pipe: FakePipeline) -> list:
    import json

    lines = pipe.session.path.read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines[1:]]


@pytest.mark.qt_no_exception_capture
def test_an_unhandled_worker_exception_is_one_sentence_in_hud_and_tray(qtbot, harness, monkeypatch):
    import sys
    import threading

    from fhud_app.core import logs
    from fhud_app.hud.crash import CrashBridge

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logs.install_excepthooks()
    h = harness()
    from fhud_app.commands.gui import show_error

    bridge = CrashBridge(lambda text: show_error(h.app, text), h.app)
    try:
        threading.Thread(target=lambda: [][1], name="asr").start()
        qtbot.waitUntil(lambda: "unexpected error" in h.app.tray.status_action.text(), timeout=5000)
    finally:
        bridge.close()
    assert "in asr (IndexError" in h.app.window.status.text()
