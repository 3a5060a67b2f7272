from __future__ import annotations

from fhud_app.concepts.extractor import ground
from fhud_app.concepts.keywords import KeywordExtractor

TEXT = ("The sourdough starter needs regular feeding, and a sourdough starter that is fed "
        "with rye flour rises faster than one fed with white flour.")


def test_yake_finds_grounded_keyphrases() -> None:
    ex = KeywordExtractor()
    result = ex.extract(TEXT)
    assert ex.name == "yake"
    assert 0 < len(result.phrases) <= 4
    assert all(ground(p, TEXT) for p in result.phrases)
    assert any("sourdough" in p or "flour" in p for p in result.phrases)


def test_yake_streaming_api_and_empty_input() -> None:
    ex = KeywordExtractor()
    ex.start()
    ex.feed("ignored until finish")
    assert ex.finish("<start_of_turn> <eos>").phrases == []
    assert ex.finish(TEXT).phrases == ex.extract(TEXT).phrases


def test_yake_keeps_only_noun_phrases_in_one_spelling_per_idea() -> None:
    ex = KeywordExtractor()
    result = ex.extract("The soil was too dry and the tomato plants did badly, really badly.")
    assert result.phrases and set(result.phrases) <= {"soil", "tomato plants"}
    assert ex.extract("yes yes okay hmm").phrases == []
    assert ex.extract("Je pense que le jardin a besoin de plus de soleil.").phrases == []
