from __future__ import annotations

import html
import json
from datetime import timedelta
from pathlib import Path

import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from fhud_app.store.export import LINE_CHARS, MAX_CUE_S, MAX_LINES, cues, export, to_srt, to_vtt
from fhud_app.store.session_file import SessionData, Word, read_session
from tests.store.session_files import GARDEN, garden_session, word_lines, write_session


def _session(words: list[Word]) -> SessionData:
    return SessionData(id="s", path=Path("s.jsonl"), words=words)


def test_srt_parses_with_the_srt_package_and_keeps_every_word_in_order(tmp_path):
    data = read_session(garden_session(tmp_path))
    subs = list(srt.parse(export(data, "srt")))
    assert " ".join(s.content.replace("\n", " ") for s in subs) == GARDEN
    assert subs[0].start == timedelta(seconds=0.5)
    for a, b in zip(subs, subs[1:], strict=False):
        assert a.end <= b.start


def test_vtt_parses_with_webvtt_py_and_escapes_markup(tmp_path):
    lines = word_lines("a <b> & c --> d")
    data = read_session(write_session(tmp_path, "2026-11-26_100000", lines))
    vtt = webvtt.from_string(export(data, "vtt"))
    # the cue text is escaped (a bare "<" would open a tag, "-->" would end the timing line)
    assert "<b>" not in export(data, "vtt") and "c -->" not in export(data, "vtt")
    assert html.unescape(" ".join(c.text.replace("\n", " ") for c in vtt.captions)) == "a <b> & c --> d"
    assert vtt.captions[0].start == "00:00:00.500"


def test_long_speech_is_cut_into_cues_of_two_lines_of_42_characters_and_7_seconds(tmp_path):
    text = " ".join(["extraordinarily", "long", "sentences", "keep", "on", "going"] * 40)
    data = read_session(write_session(tmp_path, "2026-11-26_100000", word_lines(text, step=0.25)))
    subs = list(srt.parse(to_srt(data)))
    vtt = webvtt.from_string(to_vtt(data))
    assert len(subs) == len(vtt.captions) > 10
    for sub in subs:
        lines = sub.content.split("\n")
        assert len(lines) <= MAX_LINES and all(len(x) <= LINE_CHARS for x in lines)
        assert sub.end - sub.start <= timedelta(seconds=MAX_CUE_S)


def test_a_pause_starts_a_new_cue(tmp_path):
    lines = word_lines("before the pause") + word_lines("after it", start=10.0)
    data = read_session(write_session(tmp_path, "2026-11-26_100000", lines))
    assert [c.lines for c in cues(data.words)] == [["before the pause"], ["after it"]]


_words = st.lists(st.tuples(st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Z"]),
                                     min_size=1, max_size=60),
                            st.floats(0, 5), st.floats(0, 3)), max_size=80)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(_words)
def test_any_words_give_cues_within_the_limits_that_both_parsers_read(items):
    t, words = 0.0, []
    for text, gap, dur in items:
        words.append(Word(text, t + gap, t + gap + dur))
        t += gap + dur
    cs = cues(words)
    for c in cs:
        assert 1 <= len(c.lines) <= MAX_LINES and all(0 < len(x) <= LINE_CHARS for x in c.lines)
        assert 0 < c.end - c.start <= MAX_CUE_S + 1e-9
    data = _session(words)
    assert len(list(srt.parse(to_srt(data)))) == len(cs)
    assert len(webvtt.from_string(to_vtt(data)).captions) == len(cs)


def test_markdown_has_timestamps_then_concepts_as_wiki_links(tmp_path):
    md = export(read_session(garden_session(tmp_path)), "md")
    transcript, concepts = md.split("## Concepts")
    assert "**[00:00]** The garden is never finished" in transcript
    assert "- [[gardens]]: 2 mentions, first at 00:00; linked to [[soil]]" in concepts
    assert "- [[soil]]: 1 mention" in concepts and "[[compost]]" in concepts


def test_json_is_the_graph_and_the_words(tmp_path):
    doc = json.loads(export(read_session(garden_session(tmp_path)), "json"))
    assert {c["key"] for c in doc["concepts"]} == {"garden", "soil", "compost"}
    assert doc["links"] == [{"a": "garden", "b": "soil", "strength": 0.5}]
    assert " ".join(w["text"] for w in doc["words"]) == GARDEN
    assert doc["started"] == "2026-11-26T09:05:07"


def test_txt_is_the_plain_transcript(tmp_path):
    assert export(read_session(garden_session(tmp_path)), "txt") == GARDEN + "\n"


def test_a_sentence_end_closes_the_cue(tmp_path):
    lines = word_lines("The garden is never finished. Soil and water make it grow.")
    data = read_session(write_session(tmp_path, "2026-11-26_100000", lines))
    assert [c.lines for c in cues(data.words)] == [["The garden is never finished."], ["Soil and water make it grow."]]
