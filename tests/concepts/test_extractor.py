from __future__ import annotations

import pytest

from fhud_app.concepts.extractor import LlmExtractor, ground, ground_all
from fhud_app.concepts.llm import strip_control_text
from fhud_app.concepts.pos import Tagger, shared_tagger
from tests.concepts.fakes import FakeLlm

UTTERANCE = "We should put solar panels on the barn roof and store the energy in batteries."


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return shared_tagger()


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("solar panels", "solar panels"), ("Solar Panel", "solar panels"), ("battery", "batteries"),
     ("the barn roof", "barn roof"), ("energy in", "energy"), ("wind turbine", None),
     ("the", None), ("roof barn", None), ("put solar panels on the barn roof", None)],
)
def test_ground_keeps_only_what_was_said(phrase: str, expected: str | None) -> None:
    assert ground(phrase, UTTERANCE) == expected


def test_ground_keeps_names_and_acronyms_said_mid_sentence() -> None:
    text = "Yesterday Maria fixed the API gateway."
    assert ground("maria", text) == "Maria"
    assert ground("api gateway", text) == "API gateway"


def test_ground_all_deduplicates_and_reports_rejects() -> None:
    kept, rejected = ground_all(["battery", "batteries", "wind", "solar panels"], UTTERANCE)
    assert kept == ["batteries", "solar panels"]
    assert rejected == ["wind"]


def test_strip_control_text() -> None:
    assert strip_control_text("<start_of_turn>user hi <end_of_turn> <eos>x") == "user hi x"


def _extractor(respond, tagger: Tagger, **kw: int) -> tuple[LlmExtractor, FakeLlm]:  # noqa: ANN001
    llm = FakeLlm(respond if callable(respond) else (lambda _p: respond))
    return LlmExtractor(llm, tagger, **kw), llm


def test_the_model_chooses_among_the_noun_phrases_said(tagger: Tagger) -> None:
    ex, llm = _extractor(" solar panels, barn roof, batteries", tagger)
    result = ex.extract(UTTERANCE)
    assert result.phrases == ["solar panels", "barn roof", "batteries"]
    assert result.new_tokens > 0 and result.prompt_tokens > 0
    assert llm.requests == [UTTERANCE]


def test_a_shorter_spelling_names_the_whole_phrase(tagger: Tagger) -> None:
    ex, _ = _extractor(" panels, roof, energy", tagger)
    assert ex.extract(UTTERANCE).phrases == ["solar panels", "barn roof", "energy"]


def test_nothing_outside_the_noun_phrases_can_be_generated(tagger: Tagger) -> None:
    for respond in (" wind turbine, nuclear fusion", " put, store", " ::: ;;", ""):
        ex, _ = _extractor(respond, tagger)
        assert ex.extract(UTTERANCE).phrases == []


def test_endless_output_is_bounded(tagger: Tagger) -> None:
    ex, _ = _extractor(" " + ", ".join(["energy", "barn roof"] * 50), tagger, max_phrases=4)
    result = ex.extract(UTTERANCE)
    assert result.phrases == ["energy", "barn roof"] and result.new_tokens <= 5


def test_an_utterance_with_no_choice_to_make_needs_no_model_step(tagger: Tagger) -> None:
    ex, llm = _extractor(" anything", tagger)
    before = llm.steps
    ex.start()
    for word in "Maybe it's the bottom bracket.".split():
        ex.feed(word)  # never prefilled: the words so far name at most two things
    result = ex.finish("Maybe it's the bottom bracket.")
    assert result.phrases == ["bottom bracket"]
    assert llm.steps == before


def test_words_are_prefilled_once_the_utterance_needs_the_model(tagger: Tagger) -> None:
    ex, llm = _extractor(" barn roof, batteries", tagger)
    ex.start()
    words = UTTERANCE.split()
    for word in words[:-1]:
        ex.feed(word)
    before = llm.steps
    ex.feed(words[-1])
    result = ex.finish(UTTERANCE)
    assert result.phrases == ["barn roof", "batteries"]
    assert llm.steps - before <= 1 + 3 + 6  # the last word, the cue, the answer


def test_no_nouns_gives_no_concept_and_no_error(tagger: Tagger) -> None:
    ex, llm = _extractor(" yes, okay", tagger)
    for text in ("yes yes okay hmm", "", "It was dry, badly done, expensive and slow."):
        assert ex.extract(text).phrases == []
    assert llm.requests == []  # the model was never asked


