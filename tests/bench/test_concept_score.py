from __future__ import annotations

import json

import pytest

from fhud_app.bench.concept_score import (
    PASSAGES,
    duplicates,
    load_passages,
    matches,
    non_nouns,
    score_passage,
    totals,
)
from fhud_app.bench.concepts import latencies, per_passage
from fhud_app.concepts.pos import shared_tagger


def test_the_passages_are_many_varied_and_split() -> None:
    items = json.loads(PASSAGES.read_text())["passages"]
    assert len(items) >= 30 and len({p["name"] for p in items}) == len(items)
    assert {p["split"] for p in items} == {"tune", "heldout"}
    assert len(load_passages(split="heldout")) >= 10
    for p in items:
        assert 40 <= len(p["text"].split()) <= 110  # 10-40 s spoken
        assert len(p["concepts"]) >= 5


def test_matching_is_by_lemma_and_more_specific_phrases_count() -> None:
    assert matches("tomato plants|tomato", "Tomato plant")
    assert matches("battery", "sodium batteries")
    assert matches("pruning|prune", "pruning")
    assert not matches("garden hose", "garden")


def test_variant_duplicates_are_counted() -> None:
    listed = ["apple tree|tree", "branches"]
    assert duplicates(listed, ["apple tree", "tree", "branches"]) == [("apple tree", "tree")]
    assert duplicates(listed, ["idea", "ideas"]) == [("idea", "ideas")]
    assert duplicates(listed, ["apple tree", "branches"]) == []


def test_non_nouns_are_found_in_context() -> None:
    tagger = shared_tagger()
    text = "The soil was too dry and the plants did badly."
    assert non_nouns(["soil", "dry", "badly", "plants"], text, tagger) == ["dry", "badly"]


def test_a_concept_the_person_listed_is_not_a_non_noun_whatever_the_tagger_says() -> None:
    tagger = shared_tagger()
    text = "The kids would have to switch schools, and neither of them speaks Portuguese."
    assert non_nouns(["Portuguese"], text, tagger, ["Portuguese", "schools|school"]) == []
    dry = "The soil was too dry and the plants did badly."
    assert non_nouns(["dry"], dry, tagger, ["dry soil"]) == ["dry"]  # listed means equal, not a part


def test_scores_of_a_passage() -> None:
    p = {"name": "x", "split": "tune", "concepts": ["soil", "tomato plants|tomato", "compost"]}
    s = score_passage(p, ["soil", "tomato plant", "shed"], "soil tomato plant shed", shared_tagger())
    assert (s["found"], s["good"], s["missed"], s["extra"]) == (2, 2, ["compost"], ["shed"])
    t = totals([s])
    assert t["recall"] == pytest.approx(2 / 3) and t["precision"] == pytest.approx(2 / 3)


def test_concepts_are_attributed_to_the_passage_they_were_named_in() -> None:
    events = [
        {"type": "word", "text": "soil", "start": 1.0},
        {"type": "concept", "id": 1, "text": "soil", "last_seen": 1.2, "emitted_at": 3.0},
        {"type": "word", "text": "bank", "start": 11.0},
        {"type": "concept", "id": 2, "text": "bank", "last_seen": 11.3, "emitted_at": 12.0},
        {"type": "concept", "id": 3, "text": "kyo", "last_seen": 11.5, "emitted_at": 12.5},
        {"type": "retire", "id": 3},
        {"type": "concept", "id": 1, "text": "soil", "last_seen": 11.9, "emitted_at": 13.0},
    ]
    got = per_passage(events, [{"name": "a"}, {"name": "b"}], [0.0, 10.0])
    assert got[0] == {"name": "a", "transcript": "soil", "concepts": ["soil"]}
    assert got[1]["concepts"] == ["bank", "soil"]
    assert latencies(events) == pytest.approx([1.8, 0.7, 1.0, 1.1])


def test_a_concept_revised_away_leaves_its_passage_and_one_evicted_later_stays() -> None:
    events = [
        {"type": "word", "text": "account", "start": 8.0},
        {"type": "concept", "id": 1, "text": "account", "last_seen": 8.5, "emitted_at": 9.0},
        {"type": "concept", "id": 2, "text": "receipts", "last_seen": 9.0, "emitted_at": 9.5},
        {"type": "concept", "id": 3, "text": "bank", "last_seen": 11.0, "emitted_at": 11.5},
        {"type": "retire", "id": 1},  # the revision came while the next passage was spoken
        {"type": "concept", "id": 4, "text": "river", "last_seen": 60.0, "emitted_at": 60.5},
        {"type": "retire", "id": 2},  # 51 s after its last mention: room for newer concepts
    ]
    got = per_passage(events, [{"name": "a"}, {"name": "b"}], [0.0, 10.0])
    assert got[0]["concepts"] == ["receipts"]
    assert got[1]["concepts"] == ["bank", "river"]
