from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fhud_app.store.export import FORMATS, export
from fhud_app.store.library import SessionLibrary
from fhud_app.store.normalize import phrase_key
from fhud_app.store.session_file import NotASession, read_session
from tests.store.session_files import GARDEN, concept, garden_session, word_lines, write_session


def test_a_session_reads_back_its_words_concepts_and_links(tmp_path):
    data = read_session(garden_session(tmp_path))
    assert data.id == "2026-11-26_090507" and data.source == "microphone"
    assert data.started.isoformat() == "2026-11-26T09:05:07"
    assert data.text == GARDEN
    assert data.words[1].start == pytest.approx(0.9) and data.duration == pytest.approx(data.words[-1].end)
    # "garden" and "gardens" are one concept (the normalized key); its latest spelling and count win
    assert set(data.concepts) == {"garden", "soil", "compost"}
    assert data.concepts["garden"].text == "gardens" and data.concepts["garden"].mentions == 2
    assert data.links == {("garden", "soil"): 0.5}
    assert [c.key for c in data.top_concepts(2)] == ["garden", "compost"]  # mentions, then weight
    assert data.problem() is None


def test_a_torn_last_line_is_read_up_to_the_tear_and_said_in_one_sentence(tmp_path):
    path = write_session(tmp_path, "2026-11-26_100000", word_lines("one two three"),
                         tail='{"type": "word", "text": "fo')  # fmt: skip
    data = read_session(path)
    assert data.text == "one two three" and data.torn
    message = data.problem()
    assert "cut short" in message and message.count(".") == 1 and "\n" not in message


def test_a_complete_last_line_without_its_newline_is_kept(tmp_path):
    path = write_session(tmp_path, "2026-11-26_100000", word_lines("one two"),
                         tail=json.dumps(word_lines("three", start=5.0)[0]))  # fmt: skip
    data = read_session(path)
    assert data.text == "one two three" and not data.torn


def test_a_line_broken_by_a_hand_edit_is_skipped_and_counted(tmp_path):
    path = write_session(tmp_path, "2026-11-26_100000", word_lines("alpha beta gamma"))
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-5] + "oops"
    path.write_text("\n".join(lines) + "\n")
    data = read_session(path)
    assert data.text == "alpha gamma"
    assert data.bad_lines == [3] and "line 3" in data.problem()


@pytest.mark.parametrize("content", [b"hello world\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"[1, 2]\n", b""])
def test_a_file_that_is_not_json_lines_is_not_a_session(tmp_path, content):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(content)
    with pytest.raises(NotASession, match="notes.jsonl is not a session file"):
        read_session(path)


def test_revisions_replace_their_utterance_so_the_text_is_final(tmp_path):
    lines = [*word_lines("the cat sat", utterance=1), *word_lines("on a mat", start=2.0, utterance=2),
             {"type": "revision", "utterance": 1, "words": word_lines("the hat sat")},
             *word_lines("today", start=4.0, utterance=3)]  # fmt: skip
    data = read_session(write_session(tmp_path, "2026-11-26_100000", lines))
    assert data.text == "the hat sat on a mat today"


def test_a_restarted_pipeline_continues_the_clock_and_keeps_concept_ids_apart(tmp_path):
    first = [*word_lines("apples and pears", start=0.5), concept(1, "apples"), concept(2, "pears"),
             {"type": "link", "a": 1, "b": 2, "strength": 0.4}]  # fmt: skip
    second = [*word_lines("rivers and lakes", start=0.5), concept(1, "rivers"), concept(2, "lakes"),
              {"type": "link", "a": 1, "b": 2, "strength": 0.7}]  # fmt: skip
    data = read_session(write_session(tmp_path, "2026-11-26_100000", first + second))
    starts = [w.start for w in data.words]
    assert starts == sorted(starts) and data.text == "apples and pears rivers and lakes"
    k = phrase_key
    assert data.links == {tuple(sorted((k("apples"), k("pears")))): 0.4, tuple(sorted((k("lakes"), k("rivers")))): 0.7}


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
                    st.lists(st.integers(), max_size=2))  # fmt: skip
_lines = st.dictionaries(st.sampled_from(["type", "text", "start", "end", "id", "a", "b", "utterance", "words",
                                          "mentions", "weight", "first_seen", "started"]), _values)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_lines, max_size=12), st.integers(0, 400), st.binary(max_size=20),
       st.sampled_from(["2026-11-26T09:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
                        "2026-11-26T09:00:00+05:30", "yesterday"]))  # fmt: skip
def test_any_damage_reads_or_is_not_a_session_and_nothing_else(tmp_path_factory, objs, cut, noise, started):
    good = json.dumps({"type": "session", "started": started}) + "\n"
    good += "\n".join(json.dumps(o) for o in [*word_lines("a b c"), *objs]) + "\n"
    raw = good.encode()[: len(good) // 2 + cut] + noise
    path = tmp_path_factory.mktemp("fuzz") / "2026-11-26_090000.jsonl"
    path.write_bytes(raw)
    try:
        data = read_session(path)
    except NotASession:
        return
    assert all(isinstance(w.text, str) and w.end >= w.start for w in data.words)
    export_all = [export(data, fmt) for fmt in FORMATS]
    assert all(isinstance(x, str) for x in export_all)
    library = SessionLibrary(path.parent)
    library.update()
    assert [r.id for r in library.sessions()] == [path.stem]
    library.close()
