"""ConceptStage: a bare head named in full by the next sentence of the same stretch of speech
becomes that phrase; across a pause (another ASR utterance) the two stay apart."""

from __future__ import annotations

from typing import Any

from fhud_app.concepts.extractor import Extraction, named_later
from fhud_app.concepts.stage import ConceptStage
from fhud_app.concepts.utterances import Utterance, Word
from fhud_app.core.config import Config, StoreConfig
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.ring import Ring
from fhud_app.store.concept_store import ConceptStore


class Scripted:
    """An extractor that names, for each utterance, the phrases it was given."""

    name = "scripted"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.known: Any = lambda: []

    def start(self) -> None: ...

    def feed(self, text: str) -> None: ...

    def reset(self) -> None: ...

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction:
        return Extraction(list(self.answers[utterance]))

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction:
        return self.finish(utterance)


def _utterance(text: str, start: float, asr_utterance: int) -> Utterance:
    words = [Word(w, start + i * 0.3, start + i * 0.3 + 0.25, 0.0, utterance=asr_utterance)
             for i, w in enumerate(text.split())]
    return Utterance(words, "punctuation")


def _run(sentences: list[tuple[str, int]], answers: dict[str, list[str]]) -> ConceptStage:
    store = ConceptStore(StoreConfig(), Ring(1024, EVENT_DTYPE))
    stage = ConceptStage(Config(), store, live=False, warn=lambda _m: None, stopped=lambda: False)
    stage.attach(Scripted(answers))
    t = 0.0
    for text, asr_utterance in sentences:
        stage.process([_utterance(text, t, asr_utterance)])
        t += 5.0
    return stage


def _concepts(stage: ConceptStage) -> dict[str, set[str]]:
    return {c.text: set(c.aliases) for c in stage.store.concepts()}


def test_a_bare_head_named_in_full_by_the_next_sentence_is_that_phrase() -> None:
    stage = _run([("The cake is the hard part.", 1), ("She wants a volcano cake.", 1)],
                 {"The cake is the hard part.": ["cake"], "She wants a volcano cake.": ["volcano cake"]})
    assert _concepts(stage) == {"volcano cake": {"cake"}}
    assert stage.store.retired == 1 and stage.folded == 1
    assert stage.store.get("volcano cake").mentions == 2


def test_after_a_pause_a_longer_phrase_is_another_thing() -> None:
    stage = _run([("I have to call the bank.", 1), ("We had a picnic on the river bank.", 2)],
                 {"I have to call the bank.": ["bank"],
                  "We had a picnic on the river bank.": ["picnic", "river bank"]})
    assert set(_concepts(stage)) == {"bank", "picnic", "river bank"} and stage.folded == 0


def test_a_modifier_is_not_folded_into_its_phrase() -> None:
    stage = _run([("The garden looks great.", 1), ("I bought a new garden hose.", 1)],
                 {"The garden looks great.": ["garden"], "I bought a new garden hose.": ["garden hose"]})
    assert set(_concepts(stage)) == {"garden", "garden hose"} and stage.folded == 0


def test_only_the_one_sentence_before_is_folded_and_other_mentions_stay() -> None:
    stage = _run([("The cake was fine.", 1), ("Pizza is easy.", 1), ("The cake is the hard part.", 1),
                  ("She wants a volcano cake.", 1)],
                 {"The cake was fine.": ["cake"], "Pizza is easy.": ["pizza"],
                  "The cake is the hard part.": ["cake"], "She wants a volcano cake.": ["volcano cake"]})
    # the first "cake" was two sentences before: it stays a concept with that one mention
    assert set(_concepts(stage)) == {"cake", "pizza", "volcano cake"}
    assert stage.store.get("cake").mentions == 1 and stage.store.get("volcano cake").mentions == 2


def test_named_later_needs_exactly_one_longer_phrase() -> None:
    assert named_later(["cake", "party"], ["volcano cake"]) == {"cake": "volcano cake"}
    assert named_later(["cake"], ["volcano cake", "sponge cake"]) == {}
    assert named_later(["garden"], ["garden hose"]) == {}
    assert named_later(["homework sheets"], ["long homework sheets"]) == {"homework sheets": "long homework sheets"}
