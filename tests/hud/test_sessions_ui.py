"""The session library in the app: New session, the Sessions window, the concept memory."""

from __future__ import annotations

import json

from fhud_app.core import paths
from fhud_app.core.events import Kind, make_event
from fhud_app.hud.settings import Key
from tests.hud.test_app_gui import FakeDevices, harness  # noqa: F401 - the fixture
from tests.store.session_files import concept, word_lines, write_session


def _say(pipe, *words: str) -> None:
    for i, w in enumerate(words):
        pipe.words.write(make_event(Kind.WORD, text=w, start=i, end=i + 0.4, value=0.9))


def _files():
    return sorted(paths.sessions_dir().glob("*.jsonl"))


def test_new_session_closes_the_file_starts_another_and_empties_the_field(qtbot, harness):  # noqa: F811
    h = harness()
    h.control.start()
    first = h.made[0]
    _say(first, "seed", "round")
    first.session.path = paths.sessions_dir() / "2026-11-26_090000.jsonl"  # two files, one second
    h.app.sessions.new_session()
    assert len(h.made) == 2 and h.made[1].running and not first.running
    assert h.app.view.fresh == 1
    assert "A new session has started." in h.app.window.status.text()
    _say(h.made[1], "fresh", "start")
    h.control.stop()
    files = _files()
    assert len(files) == 2
    texts = [[json.loads(x).get("text") for x in f.read_text().splitlines()[1:]] for f in files]
    assert texts == [["seed", "round"], ["fresh", "start"]]


def test_the_sessions_window_opens_from_the_tray_and_lists_the_new_session(qtbot, harness):  # noqa: F811
    h = harness()
    h.control.start()
    _say(h.made[0], "garden", "party")
    h.control.stop()  # the file is written; the indexer reads it at once (the session ended)
    h.app.tray.menu.actions()  # the tray entry is wired to the window
    next(a for a in h.app.tray.menu.actions() if a.text() == "Sessions…").trigger()
    window = h.app.sessions.window
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: window.list.count() == 1, timeout=10_000)
    assert "2 words" in window.list.item(0).text()


def test_the_concept_memory_marks_concepts_from_earlier_sessions(qtbot, harness):  # noqa: F811
    write_session(paths.sessions_dir(), "2026-11-20_080000", [*word_lines("my garden"), concept(1, "garden")])
    write_session(paths.sessions_dir(), "2026-11-21_080000", [*word_lines("the gardens"), concept(1, "gardens")])
    h = harness()
    assert not h.settings.get(Key.CONCEPT_MEMORY)  # off by default
    h.control.start()
    next(a for a in h.app.tray.menu.actions() if a.text() == "Remember concepts across sessions").trigger()
    assert h.settings.get(Key.CONCEPT_MEMORY)
    qtbot.waitUntil(lambda: getattr(h.app.view, "recall", None) == {"garden": 2}, timeout=10_000)
    h.app.sessions.set_memory(False)
    assert h.app.view.recall == {}
