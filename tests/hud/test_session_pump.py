"""The GUI keeps a session file of what was said, fed from the pipeline's rings."""

from __future__ import annotations

import json

from fhud_app.app_gui import Feed
from fhud_app.core import paths
from fhud_app.core.events import Kind, make_event
from tests.hud.test_app_gui import FakeDevices, harness  # noqa: F401 - the fixture


def _say(pipe, *words: str) -> None:
    for i, w in enumerate(words):
        pipe.words.write(make_event(Kind.WORD, text=w, start=i, end=i + 0.4, value=0.9))


def test_words_and_concepts_reach_the_session_file_when_the_pipeline_stops(qtbot, harness):  # noqa: F811
    h = harness(Feed(file="talk.wav"), FakeDevices("Built-in"))
    h.app.controller.start()
    pipe = h.made[0]
    _say(pipe, "seed", "round")
    pipe.concepts.write(make_event(Kind.CONCEPT, id=1, text="seed round", value=1.0, count=1))
    h.app.controller.stop()
    files = list(paths.sessions_dir().glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(x) for x in files[0].read_text().splitlines()]
    assert lines[0]["type"] == "session" and lines[0]["source"] == "talk.wav"
    assert [x.get("text") for x in lines[1:]] == ["seed", "round", "seed round"]


def test_the_timer_saves_while_running_and_a_full_disk_is_said_once(qtbot, harness, monkeypatch):  # noqa: F811
    h = harness(Feed(device=""), FakeDevices("Built-in"))
    h.app.controller.start()
    said: list[str] = []
    monkeypatch.setattr(h.app, "say", lambda text, sticky=False: said.append(text))
    pump = h.app.controller.session
    pump._timer.setInterval(20)
    pump._timer.start()
    real_flush = pump.recorder.flush

    def full_disk():
        pump.recorder.error = "Could not save the session (No space left on device)."
        return pump.recorder.error

    monkeypatch.setattr(pump.recorder, "flush", full_disk)
    _say(h.made[0], "cache")
    qtbot.waitUntil(lambda: len(pump.recorder.pending) == 1, timeout=2000)
    qtbot.waitUntil(lambda: len(said) > 0, timeout=2000)
    monkeypatch.setattr(pump.recorder, "flush", real_flush)
    qtbot.waitUntil(lambda: pump.recorder.written == 2, timeout=2000)  # header + the word
    assert said == ["Could not save the session (No space left on device)."]


def test_the_demo_keeps_no_session(qapp):
    from fhud_app.app import make_pipeline
    from fhud_app.core.config import Config
    from fhud_app.hud.launch import DEMO_FILE

    demo = make_pipeline(Config(), Feed(file=str(paths.repo_resources() / DEMO_FILE), loop=True))
    assert demo.session is None  # built, not started
    played = make_pipeline(Config(), Feed(file=str(paths.repo_resources() / DEMO_FILE)))
    assert played.session is not None and played.session.header["source"].endswith(DEMO_FILE)