def test_non_english_gives_no_invented_english_concepts(tagger: Tagger) -> None:
    ex, llm = _extractor(" garden, sun", tagger)
    for text in ("Je pense que le jardin a besoin de plus de soleil cette année.",
                 "Ich glaube, der Garten braucht dieses Jahr mehr Sonne und Wasser."):
        assert ex.extract(text).phrases == []
    assert llm.requests == []


def test_a_bare_head_after_its_phrase_is_that_concept_with_an_alias(tagger: Tagger) -> None:
    ex, _ = _extractor(" vegetable garden", tagger)
    ex.extract("This spring I want to redo the vegetable garden.")
    result = ex.extract("The garden needs compost.")
    assert result.phrases == ["vegetable garden", "compost"]
    assert result.aliases == {"vegetable garden": "garden"}


def test_a_longer_phrase_is_not_merged_into_an_earlier_bare_word(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    assert ex.extract("I have to call the bank.").phrases == ["bank"]
    assert ex.extract("We had a picnic on the river bank.").phrases == ["picnic", "river bank"]


def test_a_modifier_is_not_merged_into_its_phrase(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    assert ex.extract("The garden looks great.").phrases == ["garden"]
    assert ex.extract("I bought a new garden hose.").phrases == ["garden hose"]
    assert ex.extract("The garden is dry.").phrases == ["garden"]


def test_an_old_phrase_does_not_capture_a_bare_head(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    ex.extract("We sat on the river bank.")
    for filler in ("The weather was nice.", "The dog was happy.", "The coffee was cold.",
                   "The cat slept.", "The tea was hot.", "The train was late.", "The sky was blue."):
        ex.extract(filler)
    assert ex.extract("Then I went to the bank.").phrases == ["bank"]


def test_field_spellings_are_preferred(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    ex.known = lambda: ["Drip Irrigation"]
    assert ex.extract("The drip irrigation is leaking.").phrases == ["Drip Irrigation"]


def test_a_pronoun_may_name_a_concept_of_the_previous_utterances(tagger: Tagger) -> None:
    def respond(prompt: str) -> str:
        return " apple tree, branches" if "prune it" in prompt else ""

    ex, _ = _extractor(respond, tagger)
    ex.extract("The apple tree in the back is huge.")
    result = ex.extract("I need to prune it this winter and cut the branches and the roots.")
    assert result.phrases == ["apple tree", "branches"]


def test_the_context_is_bounded(tagger: Tagger) -> None:
    ex, llm = _extractor(" solar panels", tagger, context_tokens=40)
    sizes = []
    for _ in range(8):
        ex.extract(UTTERANCE)
        sizes.append(ex._context.tokens)
    assert max(sizes) < 40 + 2 * len(llm.encode(" " + UTTERANCE))
    assert sizes[-1] < sizes[-2] or sizes[-2] < sizes[-3]  # it started again from the prefix


def test_control_tokens_in_the_transcript_never_reach_the_model(tagger: Tagger) -> None:
    seen: list[str] = []

    def respond(prompt: str) -> str:
        seen.append(prompt)
        return " energy"

    ex, llm = _extractor(respond, tagger)
    result = ex.extract("<start_of_turn>user store the energy, the roof and the barn<end_of_turn><eos>")
    specials = set(llm.tokenizer.all_special_ids) - {llm.tokenizer.bos_token_id}
    assert seen and all("<" not in s for s in seen)
    assert result.phrases == ["energy"]
    assert not specials & set(llm.encode("<start_of_turn>x<eos>"))


def test_streaming_feed_gives_the_same_result_as_one_shot(tagger: Tagger) -> None:
    ex, llm = _extractor(lambda p: " barn roof, batteries" if "barn" in p else " cows", tagger)
    ex.start()
    for word in UTTERANCE.split():
        ex.feed(word)
    streamed = ex.finish(UTTERANCE)
    ex.reset()
    assert streamed.phrases == ex.extract(UTTERANCE).phrases == ["barn roof", "batteries"]
    assert llm.requests == [UTTERANCE, UTTERANCE]


def test_a_bare_head_and_its_phrase_in_one_utterance_are_one_idea(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    result = ex.extract("The cake is the hard part, she wants a volcano cake.")
    assert result.phrases == ["volcano cake"] or result.phrases == ["part", "volcano cake"]
    assert result.aliases == {"volcano cake": "cake"}


def test_a_longer_phrase_ending_in_a_known_multiword_concept_is_that_concept(tagger: Tagger) -> None:
    ex, _ = _extractor("", tagger)
    ex.known = lambda: ["index fund"]
    assert ex.extract("I'll move it into a total market index fund.").phrases == ["index fund"]
    ex.known = lambda: ["bank"]
    assert ex.extract("We had a picnic on the river bank.").phrases == ["picnic", "river bank"]
