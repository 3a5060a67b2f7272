"""The commit policy, on decode sequences (recorded ones in tests/asr/decodes/)."""

from __future__ import annotations

import json
from pathlib import Path

from fhud_app.asr.base import Word
from fhud_app.asr.commit import CommitPolicy, Decode, heard

DECODES = Path(__file__).with_name("decodes")


def recorded(name: str) -> list[Decode]:
    lines = [json.loads(x) for x in (DECODES / name).read_text().splitlines() if x.strip()]
    return [Decode.from_json(d) for d in lines if d["kind"] != "meta"]


def words(text: str, start: float = 0.0, step: float = 0.5, conf: float = 0.9) -> tuple[Word, ...]:
    return tuple(Word(t, start + i * step, start + i * step + 0.4, conf) for i, t in enumerate(text.split()))


def committed(policy: CommitPolicy, decodes: list[Decode]) -> list[str]:
    return [w.text for d in decodes for w in policy.apply(d).final]


def test_a_word_cut_at_the_window_end_is_not_committed_in_pieces() -> None:
    """Recorded: two hops in a row heard "Kyoto" cut short as "K -O -3" (unsure); plain
    LocalAgreement-2 committed the pieces, and "Kyoto through" came one hop later."""
    decodes = recorded("kyoto_split.jsonl")
    before = committed(CommitPolicy(unsure=0.0), decodes)
    assert before[5:8] == ["K", "-O", "-3"] and "Kyoto" not in before  # before the fix
    fixed = CommitPolicy(max_wait_s=float("inf"))  # the unsure rule alone
    assert committed(fixed, decodes) == ["I", "fly", "from", "Denver", "to"]
    assert fixed.agree.draft.startswith("Kyoto through Tokyo")
    # Kyoto stays unsure, and the utterance's end finalizes what the newest decode says.
    end = fixed.apply(Decode("utterance", 8.5, decodes[-1].words))
    assert [w.text for w in end.final][:3] == ["Kyoto", "through", "Tokyo,"]
    # The decodes fell 1.5 s apart: by the last, "K -O -3" had waited 3.3 s unagreed, so
    # the engine's policy takes the newest reading (whole) as final there.
    default = committed(CommitPolicy(), decodes)
    assert default[:8] == ["I", "fly", "from", "Denver", "to", "Kyoto", "through", "Tokyo,"]


def test_words_without_speech_under_them_are_dropped() -> None:
    speech = ((0.0, 1.9), (3.0, 4.0))  # a pause from 1.9 to 3.0 s
    hyp = words("so we go and then", step=0.5)  # "then" at 2.0-2.4 s: inside the pause
    kept = heard(hyp, speech, heard_to=4.0)
    assert [w.text for w in kept] == ["so", "we", "go", "and"]
    assert heard(hyp, speech, heard_to=2.0)[-1].text == "then"  # not classified yet: kept


def test_the_second_pass_revises_the_utterance_once_then_closes_it() -> None:
    policy = CommitPolicy()
    hop = words("run we lights are on")
    assert policy.apply(Decode("hop", 2.0, hop)).final == []
    final = policy.apply(Decode("utterance", 3.0, hop)).final
    assert [w.utterance for w in final] == [1] * 5 and policy.closing
    update = policy.apply(Decode("pass", 3.1, words("runway lights are on")))
    (rev,) = update.revisions
    assert rev.utterance == 1 and [w.text for w in rev.words] == ["runway", "lights", "are", "on"]
    assert update.ended == [1] and not policy.closing
    nxt = policy.apply(Decode("utterance", 6.0, words("next", start=5.0)))
    assert [w.utterance for w in nxt.final] == [2]


def test_no_revision_when_the_pass_agrees_and_an_empty_one_when_it_hears_nothing() -> None:
    policy = CommitPolicy()
    policy.apply(Decode("utterance", 2.0, words("Hello there.")))
    same = policy.apply(Decode("pass", 2.1, words("hello there")))
    assert same.revisions == [] and same.ended == [1]
    policy.apply(Decode("utterance", 5.0, words("just", start=4.0, conf=0.3)))  # an unsure filler
    gone = policy.apply(Decode("pass", 5.1, ()))
    assert [(r.utterance, r.words) for r in gone.revisions] == [(2, ())] and gone.ended == [2]
    policy.apply(Decode("utterance", 8.0, words("Lisbon", start=7.0)))  # a sure word the pass missed
    kept = policy.apply(Decode("pass", 8.1, ()))
    assert kept.revisions == [] and kept.ended == [3]


