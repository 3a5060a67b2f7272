"""What the source replaced (NaN/Inf samples) is said in the HUD, once a pipeline."""

from __future__ import annotations

from fhud_app.hud.launch import Feed
from tests.hud.test_app_gui import FakeDevices, harness  # noqa: F401 - the fixture


def test_replaced_samples_are_said_once(qtbot, harness) -> None:  # noqa: F811
    h = harness(Feed(device=""), FakeDevices("Built-in"))
    h.app.controller.start()
    pipe = h.made[0]
    said: list[str] = []
    h.app.controller.message.connect(lambda text, _sticky: said.append(text))
    pipe.asr.metrics.emit({})
    pipe.source.nonfinite = 160
    pipe.asr.metrics.emit({})
    pipe.source.nonfinite = 320
    pipe.asr.metrics.emit({})
    assert said == ["The microphone: 160 samples (10 ms) were not numbers (NaN or infinite) "
                    "and were replaced with silence."]  # fmt: skip
    assert said[0] in h.app.window.status.text()
