"""Grounded concept extraction: the LLM chooses among the noun phrases that were said.

The tagger (:mod:`fhud_app.concepts.pos`) lists the noun phrases of the utterance; decoding is
constrained to a trie of them (:mod:`fhud_app.concepts.trie`), so every concept is a noun
phrase of the transcript, in its own spelling, and the model only decides which ones a person
would name.  The request continues the previous ones (their text and phrases stay in the KV
cache, up to ``context_tokens``; then it starts again from the primed few-shot prefix), so a
concept of the previous utterances may be named again when it is referred to ("it").  A phrase
already in the field is written as the field spells it.  The keyword extractor and the bench
use :func:`ground` to check a phrase against a transcript.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fhud_app.concepts.llm import strip_control_text
from fhud_app.concepts.trie import build_trie
from fhud_app.core.memory import release_heap
from fhud_app.store.normalize import (
    STOPWORDS,
    english_share,
    is_content,
    key_words,
    lemma,
    phrase_key,
    words,
)

log = logging.getLogger(__name__)

MAX_PHRASE_WORDS = 4
MAX_CONCEPTS = 6
STOP_AFTER = 4  # phrases; each costs ~3 decode steps
CONTEXT_TOKENS = 160  # previous requests kept in the KV cache (then it restarts from the prefix)
MIN_ENGLISH = 0.6  # share of English words below which an utterance is not extracted
DIRECT_IDEAS = 2  # an utterance naming at most this many nouns needs no model to choose
REFERRING = frozenset("it its they them their this that these those".split())
RECENT = 6  # utterances whose concepts a shorter phrase may refer to ("the garden")
REFERRED = 2  # utterances whose concepts a pronoun may refer to ("it")

FEW_SHOT = """Each text is followed by the key phrases it names, copied from the text.

Text: so the plan is to run drip irrigation along the tomato beds before the heat wave hits
Phrases: drip irrigation, tomato beds, heat wave

Text: we closed the seed round last week and now the investors want a board seat
Phrases: seed round, investors, board seat

Text: I keep thinking the cache invalidation bug is really a race condition in the worker
Phrases: cache invalidation bug, race condition, worker

Text: my grandmother baked sourdough bread every sunday with a starter she kept for decades
Phrases: grandmother, sourdough bread, starter
"""


@dataclass
class Extraction:
    phrases: list[str]
    raw: str = ""
    prompt_tokens: int = 0
    new_tokens: int = 0
    seconds: float = 0.0
    rejected: list[str] = field(default_factory=list)  # proposed but not in the transcript
    aliases: dict[str, str] = field(default_factory=dict)  # phrase → the words said for it


class Extractor(Protocol):
    name: str
    known: Callable[[], list[str]]  # the field's concepts, as the field spells them

    def start(self) -> None: ...

    def feed(self, text: str) -> None: ...

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction: ...

    def reset(self) -> None: ...

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction: ...


def split_output(raw: str) -> list[str]:
    """Candidate phrases of one line of model output ("a, b; c" → ["a", "b", "c"])."""
    line = raw.split("\n", 1)[0]
    for sep in (";", "|", "/"):
        line = line.replace(sep, ",")
    return [p.strip(" .:-\"'()[]") for p in line.split(",") if p.strip(" .:-\"'()[]")]


def _trim_stopwords(span: list[str], norm: list[str]) -> tuple[int, int]:
    lo, hi = 0, len(span)
    while lo < hi and norm[lo] in STOPWORDS:
        lo += 1
    while hi > lo and norm[hi - 1] in STOPWORDS:
        hi -= 1
    return lo, hi


def ground(phrase: str, transcript: str) -> str | None:
    """``phrase`` in the transcript's own words, or ``None`` when it was not said there."""
    target = [lemma(w) for w in words(phrase)]
    surface = [w.strip('.,!?;:"()[]-\'') for w in transcript.split()]
    surface = [w for w in surface if words(w)]
    norm = [lemma(words(w)[0]) if len(words(w)) == 1 else " ".join(words(w)) for w in surface]
    n = len(target)
    if n == 0:
        return None
    for i in range(len(norm) - n + 1):
        if norm[i : i + n] == target:
            span = surface[i : i + n]
            lo, hi = _trim_stopwords(span, [w.lower() for w in span])
            span = span[lo:hi]
            if not span or len(span) > MAX_PHRASE_WORDS or not is_content(" ".join(span)):
                return None
            return " ".join(_display(w, i + lo + k == 0) for k, w in enumerate(span))
    return None


