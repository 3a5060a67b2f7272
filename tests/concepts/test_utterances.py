from __future__ import annotations

from fhud_app.concepts.utterances import HeardWord, UtteranceCutter


def _w(text: str, start: float, wall: float = 0.0) -> HeardWord:
    return HeardWord(text, start, start + 0.3, wall)


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