def test_the_revision_takes_the_reading_whisper_was_surer_of() -> None:
    from fhud_app.asr.commit import surer_reading

    committed = words("the cash in validation runs every night", conf=0.8)
    sure_pass = words("the cache invalidation runs every night", conf=0.8)
    assert [w.text for w in surer_reading(committed, sure_pass)] == "the cache invalidation runs every night".split()
    unsure_pass = words("the cache invalidation runs every night", conf=0.4)
    # the stream's surer words stand: no revision
    assert [w.text for w in surer_reading(committed, unsure_pass)] == [w.text for w in committed]
    added = surer_reading(words("we leave at nine"), words("we leave at nine sharp"))
    assert [w.text for w in added] == ["we", "leave", "at", "nine", "sharp"]


def test_a_pass_without_words_closes_the_utterance_as_it_stands() -> None:
    policy = CommitPolicy()
    policy.apply(Decode("utterance", 2.0, words("a b")))
    update = policy.apply(Decode("pass", 2.1, None))
    assert update.revisions == [] and update.ended == [1]
    assert CommitPolicy().apply(Decode("pass", 0.5, None)).ended == []  # nothing was said


def test_decodes_round_trip_through_json() -> None:
    d = Decode("hop", 1.5, words("a b"), ((0.0, 1.2),), 1.4)
    assert Decode.from_json(json.loads(json.dumps(d.to_json()))) == d
    old = Decode.from_json({"kind": "hop", "now": 1.0, "words": [["a", 0.1, 0.4, 0.9]]})
    assert heard(old.words, old.speech, old.heard_to) == list(old.words)  # no VAD: all kept


def test_the_pass_hears_the_vad_speech_of_its_whole_utterance() -> None:
    """Found in the 10:02 real-time run: the pass's record carried only the speech of the
    (already trimmed) window, so the first words of a long utterance were revised away."""
    from fhud_app.asr.vad import SpeechTracker
    from fhud_app.asr.whisper_engine import WhisperEngine
    from fhud_app.core.config import AsrConfig

    vad = SpeechTracker(model=lambda audio: audio[::512])
    vad.segments, vad.done = [[0.5, 9.0]], 14 * 16_000
    engine = WhisperEngine(None, AsrConfig(), vad=vad)
    engine.total, engine.buf_start = 14 * 16_000, 10 * 16_000  # the window kept 4 s of silence
    early = [Word("early", 1.0, 1.3, 0.9)]
    d = engine._decoded("pass", early, since=0.2)
    assert heard(d.words, d.speech, d.heard_to) == early
    hop = engine._decoded("hop", early)  # a window decode knows the speech of its window
    assert heard(hop.words, hop.speech, hop.heard_to) == []


def test_a_deferred_pass_revises_its_utterance_after_the_next_one_opened() -> None:
    policy = CommitPolicy(defer=True)
    first = policy.apply(Decode("utterance", 3.0, words("run we lights are on")))
    assert [w.utterance for w in first.final] == [1] * 5 and policy.handed == 1 and not policy.closing
    policy.handed = None  # the engine sent utterance 1 to be decoded beside the stream
    nxt = policy.apply(Decode("utterance", 6.0, words("next one", start=5.0)))
    assert [w.utterance for w in nxt.final] == [2, 2] and policy.handed == 2
    late = policy.apply(Decode("pass", 6.2, words("runway lights are on"), utterance=1))
    assert [(r.utterance, [w.text for w in r.words]) for r in late.revisions] == [
        (1, ["runway", "lights", "are", "on"])
    ] and late.ended == [1]
    same = policy.apply(Decode("pass", 6.3, words("next one", start=5.0), utterance=2))
    assert same.revisions == [] and same.ended == [2] and policy.passing == {}
    assert Decode.from_json(Decode("pass", 1.0, None, utterance=7).to_json()).utterance == 7


def test_two_readings_trading_places_hold_no_word_longer_than_max_wait() -> None:
    """An hour's soak held a run of words 13-18 s: successive decodes kept disagreeing on
    an early word, and only the 15 s window forced them out.  Now a word unagreed for
    ``max_wait_s`` after it was spoken is final, as the newest decode reads it."""
    readings = ("so the bark and the roots grow deep", "so the park and the roots grow deep")

    def final_at(policy: CommitPolicy) -> dict[str, float]:
        when: dict[str, float] = {}
        for i in range(18):  # a hop every 0.8 s, the two readings in turn
            now = 3.0 + 0.8 * i
            for w in policy.apply(Decode("hop", now, words(readings[i % 2], step=0.3))).final:
                when.setdefault(w.text, now)
        return when

    bounded = final_at(CommitPolicy(max_wait_s=3.0))
    assert bounded["the"] == 3.8  # agreed at the second decode
    assert bounded["park"] <= 0.7 + 3.0 + 0.8  # "bark"/"park" ends at 0.7 s
    assert bounded["grow"] <= 1.9 + 3.0 + 0.8
    held = final_at(CommitPolicy(max_wait_s=float("inf")))
    assert list(held) == ["so", "the"]  # without the bound nothing after them in 14 s
