"""The statistical fallback extractor (YAKE): ``--llm none``, and whenever no model can load."""

from __future__ import annotations

from typing import Any

from fhud_app.concepts.extractor import MAX_CONCEPTS, MIN_ENGLISH, Extraction
from fhud_app.concepts.llm import strip_control_text
from fhud_app.store.normalize import english_share, lemma, phrase_key


class KeywordExtractor:
    """YAKE keyphrases of each utterance, kept only where they are noun phrases said there.

    Each kept keyphrase is reported as the longest noun phrase it is part of ("bracket tool"
    → "bottom bracket tool"), so YAKE, like the model, names one concept per head noun.
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
        name_of: dict[str, str] = {}  # key of any head-final run → its longest phrase
        longest: dict[str, str] = {}
        for p in self.tagger.candidates(transcript):
            idea = f"{lemma(p.head)}@{p.end}"
            longest.setdefault(idea, p.text)
            name_of.setdefault(phrase_key(p.text), longest[idea])
        found = [kw for kw, _score in self._yake.extract_keywords(transcript)]
        phrases = [name_of[phrase_key(kw)] for kw in found if phrase_key(kw) in name_of]
        kept = list(dict.fromkeys(phrases))[: self.top]
        return Extraction(kept, raw=", ".join(found), rejected=[f for f in found if f not in kept])
