from __future__ import annotations

from fhud_app.concepts.utterances import UtteranceCutter, Word


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
    assert not cut.revise(2, [_u("x", 0.0, 2)])
    assert cut.revise(1, [_u("the", 0.0, 1), _u("coffee", 0.4, 1), _u("table", 0.8, 1)])
    assert cut.open.text == "the coffee table"


def test_the_ledger_gives_back_every_extraction_that_used_a_revised_utterance() -> None:
    from fhud_app.concepts.utterances import Ledger

    ledger = Ledger(size=2)
    ledger.record(1, [_u("old", 0.0, 1)])
    ledger.record(2, [_u("cash", 1.0, 2), _u("invalidation", 1.4, 2)])
    ledger.record(3, [_u("the", 3.0, 3), _u("worker", 3.4, 3)])
    assert len(ledger) == 2  # bounded: the oldest is forgotten
    assert ledger.revise(1, [_u("new", 0.0, 1)]) == []
    redo = ledger.revise(2, [_u("cache", 1.0, 2), _u("invalidation", 1.4, 2)])
    assert [(k, " ".join(w.text for w in ws)) for k, ws in redo] == [(2, "cache invalidation")]
    assert ledger.revise(3, []) == [(3, [])]  # revised away entirely


def test_the_asrs_utterance_end_closes_the_open_utterance() -> None:
    cut = UtteranceCutter(pause_s=0.8)
    cut.add(_u("drip", 0.0, 3))
    cut.add(_u("irrigation", 0.4, 3))
    assert cut.asr_ended(2) is None and cut.pending
    closed = cut.asr_ended(3)
    assert closed is not None and closed.text == "drip irrigation" and closed.reason == "asr-end"
    assert cut.asr_ended(3) is None
