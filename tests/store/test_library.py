from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from fhud_app.core.errors import InputError
from fhud_app.store.library import SessionLibrary
from fhud_app.store.library_schema import MARK
from tests.store.session_files import concept, garden_session, word_lines, write_session


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "sessions"
    garden_session(folder)
    write_session(folder, "2026-11-27_180000", [*word_lines("rivers carry the soil to the sea"),
                                                concept(1, "soil", 1, 2.5), concept(2, "sea", 1, 3.0)])
    return folder


def _open(folder) -> SessionLibrary:
    lib = SessionLibrary(folder)
    lib.update()
    return lib


def test_the_index_is_built_from_the_files_and_lists_the_newest_first(folder):
    lib = _open(folder)
    assert lib.notices == ["There was no session index yet: built it from 2 session files."]
    rows = lib.sessions()
    assert [r.id for r in rows] == ["2026-11-27_180000", "2026-11-26_090507"]
    assert rows[1].words == 16 and rows[1].top[0] == "gardens" and rows[1].duration > 6
    assert lib.index_path == folder.parent / "sessions-index.sqlite3"
    assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_search_finds_words_and_concepts_with_the_time_in_the_session(folder):
    lib = _open(folder)
    hits = lib.search("soil")
    assert [(h.session, h.kind) for h in hits] == [  # concepts first, then moments; newest first
        ("2026-11-27_180000", "concept"), ("2026-11-26_090507", "concept"),
        ("2026-11-27_180000", "words"), ("2026-11-26_090507", "words")]  # fmt: skip
    words = [h for h in hits if h.kind == "words"]
    assert {h.session for h in words} == {"2026-11-27_180000", "2026-11-26_090507"}
    older = next(h for h in words if h.session == "2026-11-26_090507")
    assert f"{MARK[0]}Soil{MARK[1]} and water" in older.text
    assert older.time == pytest.approx(0.5 + 5 * 0.4)  # "Soil" is the 6th word, 0.4 s apart
    assert lib.search('"the garden"')[0].session == "2026-11-26_090507"
    assert lib.search("gardens")  # stemmed: "garden" matches "gardens"
    assert lib.search("zebra") == []


@pytest.mark.parametrize("query", ['"unbalanced', "garden AND", "col:umn", "("])
def test_a_bad_query_is_one_sentence_and_the_index_stays(folder, query):
    lib = _open(folder)
    with pytest.raises(InputError, match="is not a valid query") as err:
        lib.search(query)
    assert "\n" not in str(err.value)
    assert len(lib.search("garden")) >= 1


def test_an_unknown_or_ambiguous_id_is_one_sentence(folder):
    lib = _open(folder)
    with pytest.raises(InputError, match="There is no session 'nope'"):
        lib.resolve("nope")
    with pytest.raises(InputError, match="names 2 sessions"):
        lib.resolve("2026-11-2")
    assert lib.resolve("2026-11-26").id == "2026-11-26_090507"
    assert lib.resolve("last").id == "2026-11-27_180000"


def test_new_grown_edited_and_deleted_files_are_noticed_at_the_next_update(folder):
    lib = _open(folder)
    lib.notices.clear()
    path = folder / "2026-11-27_180000.jsonl"
    with open(path, "a") as f:  # the live session grew
        f.write('{"type": "word", "text": "tomorrow", "start": 9.0, "end": 9.4}\n')
    write_session(folder, "2026-11-28_070000", word_lines("a new morning"))
    assert lib.update() == 2
    assert lib.search("tomorrow")[0].session == "2026-11-27_180000"
    assert lib.search("morning")[0].session == "2026-11-28_070000"
    text = path.read_text().replace("rivers", "streams")  # a hand edit
    path.write_text(text)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    lib.update()
    assert lib.search("streams") and not lib.search("rivers")
    (folder / "2026-11-26_090507.jsonl").unlink()
    lib.update()
    assert [r.id for r in lib.sessions()] == ["2026-11-28_070000", "2026-11-27_180000"]
    assert lib.notices == ["The file of session 2026-11-26_090507 was deleted: it left the library."]
    assert lib.update() == 0  # nothing new: nothing re-read


def test_a_torn_line_is_reported_once(folder):
    write_session(folder, "2026-11-28_070000", word_lines("cut off here"), tail='{"type": "wo')
    lib = _open(folder)
    torn = [n for n in lib.notices if "cut short" in n]
    assert len(torn) == 1 and torn[0].startswith("Session 2026-11-28_070000:")
    assert lib.search("here")[0].session == "2026-11-28_070000"
    lib.notices.clear()
    lib.update()
    SessionLibrary(folder).update()
    assert lib.notices == []


def test_a_file_that_is_not_json_lines_is_left_out_in_one_sentence_once(folder):
    (folder / "shopping.jsonl").write_text("milk\neggs\n")
    lib = _open(folder)
    assert "shopping.jsonl is not a session file: line 1 is not JSON Lines; it was left out of the library." in lib.notices
    assert len(lib.sessions()) == 2 and lib.search("garden")
    lib.notices.clear()
    lib.update()
    assert lib.notices == []


