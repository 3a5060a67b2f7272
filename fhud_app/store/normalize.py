"""Light normalization of concept phrases: case, punctuation, leading determiners, plural/singular.

Shared by the grounding filter (is a phrase in the transcript?) and the concept store (are two
phrases the same concept?).  Deliberately small: it merges "the cache" / "caches" / "Cache" and
"batteries" / "battery", and nothing that changes a word's stem beyond an English plural.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
DETERMINERS = frozenset(
    "a an the this that these those my our your his her its their some any each every "
    "which what whose".split()
)
STOPWORDS = DETERMINERS | frozenset(
    """i me we us you he she it they them is are was were be been being am do does did have has
    had will would can could should shall may might must not no yes and or but so if then than
    because as of at by for with about into onto from to in on off up down out over under again
    just also very really quite too more most much many lot lots thing things stuff kind sort way
    like well okay ok oh um uh yeah actually basically maybe probably here there now when where
    why how who all both few other such only own same get got going go gonna want think know
    mean say said see make made let lets let's it's that's i'm we're you're they're don't
    doesn't didn't isn't aren't can't won't one""".split()
)
_KEEP_S = ("ss", "us", "is", "sis", "ics", "ous", "ness", "as", "os")


def words(text: str) -> list[str]:
    """The lowercased words of ``text`` (letters, digits, inner apostrophes and hyphens)."""
    return [w.lower().strip("'-") for w in _WORD.findall(text) if w.strip("'-")]


def singular(word: str) -> str:
    """An English singular for a regular plural ("caches" → "cache", "batteries" → "battery")."""
    w = word.lower()
    if len(w) <= 3 or w.endswith(_KEEP_S):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "zes")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


def stem(word: str) -> str:
    """The comparison form of a word: its singular without a final "e".

    "cache", "caches", "church" and "churches" give "cach", "cach", "church", "church".
    """
    w = singular(word)
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


def key_words(text: str) -> tuple[str, ...]:
    """The normalized words of a phrase, leading determiners dropped."""
    ws = words(text)
    while ws and ws[0] in DETERMINERS:
        ws = ws[1:]
    return tuple(stem(w) for w in ws)


def phrase_key(text: str) -> str:
    """The merge key of a concept phrase ("The caches" → "cach", as for "cache")."""
    return " ".join(key_words(text))


def is_content(text: str) -> bool:
    """True when the phrase has at least one word that is not a stopword and is not a bare number."""
    return any(w not in STOPWORDS and not w.isdigit() and len(w) > 1 for w in words(text))