def _display(word: str, sentence_start: bool) -> str:
    if word.isupper() and len(word) > 1:
        return word  # an acronym
    if word[:1].isupper() and not sentence_start:
        return word  # a name said mid-sentence
    return word.lower()


def ground_all(candidates: list[str], transcript: str) -> tuple[list[str], list[str]]:
    """(grounded phrases without duplicates, rejected candidates)."""
    kept: list[str] = []
    seen: set[tuple[str, ...]] = set()
    rejected: list[str] = []
    for cand in candidates:
        g = ground(cand, transcript)
        if g is None:
            rejected.append(cand)
            continue
        key = key_words(g)
        if key not in seen:
            seen.add(key)
            kept.append(g)
    return kept[:MAX_CONCEPTS], rejected


def drop_variants(phrases: list[str]) -> list[str]:
    """Keep the longest of phrases that end in the same words ("apple tree" over "tree")."""
    keys = [key_words(p) for p in phrases]
    keep = []
    for i, k in enumerate(keys):
        longer = any(
            j != i and len(o) > len(k) and o[len(o) - len(k):] == k for j, o in enumerate(keys)
        )
        if not longer:
            keep.append(phrases[i])
    return keep


def _referent(said: str, recent: list[str]) -> str | None:
    """The one recent concept whose phrase ends in ``said`` and is longer, if exactly one."""
    k = key_words(said)
    found = {
        phrase_key(r): r for r in recent
        if len(key_words(r)) > len(k) and key_words(r)[len(key_words(r)) - len(k):] == k
    }
    return next(iter(found.values())) if len(found) == 1 else None


def named_later(earlier: list[str], later: list[str]) -> dict[str, str]:
    """{an earlier phrase: the one longer phrase of ``later`` that ends in it}: "the cake",
    then "a volcano cake" in the next sentence of the same stretch of speech."""
    out = {}
    for said in earlier:
        longer = _referent(said, later)
        if longer is not None:
            out[said] = longer
    return out


def _specialized(said: str, known: list[str]) -> str | None:
    """The one known phrase of two or more words that ``said`` ends in, if exactly one."""
    k = key_words(said)
    found = {
        phrase_key(c): c for c in known
        if len(key_words(c)) < len(k) and k[len(k) - len(key_words(c)):] == key_words(c)
    }
    return next(iter(found.values())) if len(found) == 1 else None


