"""Grounded concept extraction: the LLM proposes phrases, only phrases said in the transcript survive.

Two layers keep the output grounded.  Decoding is constrained to the tokens of the transcript
(:meth:`ConceptLlm.allowed_ids`), and every proposed phrase must then occur as a run of words of
the utterance or its context, up to case, punctuation, leading determiners and plural/singular
(:func:`ground`).  What survives is reported in the transcript's own spelling.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from fhud_app.concepts.llm import strip_control_text
from fhud_app.store.normalize import STOPWORDS, is_content, stem, words

log = logging.getLogger(__name__)

MAX_PHRASE_WORDS = 4
MAX_CONCEPTS = 6
STOP_AFTER = 4  # phrases; each costs ~3 decode steps

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


class Extractor(Protocol):
    name: str

    def start(self) -> None: ...

    def feed(self, text: str) -> None: ...

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction: ...

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
    target = [stem(w) for w in words(phrase)]
    surface = [w.strip('.,!?;:"()[]-\'') for w in transcript.split()]
    surface = [w for w in surface if words(w)]
    norm = [stem(words(w)[0]) if len(words(w)) == 1 else " ".join(words(w)) for w in surface]
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
        key = tuple(stem(w) for w in words(g))
        if key not in seen:
            seen.add(key)
            kept.append(g)
    return kept[:MAX_CONCEPTS], rejected


class LlmExtractor:
    """Asks a primed :class:`~fhud_app.concepts.llm.ConceptLlm` for the phrases of an utterance.

    Streaming use: :meth:`start` when an utterance opens, :meth:`feed` each final word as it
    arrives (prefilled at once), :meth:`finish` when it is cut.  :meth:`extract` does all three.
    """

    OPEN = "\nText:"
    CUE = "\nPhrases:"

    def __init__(self, llm: Any, *, max_new_tokens: int = 24) -> None:
        self.llm = llm
        self.max_new_tokens = max_new_tokens
        self.name = f"llm:{llm.name}"
        # Every request opens with OPEN: it is part of the primed prefix, so starting the next
        # utterance costs no forward step (the same tokens as feeding it per request).
        llm.prime(FEW_SHOT, llm.prefix_cache_file(), tail=self.OPEN)
        self._session: Any = None

    def start(self) -> None:
        self._session = self.llm.session()

    def feed(self, text: str) -> None:
        if self._session is None:
            self.start()
        self._session.feed(" " + strip_control_text(text))

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction:
        """The phrases of ``utterance`` (the words fed since :meth:`start`)."""
        if self._session is None:
            self.start()
            self._session.feed(" " + strip_control_text(utterance))
        session, self._session = self._session, None
        session.feed(self.CUE)
        transcript = strip_control_text(utterance)
        done = session.generate(
            self.llm.allowed_ids([transcript]),
            max_new_tokens=self.max_new_tokens,
            cancelled=cancelled or (lambda: False),
            stop=_enough,
        )
        phrases, rejected = ground_all(split_output(done.text), transcript)
        if rejected:
            log.debug("dropped ungrounded phrases %s", rejected)
        return Extraction(
            phrases, done.text, done.prompt_tokens, done.new_tokens, done.seconds, rejected
        )

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction:
        self.start()
        self.feed(utterance)
        return self.finish(utterance, cancelled)


def _enough(text: str) -> bool:
    """Stop decoding once a phrase repeats, a sentence ends, or enough phrases are out."""
    parts = [p.strip().lower() for p in text.split(",")]
    done = [p for p in parts[:-1] if p]
    return len(done) >= STOP_AFTER or len(set(done)) < len(done) or "." in text
