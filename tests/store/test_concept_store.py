from __future__ import annotations

import pytest

from fhud_app.core.config import StoreConfig
from fhud_app.core.events import EVENT_DTYPE, Kind, event_to_dict
from fhud_app.core.ring import Ring
from fhud_app.store.concept_store import ConceptStore


def _store(**kw: float) -> tuple[ConceptStore, Ring]:
    ring = Ring(1024, EVENT_DTYPE)
    return ConceptStore(StoreConfig(**kw), ring), ring


def _events(ring: Ring) -> list[dict]:
    return [event_to_dict(r) for r in ring.reader(from_start=True).read()]


def test_near_duplicates_merge_into_one_concept() -> None:
    store, _ = _store()
    a = store.add(["the cache"], 1.0)
    b = store.add(["caches"], 2.0)
    c = store.add(["Cache"], 3.0)
    assert a == b == c
    assert len(store) == 1
    concept = store.get("cache")
    assert concept is not None and concept.mentions == 3
    assert concept.first_seen == 1.0 and concept.last_seen == 3.0


def test_weight_is_a_recency_decayed_mention_count() -> None:
    store, _ = _store(half_life_s=10.0)
    store.add(["solar panel"], 0.0)
    store.add(["solar panel"], 10.0)  # 1 halved once, plus 1
    concept = store.get("solar panels")
    assert concept is not None
    assert concept.weight(10.0, 10.0) == pytest.approx(1.5)
    assert concept.weight(30.0, 10.0) == pytest.approx(1.5 / 4)


def test_co_occurrence_links_strengthen_and_decay() -> None:
    store, _ = _store(half_life_s=10.0)
    store.add(["battery", "inverter", "grid"], 0.0)
    store.add(["battery", "inverter"], 10.0)
    link = store.link("battery", "inverter")
    assert link is not None and link.strength(10.0, 10.0) == pytest.approx(1.5)
    weak = store.link("battery", "grid")
    assert weak is not None and weak.strength(10.0, 10.0) == pytest.approx(0.5)
    assert store.link("battery", "nowhere") is None


def test_bounded_store_retires_the_least_weighted() -> None:
    store, ring = _store(max_concepts=3, half_life_s=100.0)
    store.add(["alpha"], 0.0)
    store.add(["alpha"], 1.0)
    store.add(["beta"], 2.0)
    store.add(["gamma"], 3.0)
    store.add(["delta"], 4.0)  # beta (one old mention) is lightest
    assert len(store) == 3
    assert store.get("beta") is None and store.get("delta") is not None
    retired = [e for e in _events(ring) if e["type"] == "retire"]
    assert len(retired) == 1 and store.retired == 1


def test_retiring_drops_links_and_links_are_bounded() -> None:
    store, _ = _store(max_concepts=3, max_links=2)
    store.add(["a1 x", "b1 x", "c1 x"], 0.0)  # 3 links, bounded to 2
    assert len(store.links()) == 2
    store.add(["d1 x"], 50.0)
    ids = {c.id for c in store.concepts()}
    assert all(link.a in ids and link.b in ids for link in store.links())


def test_events_carry_the_contract_fields() -> None:
    store, ring = _store()
    store.add(["drip irrigation", "tomato beds"], 5.0, emitted_at=6.5)
    events = _events(ring)
    concepts = [e for e in events if e["type"] == "concept"]
    links = [e for e in events if e["type"] == "link"]
    assert [c["text"] for c in concepts] == ["drip irrigation", "tomato beds"]
    assert concepts[0]["mentions"] == 1 and concepts[0]["first_seen"] == 5.0
    assert concepts[0]["emitted_at"] == 6.5 and concepts[0]["weight"] == 1.0
    assert links == [{"type": "link", "a": concepts[0]["id"], "b": concepts[1]["id"], "strength": 1.0}]
    assert int(ring.reader(from_start=True).read()[0]["kind"]) == Kind.CONCEPT


def test_display_text_is_the_most_used_spelling_and_empty_phrases_are_ignored() -> None:
    store, _ = _store()
    store.add(["Caches"], 0.0)
    store.add(["cache"], 1.0)
    store.add(["cache", "the", ""], 2.0)
    assert [c.text for c in store.concepts()] == ["cache"]
    assert store.add([], 3.0) == []


def test_a_sentence_initial_capital_does_not_name_the_concept():
    store = ConceptStore()
    store.add(["Memory"], 1.0)
    assert store.get("memory").text == "Memory"  # only ever heard capitalized
    store.add(["memory"], 2.0)
    store.add(["Memory"], 3.0)
    assert store.get("memory").text == "memory"
    store.add(["NASA"], 4.0)
    assert store.get("nasa").text == "NASA"


def test_inflections_are_one_concept() -> None:
    store, _ = _store()
    assert store.add(["prune"], 1.0) == store.add(["pruning"], 2.0)
    assert store.add(["idea"], 3.0) == store.add(["ideas"], 4.0)
    assert len(store) == 2


@pytest.mark.parametrize(("first", "second"), [("garden", "garden hose"), ("garden hose", "garden"),
                                               ("bank", "river bank"), ("river bank", "bank")])
def test_different_things_sharing_a_word_stay_apart(first: str, second: str) -> None:
    store, _ = _store()
    assert store.add([first], 1.0) != store.add([second], 2.0)
    assert len(store) == 2


def test_aliases_keep_what_was_said() -> None:
    store, _ = _store()
    store.add(["vegetable garden"], 1.0)
    store.add(["vegetable garden"], 2.0, aliases={"vegetable garden": "garden"})
    concept = store.get("vegetable garden")
    assert concept is not None and concept.aliases == {"garden"} and concept.mentions == 2
    assert concept.text == "vegetable garden"


def test_retracting_an_utterance_retires_a_concept_it_alone_named() -> None:
    store, ring = _store(half_life_s=100.0)
    kept = store.add(["solar panels", "barn roof"], 1.0, utterance=1)
    store.add(["solar panels", "kyo"], 2.0, utterance=2)  # "kyo": a mishearing, revised away
    retired = store.retract(2, 3.0)
    assert [store.get("kyo"), len(store)] == [None, 2]
    assert len(retired) == 1 and retired[0] not in kept
    panels = store.get("solar panels")
    assert panels is not None and panels.mentions == 1
    assert panels.weight(3.0, 100.0) == pytest.approx(0.5 ** (2 / 100), rel=1e-6)
    evs = _events(ring)
    assert evs[-1]["type"] in ("concept", "retire")
    assert any(e["type"] == "retire" and e["id"] == retired[0] for e in evs)
    store.add(["solar panels"], 4.0, utterance=2)  # the revised utterance, extracted again
    assert store.get("solar panels").mentions == 2
    assert store.retract(99, 5.0) == []  # an utterance that named nothing


def test_replacing_a_revised_utterance_keeps_what_it_still_names() -> None:
    store, ring = _store(half_life_s=100.0)
    store.add(["cash", "validation", "worker"], 1.0, utterance=7)
    worker_id = store.get("worker").id
    retired = store.replace(7, ["cache invalidation", "worker"], 2.0)
    assert sorted(c.text for c in store.concepts()) == ["cache invalidation", "worker"]
    assert len(retired) == 2 and store.get("worker").id == worker_id
    assert store.get("worker").mentions == 1
    assert store.replace(7, [], 3.0) and len(store) == 0  # revised away entirely