class LlmExtractor:
    """Asks a primed :class:`~fhud_app.concepts.llm.ConceptLlm` which noun phrases to name.

    Streaming use: :meth:`start` when an utterance opens, :meth:`feed` each final word as it
    arrives (prefilled once the utterance needs the model), :meth:`finish` when it is cut.  :meth:`extract` does all three.
    ``known`` (set by the worker) returns the spellings of the concepts in the field.
    """

    OPEN = "\nText:"
    CUE = "\nPhrases:"

    def __init__(
        self,
        llm: Any,
        tagger: Any = None,
        *,
        max_new_tokens: int = 24,
        max_phrases: int = STOP_AFTER,
        context_tokens: int = CONTEXT_TOKENS,
    ) -> None:
        from fhud_app.concepts.pos import shared_tagger

        self.llm = llm
        self.tagger = tagger or shared_tagger()
        self.max_new_tokens = max_new_tokens
        self.max_phrases = max_phrases
        self.context_tokens = context_tokens
        self.known: Callable[[], list[str]] = lambda: []
        self.name = f"llm:{llm.name}"
        # Every request opens with OPEN: it is part of the primed prefix, so starting the next
        # utterance costs no forward step (the same tokens as feeding it per request).
        llm.prime(FEW_SHOT, llm.prefix_cache_file(), tail=self.OPEN)
        self._session: Any = None
        self._words: list[str] = []  # the words of the open utterance
        self._context: Any = None  # the session of the previous request, to continue
        self._recent: deque[list[str]] = deque(maxlen=RECENT)  # phrases of the last utterances
        self._sep = llm.encode(",")[0]
        release_heap()  # what loading the tagger and priming left behind

    def reset(self) -> None:
        """Forget the context (a new session of speech, or a revised utterance)."""
        self._session = self._context = None
        self._words = []
        self._recent.clear()

    def start(self) -> None:
        """A new utterance opens (the words of an unfinished one are dropped)."""
        self._session = None
        self._words = []

    def feed(self, text: str) -> None:
        """More words (one or several).  The model sees the words only once the utterance names
        more than ``DIRECT_IDEAS`` things (checked on the words so far); until then nothing is
        prefilled, as most utterances need no model at all.  Several words are one prefill."""
        new = strip_control_text(text).split()
        if not new:
            return
        self._words += new
        if self._session is not None:
            self._session.feed(" " + " ".join(new))
        elif len(self._words) > DIRECT_IDEAS and len(self._ideas(" ".join(self._words))[0]) > DIRECT_IDEAS:
            self._open(self._words)

    def _open(self, words: list[str]) -> Any:
        """The session for this utterance, continuing the context, with ``words`` fed (one prefill)."""
        ctx, self._context = self._context, None
        if ctx is not None and ctx.tokens < self.context_tokens:
            ctx.feed("\n")
            ctx.feed(self.OPEN)
            self._session = ctx
        else:
            self._session = self.llm.session()
        if words:
            self._session.feed(" " + " ".join(words))
        return self._session

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction:
        """The concepts of ``utterance`` (the words fed since :meth:`start`)."""
        transcript = strip_control_text(utterance)
        session, self._session, fed = self._session, None, len(self._words)
        self._words = []
        ideas, aliases = self._ideas(transcript)
        if len(ideas) <= DIRECT_IDEAS:  # no choice to make: no model step at all
            phrases = list(ideas)
            self._recent.append(phrases)
            return Extraction(phrases, "", 0, aliases=aliases)
        if session is None or not fed:
            session = self._open(transcript.split())
            self._session = None
        names = self._names(ideas, transcript)
        session.feed(self.CUE)
        trie = build_trie(names, self.llm.encode, self._sep,
                          self.llm._newline_ids | self.llm._eos_ids, max_phrases=self.max_phrases)
        done = session.generate(trie.allowed, max_new_tokens=self.max_new_tokens,
                                cancelled=cancelled or (lambda: False))
        phrases = trie.phrases(done.ids)[:MAX_CONCEPTS]
        if done.stopped != "cancelled":
            self._context = session
            self._recent.append(phrases)
        return Extraction(phrases, done.text, done.prompt_tokens, done.new_tokens, done.seconds,
                          aliases={p: aliases[p] for p in phrases if p in aliases})

    def _ideas(self, transcript: str) -> tuple[dict[str, list[str]], dict[str, str]]:
        """({concept name: the ways it was said}, {name: the words said when they differ}).

        One idea per head noun said; its name is the longest phrase ending in it ("bottom
        bracket tool" for "tool", "bracket tool" too).  A phrase the field already has keeps
        the field's spelling, and a bare head or shorter phrase that ends a concept named in
        the last utterances is that concept ("the garden" after "vegetable garden").
        """
        if not transcript or english_share(transcript) < MIN_ENGLISH:
            return {}, {}
        field = {phrase_key(k): k for k in self.known()}
        recent = list(dict.fromkeys(q for group in self._recent for q in group))
        runs: dict[str, list[str]] = {}
        for p in self.tagger.candidates(transcript):
            runs.setdefault(lemma(p.head) + f"@{p.end}", []).append(p.text)
        longer_here = [said[0] for said in runs.values() if len(key_words(said[0])) > 1]
        specific = [k for k in [*field.values(), *recent] if len(key_words(k)) > 1]
        ideas: dict[str, list[str]] = {}
        aliases: dict[str, str] = {}
        for said in runs.values():
            name = field.get(phrase_key(said[0])) or (
                _referent(said[0], longer_here)  # "the cake ... a volcano cake"
                or _referent(said[0], recent)  # "the garden" after "vegetable garden"
                or _specialized(said[0], specific)  # "total market index fund" after "index fund"
                or said[0]
            )
            if name != said[0]:
                aliases[name] = said[0]
            spells = ideas.setdefault(name, [])
            spells += [s for s in (name, *said) if s not in spells]
        return ideas, aliases

    def _names(self, ideas: dict[str, list[str]], transcript: str) -> dict[str, list[str]]:
        """{concept name: spellings} the model may choose from."""
        names = {n: list(dict.fromkeys([*sp, *(x.lower() for x in sp)])) for n, sp in ideas.items()}
        if REFERRING & set(words(transcript)):  # "it", "they": a recent concept may be meant
            for earlier in (q for group in list(self._recent)[-REFERRED:] for q in group):
                names.setdefault(earlier, [earlier])
        return names

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction:
        self.start()
        self.feed(utterance)
        return self.finish(utterance, cancelled)
