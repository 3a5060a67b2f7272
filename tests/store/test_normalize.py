from __future__ import annotations

import pytest

from fhud_app.store.normalize import is_content, phrase_key, singular, words


@pytest.mark.parametrize(
    ("word", "expected"),
    [("caches", "cache"), ("batteries", "battery"), ("boxes", "box"), ("churches", "churche"), ("cells", "cell"),
     ("bus", "bus"), ("analysis", "analysis"), ("glass", "glass"), ("cache", "cache")],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_phrase_key_merges_case_determiners_and_plurals() -> None:
    assert phrase_key("the cache") == phrase_key("Caches") == phrase_key("cache") == "cach"
    assert phrase_key("Our seed rounds") == "seed round"
    assert phrase_key("churches") == phrase_key("church")
    assert phrase_key("houses") == phrase_key("the house")


def test_words_keep_inner_apostrophes_and_hyphens() -> None:
    assert words("Don't re-use the X-ray, please!") == ["don't", "re-use", "the", "x-ray", "please"]


def test_is_content() -> None:
    assert is_content("drip irrigation")
    assert not is_content("the")
    assert not is_content("it was really")
    assert not is_content("42")
