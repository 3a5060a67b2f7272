from __future__ import annotations

from fhud_app.asr.agreement import Agreement, common_prefix, drop_repeated_head, norm
from fhud_app.asr.base import Word


def words(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    return [Word(t, start + i * step, start + i * step + 0.4, 0.9) for i, t in enumerate(text.split())]


def test_norm_ignores_case_and_punctuation() -> None:
    assert norm("Dog.") == norm("dog") == "dog"
    assert norm("don't,") == "don't"


def test_common_prefix() -> None:
    assert common_prefix(words("the quick brown"), words("The quick, fox")) == 2
    assert common_prefix([], words("a b")) == 0


def test_only_words_two_hypotheses_agree_on_become_final() -> None:
    agree = Agreement()
    assert agree.insert(words("the quick")) == []
    assert agree.draft == "the quick"
    final = agree.insert(words("the quick brown fox"))
    assert [w.text for w in final] == ["the", "quick"]
    assert agree.draft == "brown fox"
    final = agree.insert(words("brown fax jumps", start=1.0))
    assert [w.text for w in final] == ["brown"]
    assert [w.text for w in agree.commit_all()] == ["fax", "jumps"]


def test_final_words_are_monotonic_even_if_hypotheses_overlap() -> None:
    agree = Agreement()
    agree.insert(words("one two three"))
    first = agree.insert(words("one two three four"))
    later = agree.commit_all([Word("four", 0.9, 1.2, 0.8), Word("five", 1.3, 1.6, 0.8)])
    ends = [w.end for w in first + later]
    starts = [w.start for w in first + later]
    assert ends == sorted(ends) and all(s >= e for s, e in zip(starts[1:], ends[:-1], strict=False))


def test_a_word_heard_again_after_the_cut_is_dropped() -> None:
    committed = words("over the lazy dog")
    hyp = [Word("dog.", committed[-1].start, committed[-1].end, 0.9)] + words("yesterday I", start=2.5)
    assert [w.text for w in drop_repeated_head(committed, hyp)] == ["yesterday", "I"]
    far = words("dog again", start=10.0)
    assert drop_repeated_head(committed, far) == far


def test_commit_before_forces_old_words_out() -> None:
    agree = Agreement()
    final = agree.commit_before(words("a b c d"), t=1.0)
    assert [w.text for w in final] == ["a", "b"]
    assert agree.draft == "c d"


def test_three_votes_need_three_agreeing_hypotheses() -> None:
    agree = Agreement(votes=3)
    assert agree.insert(words("the quick")) == []
    assert agree.insert(words("the quick brown")) == []
    assert [w.text for w in agree.insert(words("the quack brown fox"))] == ["the"]
    assert [w.text for w in agree.insert(words("the quack brown fox"))] == []  # "quack": 2 votes
    assert [w.text for w in agree.insert(words("the quack brown fox"))] == ["quack", "brown", "fox"]


def test_one_vote_finalizes_each_hypothesis_at_once() -> None:
    agree = Agreement(votes=1)
    assert [w.text for w in agree.insert(words("a b"))] == ["a", "b"]


def test_a_sentence_echoed_without_time_of_its_own_is_dropped() -> None:
    """Seen at real time after a long pause: the utterance's end finalized "lee stirring
    walks. The puppy keeps pulling on the lee stirring walks." - the copy timed before the
    words already final, so it landed on their end with no duration (a caption that read
    the sentence twice, and a second pass that kept it)."""
    agree = Agreement()
    first = words("The puppy keeps pulling on the", start=29.0, step=0.31)
    agree.insert(first)
    assert len(agree.insert(first)) == 6
    rest = [Word("lee", 30.9, 31.04, 0.8), Word("stirring", 31.04, 31.38, 0.8), Word("walks.", 31.38, 31.48, 0.8)]
    echo = [Word(w.text, 31.2, 31.2, 0.8) for w in first + rest[:2]] + [Word("walks.", 31.48, 31.9, 0.8)]
    final = agree.finish(rest + echo)
    assert [w.text for w in final] == ["lee", "stirring", "walks."]


def test_a_person_saying_it_twice_is_kept() -> None:
    agree = Agreement()
    said = words("I keep losing I keep losing chess games", step=0.3)
    assert [w.text for w in agree.commit_all(said)] == [w.text for w in said]
    # the same, timed as squeezed as an echo inside one word's time: dropped
    squeezed = words("I keep losing", start=5.0, step=0.3)
    squeezed += [Word(t, 5.7 + 0.03 * i, 5.72 + 0.03 * i, 0.9) for i, t in enumerate(["I", "keep", "losing"])]
    assert [w.text for w in Agreement().commit_all(squeezed)] == ["I", "keep", "losing"]
