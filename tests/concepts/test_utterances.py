from __future__ import annotations

from fhud_app.concepts.utterances import (
    Ledger,
    UtteranceCutter,
    Word,
    revise_holders,
    share_revision,
)


def _w(text: str, start: float, wall: float = 0.0) -> Word:
    return Word(text, start, start + 0.3, wall)


def test_sentence_punctuation_closes_an_utterance() -> None:
    cut = UtteranceCutter(pause_s=0.8)
    assert cut.add(_w("Solar", 0.0)) == []
    closed = cut.add(_w("panels.", 0.4))
    assert [u.text for u in closed] == ["Solar panels."]
    assert closed[0].reason == "punctuation" and not cut.pending
    assert cut.add(_w("Really?\"", 1.0))[0].text == 'Really?"'


def test_a_pause_closes_before_the_next_word() -> None:
    cut = UtteranceCutter(pause_s=0.8)
    cut.add(_w("battery", 0.0))
    cut.add(_w("storage", 0.4))  # gap 0.1 s
    closed = cut.add(_w("next", 2.0))  # gap 1.3 s
    assert [u.text for u in closed] == ["battery storage"]
    assert closed[0].reason == "pause"
    assert closed[0].start == 0.0 and closed[0].end == 0.7
    assert cut.open.text == "next"


def test_pause_and_punctuation_can_close_two_at_once() -> None:
    cut = UtteranceCutter(pause_s=0.5)
    cut.add(_w("one", 0.0))
    closed = cut.add(_w("Two.", 3.0))
    assert [u.text for u in closed] == ["one", "Two."]


def test_length_idle_and_flush() -> None:
    cut = UtteranceCutter(pause_s=0.8, max_words=3)
    for i, t in enumerate(["a", "b"]):
        assert cut.add(_w(t, i * 0.1, wall=10.0)) == []
    assert cut.add(_w("c", 0.2, wall=10.0))[0].reason == "length"
    cut.add(_w("d", 0.3, wall=10.0))
    assert cut.poll(11.9) is None  # pause 0.8 s + 1.2 s of grace for the ASR's bursts
    idle = cut.poll(12.0)
    assert idle is not None and idle.text == "d" and idle.reason == "idle"
    assert cut.flush() is None
    cut.add(_w("e", 0.5))
    flushed = cut.flush()
    assert flushed is not None and flushed.reason == "flush" and flushed.text == "e"


def _u(text: str, start: float, utt: int) -> Word:
    return Word(text, start, start + 0.3, 0.0, utterance=utt)


def test_a_revision_replaces_the_open_utterances_words_of_that_asr_utterance() -> None:
    cut = UtteranceCutter(pause_s=0.8)
    for w in (_u("the", 0.0, 1), _u("kyo", 0.4, 1), _u("table", 0.8, 1)):
        cut.add(w)
    assert revise_holders(2, [_u("x", 0.0, 2)], Ledger(), [], cut) == ([], False)
    new = [_u("the", 0.0, 1), _u("coffee", 0.4, 1), _u("table", 0.8, 1)]
    assert revise_holders(1, new, Ledger(), [], cut) == ([], True)
    assert cut.open.text == "the coffee table"


def test_the_ledger_gives_back_every_extraction_whose_words_a_revision_changed() -> None:
    ledger = Ledger(size=2)
    ledger.record(1, [_u("old", 0.0, 1)])
    ledger.record(2, [_u("cash", 1.0, 2), _u("invalidation", 1.4, 2)])
    ledger.record(3, [_u("the", 3.0, 3), _u("worker", 3.4, 3)])
    assert len(ledger) == 2  # bounded: the oldest is forgotten
    cut = UtteranceCutter()
    assert revise_holders(1, [_u("new", 0.0, 1)], ledger, [], cut) == ([], False)
    redo, _ = revise_holders(2, [_u("cache", 1.0, 2), _u("invalidation", 1.4, 2)], ledger, [], cut)
    assert [(k, " ".join(w.text for w in ws)) for k, _, ws in redo] == [(2, "cache invalidation")]
    gone, _ = revise_holders(3, [], ledger, [], cut)
    assert [(k, new) for k, _, new in gone] == [(3, [])]  # revised away entirely


def test_one_asr_utterance_cut_into_sentences_gives_each_sentence_only_its_own_revised_words() -> None:
    """The demo's minute-long utterance was cut into ~10 sentences; a revision once handed each
    of them the whole utterance, so each was extracted again on all of it (minutes of LLM work)."""
    said = "a b. c d. e f".split()
    old = [_u(t, i * 0.5, 7) for i, t in enumerate(said)]
    ledger = Ledger()
    ledger.record(1, old[:2])
    ledger.record(2, old[2:4])
    cut = UtteranceCutter()
    cut.open.words = old[4:]
    revised = [_u(t, i * 0.5 + 0.05, 7) for i, t in enumerate("a b. C d! e g".split())]
    redo, open_changed = revise_holders(7, revised, ledger, [], cut)
    assert redo == []  # "C d!" is "c d." again, case and punctuation aside: no extraction
    assert [w.text for w in ledger.words(2)] == ["C", "d!"]
    assert open_changed and cut.open.text == "e g"
    words = share_revision([old[:2], old[2:4]], 7, revised[:4] + [_u("late", 2.6, 7)])
    assert [[w.text for w in ws] for ws in words] == [["a", "b."], ["C", "d!", "late"]]


def test_a_revision_keeps_the_words_of_other_asr_utterances_in_a_holder() -> None:
    held = [_u("end", 0.0, 1), _u("of", 0.4, 1), _u("kyo", 1.0, 2), _u("do", 1.3, 2)]
    (out,) = share_revision([held], 2, [_u("kyoto", 1.0, 2)])
    assert [w.text for w in out] == ["end", "of", "kyoto"]


def test_the_asrs_utterance_end_closes_the_open_utterance() -> None:
    cut = UtteranceCutter(pause_s=0.8)
    cut.add(_u("drip", 0.0, 3))
    cut.add(_u("irrigation", 0.4, 3))
    assert cut.asr_ended(2) is None and cut.pending
    closed = cut.asr_ended(3)
    assert closed is not None and closed.text == "drip irrigation" and closed.reason == "asr-end"
    assert cut.asr_ended(3) is None


def test_a_revision_that_names_the_same_things_needs_no_new_extraction() -> None:
    from fhud_app.concepts.utterances import new_ideas

    old = [_u(t, i * 0.5, 1) for i, t in enumerate("we water the garden daily".split())]
    same = [_u(t, i * 0.5, 1) for i, t in enumerate("we watered the gardens daily".split())]
    other = [_u(t, i * 0.5, 1) for i, t in enumerate("we water the garden hose daily".split())]
    assert not new_ideas(old, same)  # a verb's tense and a plural: the same noun phrase
    assert new_ideas(old, other) and new_ideas(old, [])