@pytest.mark.parametrize("damage", ["deleted", "garbage", "truncated"])
def test_a_corrupt_index_is_rebuilt_from_the_files_and_says_so(folder, damage):
    lib = _open(folder)
    lib.close()
    index = lib.index_path
    if damage == "deleted":
        index.unlink()
    elif damage == "garbage":
        index.write_bytes(os.urandom(8192))
    else:
        data = index.read_bytes()
        index.write_bytes(data[: len(data) // 2] + b"\0" * 1000)
    for suffix in ("-wal", "-shm"):
        (index.parent / (index.name + suffix)).unlink(missing_ok=True)
    lib = _open(folder)
    assert [r.id for r in lib.sessions()] == ["2026-11-27_180000", "2026-11-26_090507"]
    assert lib.search("garden")
    said = [n for n in lib.notices if "built it from 2 session files" in n]
    assert len(said) == 1, lib.notices


def test_an_index_damaged_while_open_is_rebuilt(folder):
    lib = _open(folder)
    lib.conn.execute("DROP TABLE sessions")  # as good as a damaged page: the table is unreadable
    assert [r.id for r in lib.sessions()] == ["2026-11-27_180000", "2026-11-26_090507"]
    assert any("was damaged" in n and "built it from 2" in n for n in lib.notices)


def test_a_read_only_folder_still_lists_and_searches_and_refuses_delete_in_one_sentence(folder, monkeypatch):
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root writes anyway: the folder refuses as a read-only one would
        def refuse(self, missing_ok=False):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))

        monkeypatch.setattr(Path, "unlink", refuse)
    try:
        lib = _open(folder)
        assert len(lib.sessions()) == 2 and lib.search("garden")
        with pytest.raises(InputError, match="Cannot delete session 2026-11-26_090507: .*read-only") as err:
            lib.delete("2026-11-26")
        assert "\n" not in str(err.value)
        assert (folder / "2026-11-26_090507.jsonl").exists() and len(lib.sessions()) == 2
    finally:
        folder.chmod(stat.S_IRWXU)


def test_an_index_that_cannot_be_written_lives_in_memory_and_says_so(folder, tmp_path):
    blocked = tmp_path / "no-index-here"
    blocked.write_text("a file where the index's folder should be")
    lib = SessionLibrary(folder, blocked / "index.sqlite3")
    lib.update()
    assert len(lib.sessions()) == 2 and lib.search("soil")
    assert any(n.startswith("The session index cannot be written at") for n in lib.notices)


def test_delete_removes_the_file_and_its_entries(folder):
    lib = _open(folder)
    row = lib.delete("2026-11-26_090507")
    assert not row.path.exists()
    assert [r.id for r in lib.sessions()] == ["2026-11-27_180000"]
    assert all(h.session == "2026-11-27_180000" for h in lib.search("soil"))


def test_concepts_are_matched_across_sessions(folder):
    write_session(folder, "2026-11-29_080000", [*word_lines("the garden again"), concept(7, "The Garden", 3)])
    lib = _open(folder)
    rows = {r.key: r for r in lib.concepts()}
    assert rows["garden"].sessions == 2 and rows["garden"].days == 2 and rows["garden"].mentions == 5
    assert rows["garden"].session_ids == ["2026-11-29_080000", "2026-11-26_090507"]
    assert rows["soil"].sessions == 2 and rows["sea"].sessions == 1
    assert [r.key for r in lib.concepts(min_sessions=2)] == ["garden", "soil"]
    assert lib.earlier_sessions(["garden", "sea", "moon"], exclude="2026-11-29_080000") == {"garden": 1, "sea": 1}


def test_reindex_rebuilds_everything_from_the_files(folder):
    lib = _open(folder)
    lib.conn.execute("DELETE FROM fts")
    lib.conn.execute("DELETE FROM cfts")
    assert lib.search("garden") == []
    assert lib.reindex() == 2
    assert lib.search("garden")


def test_recall_counts_the_other_sessions_of_every_concept(folder):
    lib = _open(folder)
    assert lib.recall(exclude="2026-11-27_180000") == {"garden": 1, "soil": 1, "compost": 1}
    assert lib.recall() == {"garden": 1, "soil": 2, "compost": 1, "sea": 1}


def test_a_first_index_of_an_empty_folder_is_no_news(tmp_path):
    lib = SessionLibrary(tmp_path / "sessions")
    assert lib.update() == 0 and lib.notices == [] and lib.sessions() == []


def test_concepts_named_like_the_query_do_not_crowd_out_the_moments(folder):
    many = [concept(i, f"garden {name}") for i, name in enumerate("of memory every morning remembers beds".split(), 1)]
    write_session(folder, "2026-11-28_070000", [*word_lines("the garden"), *many])
    hits = _open(folder).search("garden", limit=4)
    assert [h.kind for h in hits].count("concept") == 4
    assert [h.session for h in hits if h.kind == "words"] == ["2026-11-28_070000", "2026-11-26_090507"]
