"""The statistical fallback extractor (YAKE): ``--llm none``, and whenever no model can load."""

from __future__ import annotations

from typing import Any

from fhud_app.concepts.extractor import MAX_CONCEPTS, MIN_ENGLISH, Extraction
from fhud_app.concepts.llm import strip_control_text
from fhud_app.store.normalize import english_share, key_words, lemma


def _contains(longer: tuple[str, ...], run: tuple[str, ...]) -> bool:
    n = len(run)
    return n > 0 and any(longer[i : i + n] == run for i in range(len(longer) - n + 1))


class KeywordExtractor:
    """YAKE keyphrases of each utterance, kept only where they are noun phrases said there.

    A keyphrase names the noun phrases inside it ("batteries store energy" → "batteries",
    "energy"), each as the longest noun phrase it is part of ("bracket tool" → "bottom bracket
    tool"), so YAKE, like the model, names one concept per head noun.
    """

    name = "yake"

    def __init__(self, *, max_words: int = 3, top: int = 4, tagger: Any = None) -> None:
        import yake

        from fhud_app.concepts.pos import shared_tagger

        self._yake = yake.KeywordExtractor(lan="en", n=max_words, top=top, dedup_lim=0.7)
        self.top = min(top, MAX_CONCEPTS)
        self.tagger = tagger or shared_tagger()
        self.known: Any = lambda: []

    def start(self) -> None:
        """Nothing to prepare: YAKE reads the whole utterance at the end."""

    def feed(self, text: str) -> None:
        """Nothing to prefill (see :meth:`start`)."""

    def reset(self) -> None:
        """YAKE keeps no context."""

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction:
        return self.extract(utterance, cancelled)

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction:
        transcript = strip_control_text(utterance)
        if not transcript or english_share(transcript) < MIN_ENGLISH:
            return Extraction([])
        name_of: dict[tuple[str, ...], str] = {}  # key of any head-final run → its idea's name
        longest: dict[str, str] = {}
        for p in self.tagger.candidates(transcript):
            idea = f"{lemma(p.head)}@{p.end}"
            longest.setdefault(idea, p.text)
            name_of.setdefault(key_words(p.text), longest[idea])
        found = [kw for kw, _score in self._yake.extract_keywords(transcript)]
        phrases = []  # in YAKE's order: the noun phrases inside each keyphrase, longest first
        for kw in found:
            k = key_words(kw)
            inside = [(len(run), name) for run, name in name_of.items() if _contains(k, run)]
            phrases += [name for _n, name in sorted(inside, reverse=True)]
        kept = list(dict.fromkeys(phrases))[: self.top]
        return Extraction(kept, raw=", ".join(found), rejected=[f for f in found if f not in kept])
