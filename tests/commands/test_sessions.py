from __future__ import annotations

import io
import json

import pytest
import srt
import webvtt

from fhud_app.cli import main
from tests.store.session_files import two_sessions


@pytest.fixture
def folder(tmp_path):
    return two_sessions(tmp_path / "sessions")


def fhud(capsys, folder, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["sessions", "--folder", str(folder), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_date_duration_words_and_top_concepts(capsys, folder):
    code, out, err = fhud(capsys, folder, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "DATE", "DURATION", "WORDS", "TOP", "CONCEPTS"]
    assert lines[1].split()[:5] == ["2026-11-27_180000", "2026-11-27", "18:00", "00:03", "7"]
    assert lines[2].endswith("gardens, compost, soil")
    assert "built it from 2 session files" in err
    assert fhud(capsys, folder, "list")[2] == ""  # said once


def test_show_prints_the_transcript_with_times_and_the_concepts(capsys, folder):
    code, out, _ = fhud(capsys, folder, "show", "2026-11-26")
    assert code == 0
    assert "[00:00] The garden is never finished." in out
    assert "Concepts: gardens (2), compost (1), soil (1)" in out


def test_search_prints_highlighted_snippets_with_the_time(capsys, folder):
    code, out, _ = fhud(capsys, folder, "search", "soil")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2026-11-27_180000  2026-11-27 18:00  at 00:02  concept [soil]"
    assert ("2026-11-26_090507  2026-11-26 09:05  at 00:02  The garden is never finished. [Soil] and water "
            "make the garden grow. Compost feeds the [soil].") in lines
    assert fhud(capsys, folder, "search", "zebra")[0] == 1


@pytest.mark.parametrize("fmt", ["md", "txt", "srt", "vtt", "json"])
def test_export_writes_each_format(capsys, folder, tmp_path, fmt):
    out_file = tmp_path / f"garden.{fmt}"
    code, _, err = fhud(capsys, folder, "export", "2026-11-26_090507", "--format", fmt, "--out", str(out_file))
    assert code == 0 and f"wrote {out_file}" in err
    text = out_file.read_text()
    if fmt == "srt":
        assert len(list(srt.parse(text))) >= 2
    elif fmt == "vtt":
        assert len(webvtt.from_string(text).captions) >= 2
    elif fmt == "json":
        assert json.loads(text)["links"] == [{"a": "garden", "b": "soil", "strength": 0.5}]
    elif fmt == "md":
        assert "[[gardens]]" in text
    else:
        assert text.startswith("The garden is never finished.")


def test_delete_asks_first(capsys, folder, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, _, err = fhud(capsys, folder, "delete", "2026-11-26_090507")
    assert code == 1 and "Kept session 2026-11-26_090507." in err
    assert (folder / "2026-11-26_090507.jsonl").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    code, _, err = fhud(capsys, folder, "delete", "2026-11-26_090507")
    assert code == 0 and "Deleted session 2026-11-26_090507." in err
    assert not (folder / "2026-11-26_090507.jsonl").exists()
    assert fhud(capsys, folder, "list")[1].count("\n") == 2


@pytest.mark.parametrize(("argv", "sentence"), [
    (["show", "nope"], "There is no session 'nope'"),
    (["export", "nope", "--format", "srt"], "There is no session 'nope'"),
    (["delete", "nope", "--yes"], "There is no session 'nope'"),
    (["search", '"unbalanced'], "is not a valid query"),
])  # fmt: skip
def test_bad_input_is_one_sentence_and_the_other_sessions_stay(capsys, folder, argv, sentence):
    code, out, err = fhud(capsys, folder, *argv)
    errors = [line for line in err.splitlines() if line.startswith("fhud: error:")]
    assert code == 2 and len(errors) == 1 and sentence in errors[0] and out == ""
    assert "Traceback" not in err
    assert fhud(capsys, folder, "list")[1].count("\n") == 3


def test_a_garbage_index_is_rebuilt_and_says_so(capsys, folder):
    fhud(capsys, folder, "list")
    (folder.parent / "sessions-index.sqlite3").write_bytes(b"this is not a database" * 300)
    code, out, err = fhud(capsys, folder, "search", "garden")
    assert code == 0 and "2026-11-26_090507" in out
    assert "was unreadable" in err and "built it from 2 session files" in err


def test_a_file_that_is_not_json_lines_is_named_and_the_rest_listed(capsys, folder):
    (folder / "notes.jsonl").write_text("not json\n")
    code, out, err = fhud(capsys, folder, "list")
    assert code == 0 and out.count("\n") == 3
    assert "notes.jsonl is not a session file" in err


def test_reindex_and_concepts(capsys, folder):
    code, _, err = fhud(capsys, folder, "reindex")
    assert code == 0 and "Indexed 2 sessions" in err
    code, out, _ = fhud(capsys, folder, "concepts", "--min-sessions", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1].split()[:4] == ["soil", "2", "2", "2"]
    assert "2026-11-26..2026-11-27" in lines[1]


def test_the_command_offers_every_export_format():
    from fhud_app.commands.sessions import FORMATS
    from fhud_app.store import export

    assert FORMATS == export.FORMATS
