"""Parts of speech for concept extraction: which phrases of an utterance can name a concept.

spaCy's small English pipeline (``en_core_web_sm``, installed from PyPI; tagger, parser and
the rule lemmatizer's tables, ~6 ms per sentence here) tags each utterance.  A concept is a
noun phrase: a run of words that ends in a noun or proper noun (its head) and whose other
words modify it (compounds, adjectives, numbers: "drip irrigation", "first layer", "3D
printer").  :func:`candidates` lists those runs, trimmed of determiners, pronouns and
evaluative adjectives ("long homework sheets" → "homework sheets"), with every shorter run that
still ends in the head ("engineer role", "role").  A phrase that is only an adjective, adverb,
verb or pronoun is never a candidate.  Qt-free; loaded inside the concept worker's thread.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from fhud_app.store.normalize import (
    SPACY_MODEL,
    STOPWORDS,
    import_spacy,
    is_content,
    model_folder,
    phrase_key,
)

log = logging.getLogger(__name__)

MAX_PHRASE_WORDS = 4
NOUNS = ("NOUN", "PROPN")
MODIFIERS = ("NOUN", "PROPN", "ADJ", "NUM", "VERB")  # "running shoes", "3D printer"
NOMINAL_DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos")
# Adjectives that grade a thing rather than name a kind of it: trimmed from the front.
EVALUATIVE = frozenset(
    """good bad great big small little large huge tiny long short new old nice whole entire
    real actual main other same different certain several various whole best worst better worse
    next last first few many much more most less least own little whole full empty high low
    proper important hard easy simple complex complicated weird strange fine cool awesome
    terrible horrible beautiful enough""".split()
) - {"first", "next"}
# Nouns that stand for a stretch of time, an amount or a placeholder, never an idea on their own.
GENERIC = frozenset(
    """thing things stuff lot lots bit kind sort way part side end point fact case one ones
    something anything everything nothing someone anyone everyone nobody somebody anybody
    everybody year years month months week weeks day days hour hours minute minutes second
    seconds moment moments today tomorrow yesterday tonight time times percent number
    people person guy guys idea ideas question questions""".split()
)


@dataclass(frozen=True)
class Phrase:
    text: str  # as said (sentence-initial capitals lowered)
    head: str  # the head noun as said
    start: int  # token index in the utterance
    end: int


class Tagger:
    """spaCy tagging of utterances; thread-confined to the worker that built it."""

    def __init__(self) -> None:
        spacy = import_spacy()
        folder = model_folder()  # loaded from its folder: no package metadata needed (bundles)
        try:
            if folder is None:
                raise OSError(SPACY_MODEL)
            self.nlp = spacy.load(folder, exclude=["ner"])  # type: ignore[attr-defined]
        except OSError as exc:
            from fhud_app.core.errors import ModelError

            raise ModelError(
                f"the English tagger ({SPACY_MODEL}) is not installed; reinstall fhud "
                "(scripts/bootstrap.sh) to get it."
            ) from exc

    def doc(self, text: str) -> Any:
        return self.nlp(text)

    def candidates(self, text: str) -> list[Phrase]:
        """The noun phrases of ``text`` that may name a concept, in order, without repeats."""
        return noun_phrases(self.doc(text))

    def is_noun_phrase(self, phrase: str, text: str) -> bool:
        """True when ``phrase`` is one of the noun phrases of ``text`` (up to lemmas)."""
        key = phrase_key(phrase)
        return any(phrase_key(p.text) == key for p in self.candidates(text))


_shared: Tagger | None = None
_shared_lock = threading.Lock()


def shared_tagger() -> Tagger:
    """One tagger per process (the model is ~130 MB); spaCy's ``nlp`` is safe to call from
    one thread at a time, and only the concept worker (or a benchmark) calls it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Tagger()
        return _shared


def _display(tok: Any) -> str:
    w = tok.text
    if tok.is_sent_start and tok.pos_ != "PROPN" and not (w.isupper() and len(w) > 1):
        return w.lower()
    return w


def _span_words(toks: list[Any]) -> str:
    return " ".join(_display(t) for t in toks)


def _is_head(tok: Any) -> bool:
    """A noun, or a gerund in a noun's place ("I've never done pruning")."""
    if tok.lower_ in STOPWORDS:
        return False
    if tok.pos_ in NOUNS:
        return True
    return tok.tag_ == "VBG" and tok.dep_ in NOMINAL_DEPS


def _modifies(tok: Any, phrase: list[Any]) -> bool:
    """``tok`` (just left of ``phrase``) is a modifier attached inside the phrase."""
    if tok.pos_ not in MODIFIERS or tok.lower_ in STOPWORDS:
        return False
    if tok.pos_ == "VERB" and tok.dep_ != "amod":
        return False
    return any(tok.head.i == t.i for t in phrase)


def _trimmed(tok: Any) -> bool:
    """A leading word that grades the thing rather than names a kind of it ("better", "two")."""
    if tok.lower_ in EVALUATIVE or tok.tag_ in ("JJR", "JJS", "RBR", "RBS"):
        return True
    return tok.pos_ == "NUM" and not _has_digit_and_letter(tok.text)


def _has_digit_and_letter(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def noun_phrases(doc: Any) -> list[Phrase]:
    """Head-final noun phrases of a tagged doc and their shorter head-final runs."""
    out: list[Phrase] = []
    seen: set[str] = set()

    def add(toks: list[Any]) -> None:
        for k in range(len(toks)):
            part = toks[k:]
            if len(part) > MAX_PHRASE_WORDS:
                continue
            text = _span_words(part)
            key = phrase_key(text)
            if key in seen or not is_content(text):
                continue
            if len(part) == 1 and part[0].lower_ in GENERIC:
                continue
            seen.add(key)
            out.append(Phrase(text, part[-1].text, part[0].i, part[-1].i + 1))

    for tok in doc:
        if not _is_head(tok):
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and _is_head(nxt) and tok.dep_ in ("compound", "nmod", "amod"):
            continue  # a modifier of the noun after it: part of that phrase
        left: list[Any] = [tok]
        j = tok.i - 1
        while j >= 0 and _modifies(doc[j], left):
            left.insert(0, doc[j])
            j -= 1
        while left[:-1] and _trimmed(left[0]):
            left.pop(0)
        add(left)
    return out
