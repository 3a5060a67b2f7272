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
