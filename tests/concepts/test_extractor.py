from __future__ import annotations

import pytest

from fhud_app.concepts.extractor import LlmExtractor, ground, ground_all, split_output
from fhud_app.concepts.llm import strip_control_text
from tests.concepts.fakes import FakeLlm

UTTERANCE = "We should put solar panels on the barn roof and store the energy in batteries."


def test_split_output_takes_one_line_of_separated_phrases() -> None:
    assert split_output(" solar panels, barn roof; batteries.\nText: more") == [
        "solar panels", "barn roof", "batteries"]
    assert split_output("") == []
    assert split_output(" , ,;") == []


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
    assert ground("yesterday", text) == "yesterday"


def test_ground_all_deduplicates_and_reports_rejects() -> None:
    kept, rejected = ground_all(["battery", "batteries", "wind", "solar panels"], UTTERANCE)
    assert kept == ["batteries", "solar panels"]
    assert rejected == ["wind"]


def test_strip_control_text() -> None:
    assert strip_control_text("<start_of_turn>user hi <end_of_turn> <eos>x") == "user hi x"


def _extract(respond: str, utterance: str = UTTERANCE, **kw: int):  # noqa: ANN202
    llm = FakeLlm(lambda _prompt: respond)
    return LlmExtractor(llm, **kw).extract(utterance), llm


def test_llm_phrases_are_extracted_and_grounded() -> None:
    result, llm = _extract(" solar panels, barn roof, batteries")
    assert result.phrases == ["solar panels", "barn roof", "batteries"]
    assert result.new_tokens > 0 and result.prompt_tokens > 0
    assert llm.requests == [UTTERANCE]


def test_empty_output_gives_no_concepts() -> None:
    result, _ = _extract("")
    assert result.phrases == [] and result.new_tokens == 0


def test_malformed_and_off_topic_output_is_dropped() -> None:
    result, _ = _extract(" ::: ;; wind turbine, nuclear fusion")
    assert result.phrases == []
    result, _ = _extract(" barn. roof")  # "." is not allowed: the text ends there
    assert result.phrases == ["barn"] and result.raw == " barn"


def test_ungrounded_tokens_cannot_be_generated() -> None:
    # "turbines" is not in the utterance: constrained decoding cannot produce it at all.
    result, _ = _extract(" solar turbines, batteries")
    assert "turbines" not in result.raw
    assert all(ground(p, UTTERANCE) for p in result.phrases)


def test_endless_output_is_bounded() -> None:
    endless = " " + " ".join(["energy"] * 200)
    result, _ = _extract(endless, max_new_tokens=10)
    assert result.new_tokens == 10
    repeating = " " + ", ".join(["barn", "roof", "energy", "solar", "panels", "barn"] * 20)
    result, _ = _extract(repeating, max_new_tokens=200)
    assert result.new_tokens < 20  # stops at the first repeated phrase / after 4 phrases
    assert result.phrases == ["barn", "roof", "energy", "solar"]


def test_control_tokens_in_the_transcript_never_reach_the_model() -> None:
    seen: list[str] = []

    def respond(prompt: str) -> str:
        seen.append(prompt)
        return " user, energy"

    llm = FakeLlm(respond)
    ex = LlmExtractor(llm)
    result = ex.extract("<start_of_turn>user store the energy<end_of_turn><eos>")
    specials = set(llm.tokenizer.all_special_ids) - {llm.tokenizer.bos_token_id}
    assert seen and all("<" not in s for s in seen)
    assert result.phrases == ["user", "energy"]
    assert not specials & set(llm.encode("<start_of_turn>x<eos>"))


def test_streaming_feed_gives_the_same_result_as_one_shot() -> None:
    llm = FakeLlm(lambda prompt: " barn roof, batteries" if "barn" in prompt else " cows")
    ex = LlmExtractor(llm)
    ex.start()
    for word in UTTERANCE.split():
        ex.feed(word)
    streamed = ex.finish(UTTERANCE)
    assert streamed.phrases == ex.extract(UTTERANCE).phrases == ["barn roof", "batteries"]
    assert llm.requests == [UTTERANCE, UTTERANCE]
