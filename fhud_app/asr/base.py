"""The interface every streaming ASR engine implements.

An engine is fed 16 kHz mono float32 samples in chunks of any size and keeps
the absolute time itself (samples fed / 16000).  Every timestamp it returns is
in audio seconds since the stream began.

Every final word carries the id of its utterance (1, 2, ... in order).  When an
utterance ends the engine may decode it again; where that differs from the words
it finalized, a :class:`Revision` replaces all of that utterance's words.  Once an
utterance id is in ``EngineUpdate.ended`` no word and no revision for it follows.
Applying the revisions in order to the final words gives the final text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from fhud_app.core.config import SAMPLE_RATE
from fhud_app.core.events import EVENT_DTYPE, Kind, make_event, make_revision


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # audio seconds since the stream began
    end: float
    confidence: float  # 0..1
    utterance: int = 0  # the utterance the word belongs to (engines number them from 1)


@dataclass(frozen=True)
class Revision:
    """All the words of ``utterance`` as they now stand (replaces every earlier one; may be empty)."""

    utterance: int
    words: tuple[Word, ...]


@dataclass
class EngineUpdate:
    final: list[Word] = field(default_factory=list)  # words that became final, in order
    draft: str = ""  # the current unstable tail (replaces the previous draft)
    draft_end: float = 0.0  # the audio seconds the draft's last word reaches
    revisions: list[Revision] = field(default_factory=list)  # applied after ``final``, in order
    ended: list[int] = field(default_factory=list)  # utterances now closed (after ``revisions``)

    def then(self, b: EngineUpdate) -> EngineUpdate:
        """This update and then ``b``, as one (``b``'s draft)."""
        return EngineUpdate(self.final + b.final, b.draft, draft_end=b.draft_end,
                            revisions=self.revisions + b.revisions, ended=self.ended + b.ended)  # fmt: skip


@runtime_checkable
class AsrEngine(Protocol):
    name: str

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        """Take the next samples; return the words that became final and the draft."""
        ...

    def flush(self) -> EngineUpdate:
        """End of stream: finalize everything still pending."""
        ...

    def close(self) -> None:
        """Release the model (called once, on the thread that loaded it)."""
        ...


def seconds(samples: int) -> float:
    return samples / SAMPLE_RATE


def update_records(
    update: EngineUpdate, emitted_at: float, wall: float = 0.0, *, draft: bool = True
) -> np.ndarray:
    """The events of ``update`` in the order a consumer applies them: its final words,
    its revisions, the ends of its utterances, then (with ``draft``) its draft."""
    recs = [
        make_event(Kind.WORD, text=w.text, start=w.start, end=w.end, value=w.confidence,
                   emitted_at=emitted_at, wall=wall, id=w.utterance)
        for w in update.final
    ]  # fmt: skip
    for r in update.revisions:
        words = [(w.text, w.start, w.end, w.confidence) for w in r.words]
        recs.append(make_revision(r.utterance, words, emitted_at=emitted_at, wall=wall))
    recs += [make_event(Kind.UTTERANCE, id=u, emitted_at=emitted_at, wall=wall) for u in update.ended]
    if draft:
        recs.append(make_event(Kind.DRAFT, text=update.draft, end=update.draft_end,
                               emitted_at=emitted_at, wall=wall))  # fmt: skip
    return np.concatenate(recs) if recs else np.zeros(0, EVENT_DTYPE)
