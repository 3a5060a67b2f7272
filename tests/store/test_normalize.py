from __future__ import annotations

import pytest

from fhud_app.render.caption import normalize as caption_key
from fhud_app.store.normalize import english_share, is_content, lemma, phrase_key, words


@pytest.mark.parametrize(
    ("word", "expected"),
    [("caches", "cache"), ("batteries", "battery"), ("boxes", "box"), ("churches", "church"),
     ("ideas", "idea"), ("children", "child"), ("leaves", "leaf"), ("loaves", "loaf"),
     ("pruning", "prune"), ("prune", "prune"), ("status", "status"), ("statuses", "status"),
     ("analysis", "analysis"), ("bus", "bus"), ("glass", "glass"), ("news", "news"),
     ("evening", "evening"), ("loppers", "lopper"), ("Lisbon", "lisbon")],
)
def test_lemma(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_phrase_key_merges_case_determiners_and_inflections() -> None:
    assert phrase_key("the cache") == phrase_key("Caches") == phrase_key("cache") == "cache"
    assert phrase_key("Our seed rounds") == "seed round"
    assert phrase_key("churches") == phrase_key("church")
    assert phrase_key("houses") == phrase_key("the house")
    assert phrase_key("The ideas") == phrase_key("idea")
    assert phrase_key("pruning") == phrase_key("prune")


def test_phrase_key_keeps_different_things_apart() -> None:
    assert phrase_key("garden") != phrase_key("garden hose")
    assert phrase_key("bank") != phrase_key("river bank")
    assert phrase_key("vegetable") != phrase_key("vegetable garden")


def test_the_caption_uses_the_same_normalizer() -> None:
    # the old caption stripper turned "status" into "statu"
    assert caption_key("status") == "status" and caption_key("Status,") == "status"
    assert caption_key("Ideas.") == lemma("idea") and caption_key("pruning") == lemma("prune")
    assert caption_key("Networks,") == caption_key("network")


def test_english_share_tells_english_from_other_languages() -> None:
    assert english_share("so the plan is to install drip irrigation along every bed") == 1.0
    assert english_share("Je pense que le jardin a besoin de plus de soleil cette année") < 0.6
    assert english_share("Ich glaube der Garten braucht mehr Sonne") < 0.6


def test_words_keep_inner_apostrophes_and_hyphens() -> None:
    assert words("Don't re-use the X-ray, please!") == ["don't", "re-use", "the", "x-ray", "please"]


def test_is_content() -> None:
    assert is_content("drip irrigation")
    assert not is_content("the")
    assert not is_content("it was really")
    assert not is_content("42")
    assert not is_content("yes yes okay hmm")
