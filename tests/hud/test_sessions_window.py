"""The Sessions window and the indexer thread behind it."""

from __future__ import annotations

import json

import pytest
import srt

from fhud_app.hud import session_index
from fhud_app.hud.session_index import SessionIndexer
from fhud_app.hud.sessions_window import SessionsWindow, literal_query
from fhud_app.store.library import SessionLibrary
from tests.store.session_files import two_sessions, word_lines, write_session


@pytest.fixture
def folder(tmp_path):
    return two_sessions(tmp_path / "sessions")


@pytest.fixture
def window(qtbot, folder, tmp_path):
    library = SessionLibrary(folder)
    library.update()
    w = SessionsWindow(library, tmp_path / "pictures")
    qtbot.addWidget(w)
    w.refresh()
    yield w
    w.close()
    library.close()


def _items(w) -> list[str]:
    return [w.list.item(i).text() for i in range(w.list.count())]


def test_the_list_shows_every_session_newest_first(window):
    items = _items(window)
    assert len(items) == 2
    assert items[0].startswith("2026-11-27 18:00  ·  00:03  ·  7 words\nsoil")
    assert items[1].endswith("gardens, compost, soil")


def test_the_search_field_lists_hits_and_a_hit_opens_its_session_at_its_time(qtbot, window):
    window.search.setText("water")
    qtbot.waitUntil(lambda: _items(window) and "water" in _items(window)[0], timeout=3000)
    assert _items(window) == ["2026-11-26 09:05  at 00:03\nThe garden is never finished. Soil and «water» make "
                              "the garden grow. Compost feeds the soil."]  # fmt: skip
    window.list.setCurrentRow(0)
    assert window.session.id == "2026-11-26_090507"
    assert "The garden is never finished." in window.transcript.toPlainText()
    assert window.concepts.text() == "Concepts: gardens (2), compost (1), soil (1)"


def test_a_half_typed_query_searches_the_words_as_typed(qtbot, window):
    window.search.setText('"soil')
    qtbot.waitUntil(lambda: len(_items(window)) == 4, timeout=3000)  # a concept and words in each
    assert all("«soil»" in item.lower() for item in _items(window))
    assert literal_query('say "hi" there') == '"say" """hi""" "there"'


def test_export_buttons_write_each_format(window, tmp_path):
    window.list.setCurrentRow(1)
    assert all(b.isEnabled() for b in window.buttons.values())
    path = window.export_to_file("srt", str(tmp_path / "garden.srt"))
    assert len(list(srt.parse(path.read_text()))) >= 1
    path = window.export_to_file("json", str(tmp_path / "garden.json"))
    assert json.loads(path.read_text())["id"] == "2026-11-26_090507"
    assert window.export_to_file("md", str(tmp_path / "missing" / "x.md")) is None
    assert window.message.text().startswith("Could not write")


def test_the_picture_of_the_concept_field_is_drawn_by_the_snapshot_path(qtbot, window):
    window.list.setCurrentRow(1)
    qtbot.waitUntil(lambda: window._process is None, timeout=120_000)
    pixmap = window.picture.pixmap()
    assert not pixmap.isNull(), window.picture.text()
    image = pixmap.toImage()
    assert image.width() > 100 and len({image.pixel(x, image.height() // 3) for x in range(0, image.width(), 7)}) > 3
    pngs = list(window.pictures.glob("2026-11-26_090507-*.png"))
    assert len(pngs) == 1  # cached: shown again without drawing
    window.list.setCurrentRow(0)
    window.list.setCurrentRow(1)
    assert not window.picture.pixmap().isNull()


def test_the_indexer_builds_the_index_then_follows_the_live_session(qtbot, folder, monkeypatch):
    monkeypatch.setattr(session_index, "LIVE_EVERY_S", 0.0)
    indexer = SessionIndexer(folder)
    notices: list[str] = []
    indexer.notice.connect(notices.append)
    with qtbot.waitSignal(indexer.updated, timeout=10_000):
        indexer.start()
    try:
        assert notices == []  # a first index is no news in the app (a damaged one is)
        live = write_session(folder, "2026-11-28_070000", word_lines("a fresh morning"))
        with qtbot.waitSignal(indexer.updated, timeout=10_000):
            indexer.session_written(live)
        reader = SessionLibrary(folder)
        assert reader.search("morning")[0].session == "2026-11-28_070000"
        reader.close()
        with qtbot.waitSignal(indexer.recall, timeout=10_000) as got:
            indexer.request_recall("2026-11-28_070000")
        assert got.args[0] == {"garden": 1, "soil": 2, "compost": 1}
    finally:
        indexer.stop()
        indexer.wait()


def test_the_indexer_says_when_it_rebuilt_a_damaged_index(qtbot, folder):
    library = SessionLibrary(folder)
    library.update()
    library.close()  # checkpointed: the index is all in its file
    (folder.parent / "sessions-index.sqlite3").write_bytes(b"garbage" * 1000)
    indexer = SessionIndexer(folder)
    notices: list[str] = []
    indexer.notice.connect(notices.append)
    try:
        with qtbot.waitSignal(indexer.updated, timeout=10_000):
            indexer.start()
    finally:
        indexer.stop()
        indexer.wait()
    assert len(notices) == 1 and "was unreadable" in notices[0] and "built it from 2 session files" in notices[0]


def test_the_open_session_follows_its_file_as_it_grows(qtbot, window, folder):
    window.list.setCurrentRow(0)
    assert window.session.id == "2026-11-27_180000" and len(window.session.words) == 7
    with open(folder / "2026-11-27_180000.jsonl", "a") as f:
        f.write('{"type": "word", "text": "tonight", "start": 9.0, "end": 9.4}\n')
    window.library.update()
    window.refresh()
    qtbot.waitUntil(lambda: len(window.session.words) == 8, timeout=3000)
    assert window.transcript.toPlainText().endswith("tonight")
