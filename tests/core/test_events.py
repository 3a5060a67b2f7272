from __future__ import annotations

import numpy as np

from fhud_app.core.events import (
    JsonLines,
    Kind,
    event_to_dict,
    final_words,
    make_event,
    make_revision,
)


def word(text: str, utterance: int, t: float) -> np.ndarray:
    return make_event(Kind.WORD, text=text, start=t, end=t + 0.3, value=0.9, emitted_at=t + 1, id=utterance)


def test_word_and_utterance_end_carry_the_utterance_id() -> None:
    assert event_to_dict(word("kyoto", 3, 1.0)[0])["utterance"] == 3
    end = event_to_dict(make_event(Kind.UTTERANCE, id=3, emitted_at=4.5)[0])
    assert end == {"type": "utterance", "utterance": 3, "emitted_at": 4.5}


def test_a_revision_split_across_reads_becomes_one_object() -> None:
    rev = make_revision(1, [("Kyoto", 0.0, 0.4, 0.8), ("station", 0.5, 0.9, 0.7)], emitted_at=2.0)
    assert len(rev) == 2 and (rev["kind"] == Kind.REVISION).all()
    lines = JsonLines()
    assert lines.feed(rev[:1]) == []
    (obj,) = lines.feed(rev[1:])
    assert obj == {"type": "revision", "utterance": 1, "emitted_at": 2.0, "words": [
        {"text": "Kyoto", "start": 0.0, "end": 0.4, "confidence": 0.8},
        {"text": "station", "start": 0.5, "end": 0.9, "confidence": 0.7}]}


def test_an_emptied_utterance_is_one_record_with_no_words() -> None:
    (obj,) = JsonLines().feed(make_revision(4, []))
    assert obj["type"] == "revision" and obj["utterance"] == 4 and obj["words"] == []


def test_applying_the_revisions_in_order_gives_the_final_text() -> None:
    recs = np.concatenate([
        word("kyo", 1, 0.0), word("do", 1, 0.3), word("station", 1, 0.6),
        make_revision(1, [("Kyoto", 0.0, 0.5, 0.9), ("station", 0.6, 0.9, 0.9)]),
        make_event(Kind.UTTERANCE, id=1),
        word("and", 2, 2.0), word("then", 2, 2.3),
        make_revision(2, []),  # fillers in a pause, revised away
        word("north", 3, 4.0),
        make_revision(3, [("north", 4.0, 4.3, 0.9), ("again", 4.4, 4.7, 0.9)]),
        make_revision(3, [("north", 4.0, 4.3, 0.9)]),  # a later revision wins
    ])
    objs = JsonLines().feed(recs)
    assert [o["type"] for o in objs].count("revision") == 4
    assert final_words(objs) == ["Kyoto", "station", "north"]
