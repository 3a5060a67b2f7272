"""The concept memory in the HUD: a concept said in earlier sessions carries a mark and their count."""

from __future__ import annotations

from fhud_app.render.concepts import RECALL_MARK, ConceptSet
from fhud_app.render.particles import TextItem


def _measure(_role: str, text: str) -> float:
    return 8.0 * len(text)


def _labels(cs: ConceptSet) -> list[str]:
    cs.alpha[:] = 1.0
    return sorted(item.text for item in cs.label_items(TextItem))


def test_off_by_default_labels_are_the_concepts():
    cs = ConceptSet(8, _measure, 16.0)
    cs.upsert(1, "garden", 1.0, 0.0)
    assert _labels(cs) == ["garden"] and cs.by_id[1].recalled == 0


def test_a_remembered_concept_shows_the_mark_and_the_count_of_earlier_sessions():
    cs = ConceptSet(8, _measure, 16.0)
    cs.upsert(1, "Gardens", 1.0, 0.0)
    cs.upsert(2, "soil", 1.0, 0.0)
    plain_w = cs.by_id[1].label_w
    cs.set_recall({"garden": 3})  # normalized phrase: "Gardens" is "garden"
    assert _labels(cs) == [f"Gardens {RECALL_MARK}3", "soil"]
    assert cs.by_id[1].label_w > plain_w  # the layout makes room for the mark
    cs.upsert(3, "the garden", 1.0, 1.0)  # a new concept is looked up as it arrives
    assert cs.by_id[3].recalled == 3
    cs.set_recall({})
    assert _labels(cs) == ["Gardens", "soil", "the garden"]
