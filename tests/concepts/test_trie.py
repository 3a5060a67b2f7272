from __future__ import annotations

from fhud_app.concepts.trie import PhraseTrie

SEP, END = 0, 99


def trie(max_phrases: int = 4) -> PhraseTrie:
    # "drip irrigation" = [1, 2], "irrigation" = [2], "rain barrel" = [3, 4], "rain" = [3]
    pairs = [("drip irrigation", [1, 2]), ("drip irrigation", [2]), ("rain barrel", [3, 4]),
             ("rain", [3])]
    return PhraseTrie(pairs, SEP, [END], max_phrases=max_phrases)


def test_only_candidate_tokens_may_start_a_phrase_and_the_list_may_end() -> None:
    assert trie().allowed([]) == {1, 2, 3, END}


def test_inside_a_phrase_only_its_continuations_are_allowed() -> None:
    assert trie().allowed([1]) == {2}
    assert trie().allowed([3]) == {4, SEP, END}  # "rain" is complete, "rain barrel" goes on


def test_a_named_phrase_cannot_be_named_again_in_any_spelling() -> None:
    t = trie()
    assert t.allowed([1, 2, SEP]) == {3, END}
    assert t.phrases([1, 2, SEP, 3, 4]) == ["drip irrigation", "rain barrel"]
    assert t.phrases([2, SEP, 3]) == ["drip irrigation", "rain"]


def test_the_list_is_bounded() -> None:
    t = trie(max_phrases=1)
    assert t.allowed([1, 2]) == {END}


def test_incomplete_output_names_only_complete_phrases() -> None:
    assert trie().phrases([1]) == []
