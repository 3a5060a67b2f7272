from __future__ import annotations

import pytest

from fhud_app.concepts.pos import Tagger, shared_tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return shared_tagger()


def texts(tagger: Tagger, sentence: str) -> list[str]:
    return [p.text for p in tagger.candidates(sentence)]


def test_noun_phrases_and_their_head_final_runs(tagger: Tagger) -> None:
    got = texts(tagger, "I need a bottom bracket tool and a YouTube video.")
    assert got[:3] == ["bottom bracket tool", "bracket tool", "tool"]
    assert "YouTube video" in got and "video" in got


def test_adjectives_adverbs_verbs_and_pronouns_are_never_candidates(tagger: Tagger) -> None:
    assert texts(tagger, "It was dry and it went badly, easily, right, stronger, expensive, slow.") == []
    assert texts(tagger, "yes yes okay hmm") == []
    assert texts(tagger, "I think they should prune it.") == []


def test_a_gerund_used_as_a_noun_is_a_candidate(tagger: Tagger) -> None:
    assert "pruning" in texts(tagger, "The problem is I've never done pruning properly.")


def test_evaluative_adjectives_are_trimmed_but_kinds_are_kept(tagger: Tagger) -> None:
    assert texts(tagger, "She brought long homework sheets.")[0] == "homework sheets"
    assert texts(tagger, "We need dry ice and blue light.")[:1] == ["dry ice"]
    assert "blue light" in texts(tagger, "We need dry ice and blue light.")


def test_a_phrase_never_spans_words_that_modify_something_else(tagger: Tagger) -> None:
    got = texts(tagger, "We're thinking about moving to Lisbon next year.")
    assert "Lisbon" in got and not any("Lisbon" in g and g != "Lisbon" for g in got)


def test_generic_nouns_alone_are_not_candidates(tagger: Tagger) -> None:
    assert texts(tagger, "It took a lot of time this week.") == []


def test_loading_the_tagger_opens_no_socket() -> None:
    import subprocess
    import sys

    code = ("import sys; seen = []\n"
            "sys.addaudithook(lambda ev, a: seen.append(ev) if ev.startswith('socket.') else None)\n"
            "from fhud_app.concepts.pos import Tagger\n"
            "assert [p.text for p in Tagger().candidates('The garden needs compost.')] == "
            "['garden', 'compost']\n"
            "print(seen)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[]"  # urllib3's IPv6 probe (via spaCy's download command) skipped
