"""The concept stage's work, Qt-free: cut the final words into utterances, extract their
concepts, hand them to the :class:`~fhud_app.store.concept_store.ConceptStore`, and redo an
extraction when the ASR revises its words.  :class:`~fhud_app.concepts.worker.ConceptWorker`
owns the thread and the model's load and drives it with the records it reads.

When utterances pile up faster than they can be extracted they are merged (up to
``context_words`` words); the newest merged group goes to the model, the older ones get the
quick keyword extraction (noun phrases ranked by YAKE, no model step), counted as ``skipped``;
a file run (``live=False``) gives every utterance to the model.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from fhud_app.concepts.extractor import Extraction, Extractor, named_later
from fhud_app.concepts.utterances import (
    Ledger,
    Merged,
    Utterance,
    UtteranceCutter,
    Word,
    merge_utterances,
    new_ideas,
    revise_holders,
)
from fhud_app.core.config import Config
from fhud_app.core.events import Kind, decode_text
from fhud_app.store.concept_store import ConceptStore

log = logging.getLogger(__name__)


class ConceptStage:
    """Words (and revisions, utterance ends) in; concepts into the store."""

    def __init__(
        self, config: Config, store: ConceptStore, *, live: bool, warn: Callable[[str], None],
        stopped: Callable[[], bool],
    ) -> None:  # fmt: skip
        self.store = store
        self.live = live  # skip to the newest when behind (a file run extracts everything)
        self.warn = warn  # one line for the person
        self.stopped = stopped  # the worker was asked to stop
        self.context_words = config.llm.context_words
        self.cutter = UtteranceCutter(config.llm.utterance_pause_s, config.llm.context_words)
        self.extractor: Extractor | None = None
        self.extractor_name = ""
        self.latencies: deque[float] = deque(maxlen=2000)
        self.skipped = 0
        self.utterances = 0
        self.extractions = 0
        self.failures = 0
        self.keyword_fallbacks = 0  # utterances extracted by YAKE because the model failed
        self._failing = False  # the model failed and has not worked since (said once)
        self._keywords: Any = None  # YAKE: groups left behind, utterances the model failed on
        self.tokens_in: deque[int] = deque(maxlen=2000)  # prompt tokens per LLM extraction
        self.tokens_out: deque[int] = deque(maxlen=2000)  # generated tokens per LLM extraction
        self.last_audio_s = 0.0
        self._fed_words = 0  # words of the open utterance already fed to the extractor
        self.ledger = Ledger()  # the words of recent extractions, to redo them when revised
        self._keys = 0  # extraction keys (the store remembers which mention came from which)
        self._revision: tuple[int, list[Word]] | None = None  # a revision being read
        self.revisions = 0
        self.redone = 0  # extractions done again because a revision changed their words
        self.folded = 0  # bare heads renamed after the phrase the next sentence said
        self._last: tuple[int, int, list[str], dict[str, str]] | None = None  # key, ASR utterance, phrases, aliases

    def attach(self, extractor: Extractor) -> None:
        """Use ``extractor``; it spells what the field already has as the field does."""
        self.extractor = extractor
        self.extractor_name = extractor.name
        extractor.known = self.known

    def known(self) -> list[str]:
        return [c.text for c in self.store.concepts()]

    def take(self, recs: np.ndarray) -> list[Utterance]:
        closed: list[Utterance] = []
        for rec in recs:
            kind = int(rec["kind"])
            if kind == Kind.REVISION:
                self._take_revision(rec, closed)
                continue
            if kind == Kind.UTTERANCE:  # the ASR closed it: no word of it follows
                ended = self.cutter.asr_ended(int(rec["id"]))
                closed += [ended] if ended is not None else []
                continue
            if kind != Kind.WORD:
                continue
            self.last_audio_s = max(self.last_audio_s, float(rec["emitted_at"]))
            word = Word(
                decode_text(rec["text"]),
                float(rec["start"]),
                float(rec["end"]),
                float(rec["wall"]),
                float(rec["emitted_at"]),
                int(rec["id"]),
            )
            for utt in self.cutter.add(word):
                closed.append(utt)
                if len(closed) == 1:
                    self._fed_words = min(self._fed_words, len(utt.words))
        return closed

    def _take_revision(self, rec: np.void, closed: list[Utterance]) -> None:
        """Collect the records of one revision (written together, maybe read in two parts)."""
        utt, index, count = int(rec["id"]), int(rec["a"]), int(rec["count"])
        if index == 0 or self._revision is None or self._revision[0] != utt:
            self._revision = (utt, [])
        if count:
            self._revision[1].append(Word(
                decode_text(rec["text"]), float(rec["start"]), float(rec["end"]),
                float(rec["wall"]), float(rec["emitted_at"]), utt,
            ))
        if index + 1 >= count:
            words, self._revision = self._revision[1], None
            self._revise(utt, words, closed)

    def _revise(self, utterance: int, words: list[Word], closed: list[Utterance]) -> None:
        """The ASR replaced ``utterance``'s words.  Each holder of them (recent extractions,
        ``closed`` utterances not extracted yet, the open one) takes its share of the new
        words; an extraction whose words changed is done again, and a concept only its old
        words named retires (:meth:`ConceptStore.replace`)."""
        changed, open_changed = revise_holders(utterance, words, self.ledger, closed, self.cutter)
        # The model chose among the utterance's noun phrases: where the revision left them as
        # they were (a verb or a filler changed), its choice stands and nothing is redone.
        redo = [(key, new) for key, old, new in changed if new_ideas(old, new)]
        self.revisions, self.redone = self.revisions + 1, self.redone + len(redo)
        try:
            for key, new_words in redo:
                text = " ".join(w.text for w in new_words)
                result = self.extractor.extract(text) if new_words else Extraction([])
                now = max((w.end for w in new_words), default=self.last_audio_s)
                self.store.replace(key, result.phrases, now, emitted_at=self.last_audio_s,
                                   aliases=result.aliases)
            if redo or open_changed:  # the open utterance is fed again from its first word
                self._fed_words = 0
                self.extractor.start()
        except Exception as exc:
            log.exception("concept extraction of a revised utterance failed")
            self._extraction_failed(exc)

    def process(self, closed: list[Utterance], idle: Callable[[], bool] = lambda: True) -> None:
        """Extract the ``closed`` utterances; then, if ``idle()`` (no word waiting), prefill
        the open one."""
        if closed:
            self.utterances += len(closed)
            if self.live:  # behind: merge what fits; older groups get the quick extraction
                groups = merge_utterances(closed, self.context_words)
                for group in groups[:-1]:
                    self._quick(group)
                self.skipped += sum(len(g.parts) for g in groups[:-1])
                if len(groups) > 1:
                    self._fed_words = 0  # the fed words belonged to an older group
                groups = groups[-1:]
            else:  # a file run extracts every utterance
                groups = [Merged([u]) for u in closed]
            for i, group in enumerate(groups):
                if self.stopped():
                    return
                self._extract(group, fed=self._fed_words if i == 0 else 0)
            self._fed_words = 0
            self._start_next()
        if not self.stopped() and idle():
            self._feed_open()

    def _start_next(self) -> None:
        try:
            self.extractor.start()
        except Exception as exc:
            log.exception("concept extraction failed")
            self._extraction_failed(exc)

    def _feed_open(self) -> None:
        """Prefill the words of the open utterance that the extractor has not seen yet."""
        words = self.cutter.open.words
        try:
            if self._fed_words < len(words) and not self.stopped():
                self.extractor.feed(" ".join(w.text for w in words[self._fed_words :]))  # one prefill
                self._fed_words = len(words)
        except Exception as exc:
            log.exception("concept extraction failed")
            self._extraction_failed(exc)

    def _extract(self, group: Merged, fed: int) -> None:
        t0 = time.monotonic()
        try:
            if fed == 0 or fed > len(group.words):
                self.extractor.start()
                fed = 0
            t0 = time.monotonic()
            if group.words[fed:]:  # the words not prefilled yet, in one prefill
                self.extractor.feed(" ".join(w.text for w in group.words[fed:]))
            t1 = time.monotonic()
            result = self.extractor.finish(group.text, self.stopped)
        except Exception as exc:  # keywords for this utterance; the next one tries the model again
            log.exception("concept extraction failed")
            self._extraction_failed(exc)
            result = self._keywords_for(group)
            if result is None:
                return
            t1 = time.monotonic()
        else:
            self._failing = False
        self.extractions += 1
        log.info("utterance (%s, %d words, %d fed late in %.2f s): %d+%d tokens, %.2f s after "
                 "its last word → %s", group.parts[-1].reason, len(group.words),
                 len(group.words) - fed, t1 - t0, result.prompt_tokens, result.new_tokens,
                 time.monotonic() - group.last_wall, result.phrases)
        if result.prompt_tokens:
            self.tokens_in.append(result.prompt_tokens)
            self.tokens_out.append(result.new_tokens)
        self._record(group, result)

    def _quick(self, group: Merged) -> None:
        """A group left behind while the model was busy: its noun phrases ranked by YAKE, with
        no model step (~10 ms), so nothing said is lost when the machine is slow."""
        try:
            self._record(group, self._keyword_extractor().extract(group.text))
        except Exception as exc:
            log.exception("quick concept extraction failed")
            self._extraction_failed(exc)

    def _keyword_extractor(self) -> Any:
        if self._keywords is None:
            from fhud_app.concepts.keywords import KeywordExtractor

            self._keywords = KeywordExtractor(tagger=getattr(self.extractor, "tagger", None))
            self._keywords.known = self.known
        return self._keywords

    def _record(self, group: Merged, result: Any) -> None:
        self._keys += 1
        key = self._keys
        self.ledger.record(key, group.words)
        if result.phrases and not self.stopped():
            self.store.add(result.phrases, group.end, emitted_at=self.last_audio_s,
                           utterance=key, aliases=result.aliases)
            self.latencies.append(time.monotonic() - group.last_wall)
            self._fold_previous(group, result.phrases)
        self._last = (key, group.words[-1].utterance, list(result.phrases), dict(result.aliases or {}))

    def _fold_previous(self, group: Merged, phrases: list[str]) -> None:
        renamed = fold_previous(self._last, group, phrases)
        if renamed is not None:
            key, new, said = renamed
            self.folded += len(said)
            self.store.replace(key, new, group.end, emitted_at=self.last_audio_s, aliases=said)

    def _extraction_failed(self, exc: Exception) -> None:
        """Said once per run of failures; the extractor starts afresh for the next utterance."""
        self.failures += 1
        if not self._failing:
            self.warn(f"The concept model failed ({type(exc).__name__}: {str(exc)[:100]}); "
                       "keywords stand in until it works again.")  # fmt: skip
        self._failing = True
        self._fed_words = 0
        try:
            self.extractor.start()
        except Exception:  # the next extraction starts afresh anyway
            log.exception("the extractor could not restart")

    def _keywords_for(self, group: Merged) -> Extraction | None:
        """YAKE over one utterance the model failed on (None if even that fails)."""
        try:
            self.keyword_fallbacks += 1
            return self._keyword_extractor().extract(group.text, self.stopped)
        except Exception:
            log.exception("keyword extraction failed too")
            return None

    def figures(self) -> dict[str, Any]:
        return figures(self)


def fold_previous(
    last: tuple[int, int, list[str], dict[str, str]] | None, group: Merged, phrases: list[str]
) -> tuple[int, list[str], dict[str, str]] | None:
    """The sentence before (``last``: its key, ASR utterance, phrases, aliases), in the same
    stretch of speech (one ASR utterance: no pause between), named a bare head that this one
    names in full ("The cake is the hard part. She wants a volcano cake."): (its key, its
    phrases renamed, {full phrase: the bare words said}) -- that mention becomes the full
    phrase, and a concept it was the only mention of retires.  None: nothing to fold; across
    a pause the two stay apart ("I have to call the bank." … "a picnic on the river bank")."""
    if last is None or not group.words:
        return None
    key, utterance, before, aliases = last
    if utterance == 0 or group.words[0].utterance != utterance:
        return None
    renamed = named_later(before, phrases)
    if not renamed:
        return None
    new = list(dict.fromkeys(renamed.get(p, p) for p in before))
    return key, new, {renamed[p]: aliases.get(p, p) for p in renamed}


def figures(stage: ConceptStage) -> dict[str, Any]:
    """The stage's figures for the overlay, the metrics and the benches."""
    lat = np.asarray(list(stage.latencies), dtype=np.float64)
    return {
        "extractor": stage.extractor_name,
        "latency_p50": float(np.percentile(lat, 50)) if len(lat) else 0.0,
        "latency_p95": float(np.percentile(lat, 95)) if len(lat) else 0.0,
        "skipped": stage.skipped,
        "utterances": stage.utterances,
        "extractions": stage.extractions,
        "failures": stage.failures,
        "keyword_fallbacks": stage.keyword_fallbacks,
        "concepts": len(stage.store),
        "retired": stage.store.retired,
        "revisions": stage.revisions,
        "redone": stage.redone,
        "folded": stage.folded,
        "prompt_tokens_mean": float(np.mean(stage.tokens_in)) if stage.tokens_in else 0.0,
        "new_tokens_mean": float(np.mean(stage.tokens_out)) if stage.tokens_out else 0.0,
    }
