"""The statistical fallback extractor (YAKE): ``--llm none``, and whenever no model can load."""

from __future__ import annotations

from typing import Any

from fhud_app.concepts.extractor import MAX_CONCEPTS, Extraction, ground_all
from fhud_app.concepts.llm import strip_control_text


class KeywordExtractor:
    """YAKE keyphrases of each utterance, passed through the same grounding filter as the LLM's."""

    name = "yake"

    def __init__(self, *, max_words: int = 3, top: int = 4) -> None:
        import yake

        self._yake = yake.KeywordExtractor(lan="en", n=max_words, top=top, dedup_lim=0.7)
        self.top = min(top, MAX_CONCEPTS)

    def start(self) -> None:
        """Nothing to prepare: YAKE reads the whole utterance at the end."""

    def feed(self, text: str) -> None:
        """Nothing to prefill (see :meth:`start`)."""

    def finish(self, utterance: str, cancelled: Any = None) -> Extraction:
        return self.extract(utterance, cancelled)

    def extract(self, utterance: str, cancelled: Any = None) -> Extraction:
        transcript = strip_control_text(utterance)
        if not transcript:
            return Extraction([])
        found = [kw for kw, _score in self._yake.extract_keywords(transcript)]
        phrases, rejected = ground_all(found, transcript)
        return Extraction(phrases[: self.top], raw=", ".join(found), rejected=rejected)
