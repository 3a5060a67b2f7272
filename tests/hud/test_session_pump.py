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


def test_a_save_problem_stays_in_the_hud_and_the_tray_until_it_is_solved(qtbot, harness, monkeypatch):  # noqa: F811
    h = harness(Feed(device=""), FakeDevices("Built-in"))
    h.app.controller.start()
    pump = h.app.controller.session
    pump._timer.setInterval(20)
    pump._timer.start()
    real_flush = pump.recorder.flush
    problem = "Not saving the session: the disk is full (No space left on device)."
    emitted: list[str] = []
    pump.problem.connect(emitted.append)

    def full_disk():
        pump.recorder.error = problem
        return problem

    monkeypatch.setattr(pump.recorder, "flush", full_disk)
    _say(h.made[0], "cache")
    status, tray = h.app.window.status, h.app.tray
    qtbot.waitUntil(lambda: status.text() == f"Loading the speech model…\n{problem}", timeout=2000)
    assert tray.alert_action.isVisible() and problem in tray.alert_action.text()
    assert problem in tray.icon.toolTip()
    status.show_message("")  # what the end of loading does: the problem stays
    h.app.say("Listening.")  # and a notice shows above it
    assert status.text() == f"Listening.\n{problem}" and status.isVisibleTo(h.app.window)
    monkeypatch.setattr(pump.recorder, "flush", real_flush)
    qtbot.waitUntil(lambda: pump.recorder.written == 2, timeout=2000)  # header + the word
    qtbot.waitUntil(lambda: not tray.alert_action.isVisible(), timeout=2000)
    assert status.text() == "Listening." and emitted == [problem, ""]  # said once, then cleared


def test_a_sessions_folder_that_is_a_file_is_named_and_the_words_rescued_at_quit(
        qtbot, harness, monkeypatch, tmp_path, caplog):  # noqa: F811
    paths.sessions_dir().parent.mkdir(parents=True, exist_ok=True)
    paths.sessions_dir().write_text("not a folder")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    h = harness(Feed(file="talk.wav"), FakeDevices("Built-in"))
    h.app.controller.start()
    _say(h.made[0], "seed", "round")
    h.app.controller.session.pump()
    expected = f"Not saving the session: {paths.sessions_dir()} is a file, not a folder (move it away)."
    assert h.app.window.status.text().splitlines()[1].startswith(expected)
    assert "disk" not in h.app.window.status.text()
    monkeypatch.setattr("fhud_app.app_gui.QApplication.quit", lambda: None)
    h.app.quit()
    rescued = list(tmp_path.glob("fhud-session-*.jsonl"))
    assert len(rescued) == 1
    lines = [json.loads(x) for x in rescued[0].read_text().splitlines()]
    assert lines[0]["type"] == "session" and [x["text"] for x in lines[1:]] == ["seed", "round"]
    said = [r.getMessage() for r in caplog.records if "unsaved lines" in r.getMessage()]
    assert said == [f"The session could not be saved: {paths.sessions_dir()} is a file, not a folder "
                    f"(move it away). Its 2 unsaved lines are in {rescued[0]}."]  # fmt: skip


def test_the_demo_keeps_no_session(qapp):
    from fhud_app.app import make_pipeline
    from fhud_app.core.config import Config
    from fhud_app.hud.launch import DEMO_FILE

    demo = make_pipeline(Config(), Feed(file=str(paths.repo_resources() / DEMO_FILE), loop=True))
    assert demo.session is None  # built, not started
    played = make_pipeline(Config(), Feed(file=str(paths.repo_resources() / DEMO_FILE)))
    assert played.session is not None and played.session.header["source"].endswith(DEMO_FILE)
