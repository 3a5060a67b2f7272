from __future__ import annotations

from fhud_app.render.caption import Caption


def measure(_role: str, text: str) -> float:
    return 10.0 * len(text)


def caption(width: float = 400.0) -> Caption:
    return Caption(width, 300.0, measure, word_life_s=30.0, max_words=60)


def settle(c: Caption, now: float, seconds: float = 2.0) -> None:
    for i in range(int(seconds * 30)):
        c.update(now + i / 30, 1 / 30)


def test_a_revision_replaces_the_utterances_words_in_place() -> None:
    c = caption()
    before = c.add("so", 0.0, utterance=1)
    for t in ("kyo", "do", "station"):
        c.add(t, 0.1, utterance=2)
    after = c.add("next", 0.2, utterance=3)
    settle(c, 0.2)
    x_before, x_after = before.x, after.x
    assert c.revise(2, ["Kyoto", "station"], 3.0)
    assert [w.text for w in c.words] == ["so", "Kyoto", "station", "next"]
    assert before.x == x_before and c.words[2].born == 0.1  # unchanged words stay as they were
    assert c.words[1].born == 3.0  # the new word fades in
    settle(c, 3.0)
    assert after.x < x_after  # the words after it glided left, they did not jump
    assert c.words[1].x == c.words[0].x + c.words[0].width + measure("word", " ")
    assert {w.line for w in c.words} == {0}


def test_a_longer_revision_wraps_and_moves_the_older_lines_up() -> None:
    c = caption(width=200.0)
    c.add("alpha", 0.0, utterance=1)
    c.add("one", 0.0, utterance=2)
    assert {w.line for w in c.words} == {0}
    assert c.revise(2, ["one", "two", "three", "four"], 1.0)
    assert c.words[0].line == 1 and c.words[-1].line == 0
    settle(c, 1.0)
    assert all(w.x + w.width <= 200 - c.margin + 1e-6 for w in c.words)
    nxt = c.add("five", 3.0, utterance=3)
    assert nxt.line == 0 and nxt.x > c.margin  # the cursor follows the revised words


def test_a_revision_of_words_no_longer_shown_changes_nothing() -> None:
    c = caption()
    c.add("gone", 0.0, utterance=1)
    settle(c, 0.0, 40.0)  # dissolved and removed
    assert c.words == [] and not c.revise(1, ["went"], 41.0)
    c.add("here", 50.0, utterance=2)
    assert not c.revise(1, ["went"], 51.0) and [w.text for w in c.words] == ["here"]


def test_an_emptied_utterance_closes_the_gap() -> None:
    c = caption()
    c.add("and", 0.0, utterance=1)
    c.add("then", 0.0, utterance=1)
    last = c.add("right", 0.5, utterance=2)
    assert c.revise(1, [], 1.0)
    settle(c, 1.0)
    assert c.words == [last] and last.x == c.margin
