"""The GUI composition with a fake pipeline and a fake device layer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from fhud_app.app_gui import App, Feed
from fhud_app.core.config import Config
from fhud_app.core.errors import DeviceError
from fhud_app.hud.hotkey import parse_chord
from fhud_app.hud.settings import Key, Settings


class FakePipeline(QObject):
    status = Signal(str)
    error = Signal(str, str)
    level = Signal(float, float)

    def __init__(self, config: Config, feed: Feed) -> None:
        super().__init__()
        self.config, self.device = config, feed.device
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


class FakeDevices:
    def __init__(self, *names: str) -> None:
        self.names = list(names)

    def input_names(self) -> list[str]:
        return list(self.names)


class Harness:
    def __init__(self, qtbot, feed: Feed, layer: FakeDevices, settings: Settings | None = None) -> None:
        self.made: list[FakePipeline] = []
        self.settings = settings or Settings()
        self.app = App(self.settings.apply(Config()), feed, self.settings, view_factory=lambda c, p: QWidget(),
                       pipeline_factory=self._make, device_layer=layer)  # fmt: skip
        qtbot.addWidget(self.app.window)

    def _make(self, config: Config, feed: Feed) -> FakePipeline:
        pipe = FakePipeline(config, feed)
        self.made.append(pipe)
        return pipe

    def close(self) -> None:
        if self.app.hotkey is not None:
            self.app.hotkey.close()
        self.app.stop_pipeline()


@pytest.fixture
def harness(qtbot):
    made = []

    def build(feed: Feed | None = None, layer: FakeDevices | None = None, settings: Settings | None = None):
        h = Harness(qtbot, feed or Feed(device=""), layer or FakeDevices("Built-in"), settings)
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
    h.app.start_pipeline()
    h.made[0].status.emit("Loading the speech model… 40%")
    assert "40%" in h.app.window.status.text()
    assert "40%" in h.app.tray.status_action.text()


def test_missing_microphone_falls_back_to_default(harness):
    h = harness(Feed(device="USB Mic"), FakeDevices("Built-in"))
    h.app.start_pipeline()
    assert h.made[0].device == ""
    assert "not connected" in h.app.window.status.text()


def test_microphone_removed_mid_stream_restarts_on_default(qtbot, harness):
    layer = FakeDevices("Built-in", "USB Mic")
    h = harness(Feed(device="USB Mic"), layer)
    h.app.start_pipeline()
    assert h.made[0].device == "USB Mic"
    layer.names.remove("USB Mic")
    h.made[0].error.emit("device", "the input device 'USB Mic' stopped")
    qtbot.waitUntil(lambda: len(h.made) == 2, timeout=3000)
    assert h.made[1].device == "" and not h.made[0].running
    assert "removed" in h.app.window.status.text()
    assert h.settings.get(Key.INPUT_DEVICE) == ""


def test_silent_microphone_is_explained(harness):
    h = harness()
    h.app.start_pipeline()
    for _ in range(4):
        h.made[0].level.emit(0.0, 1.0)
    assert "silence" in h.app.window.status.text()


def test_failing_pipeline_is_a_sentence_not_a_crash(harness):
    h = harness()

    def broken(config, feed):
        raise DeviceError("no microphone found: connect one, or transcribe a file instead.")

    h.app._pipeline_factory = broken
    h.app.start_pipeline()
    assert "no microphone found" in h.app.window.status.text()
    assert h.app.pipeline is None


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
    h.app.start_pipeline()
    h.app.tray.listen_action.setChecked(False)
    assert h.app.pipeline is None and not h.made[0].running
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
