"""The streaming Whisper's commit policy: which decoded words become final, in which
utterance, and how an utterance's second pass revises them (pure; no model).

:class:`~fhud_app.asr.whisper_engine.WhisperEngine` decodes; every decode becomes a
:class:`Decode` (its kind, the audio fed, its words, and what the VAD knew) and goes
through :meth:`CommitPolicy.apply`.  ``bench/asr_replay.py`` replays recorded decodes
through the same class, so a policy is compared on identical decodes.

- ``hop``: a decode inside an utterance.  Words two successive decodes agree on are final
  (LocalAgreement-2; three for a word Whisper is unsure of); a word ending within
  ``edge_s`` of the audio's end stays a draft.
- ``force``: the window grew too long without agreement: what ends a hop before now is final.
  A ``hop`` is taken as one when the oldest word still unagreed ended ``max_wait_s`` before
  the audio's end: two readings that keep trading places hold no word longer than that.
- ``utterance`` / ``flush``: a pause (or the end of the stream): everything left is final.
- ``pass``: the whole utterance decoded again at its end.  Where it differs from the
  utterance's final words, the surer reading of each stretch (:func:`surer_reading`) goes
  out as one :class:`~fhud_app.asr.base.Revision` of the utterance; then the utterance is
  closed (``EngineUpdate.ended``).

A word the VAD heard no speech under (a filler Whisper writes into a pause) is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from fhud_app.asr.agreement import Agreement, drop_squeezed_repeat, norm
from fhud_app.asr.base import EngineUpdate, Revision, Word

EDGE_S = 0.1  # words ending this close to the window's end are not yet agreed on
HEARD_SLACK_S = 0.1  # Whisper's word times are this loose around the speech the VAD found
MIN_HEARD_S = 0.04  # a word needs this much speech under it (Silero frames are 32 ms)
UNSURE = 0.5  # a word Whisper gave less probability needs a third agreeing decode
MAX_WAIT_S = 3.0  # a word unagreed this long after it was spoken is final (the pass revises)


@dataclass(frozen=True)
class Decode:
    kind: str  # "hop" | "force" | "utterance" | "flush" | "pass"
    now: float  # audio seconds fed when it was made
    words: tuple[Word, ...] | None  # None (flush only): the newest hypothesis stands
    speech: tuple[tuple[float, float], ...] = ()  # VAD speech segments over the window
    heard_to: float = float("-inf")  # the VAD had classified the audio up to here (-inf: no VAD)
    utterance: int = 0  # a deferred ``pass``: the utterance it revises (0: the one closing now)

    def to_json(self) -> dict[str, Any]:
        words = None if self.words is None else [[w.text, w.start, w.end, w.confidence] for w in self.words]
        out = {"kind": self.kind, "now": self.now, "words": words,
               "speech": [list(s) for s in self.speech], "heard_to": self.heard_to}  # fmt: skip
        return out | ({"utterance": self.utterance} if self.utterance else {})

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Decode:
        raw = d.get("words")
        words = None if raw is None else tuple(Word(str(t), float(a), float(b), float(p)) for t, a, b, p in raw)
        speech = tuple((float(a), float(b)) for a, b in d.get("speech") or ())
        # A log without VAD information keeps every word (-inf: none was classified).
        return cls(str(d["kind"]), float(d["now"]), words, speech, float(d.get("heard_to", "-inf")),
                   int(d.get("utterance", 0)))  # fmt: skip


def heard(words: Sequence[Word], speech: Sequence[tuple[float, float]], heard_to: float) -> list[Word]:
    """The words with speech under them (or too recent for the VAD to say)."""
    out = []
    for w in words:
        if w.end > heard_to:
            out.append(w)
            continue
        a, b = w.start - HEARD_SLACK_S, w.end + HEARD_SLACK_S
        if sum(max(0.0, min(b, s1) - max(a, s0)) for s0, s1 in speech) >= MIN_HEARD_S:
            out.append(w)
    return out


def surer_reading(committed: Sequence[Word], again: Sequence[Word]) -> list[Word]:
    """The utterance as the person should read it: where the second pass and the committed
    words differ, the reading Whisper was surer of.

    The two are aligned word by word; a stretch the pass reads otherwise is taken when its
    mean probability is at least the committed stretch's, a word only the pass heard is
    added when it is not ``UNSURE``, and a word only the stream heard is dropped when it was.
    (Replacing the utterance wholesale by the pass, measured on the natural corpus, revised
    4.6 % of the committed words and gave a final WER 1.06x batch: the pass is one decode,
    and where it is less sure than the stream's agreed words it is as often wrong.)
    """
    a, b = [norm(w.text) for w in committed], [norm(w.text) for w in again]
    out: list[Word] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        old, new = list(committed[i1:i2]), list(again[j1:j2])
        if op == "equal":
            out += old
        elif op == "insert":
            out += new if _sure(new) >= UNSURE else []
        elif op == "delete":
            out += [] if _sure(old) < UNSURE else old
        else:
            out += new if _sure(new) + 1e-9 >= _sure(old) else old  # a tie goes to the pass
    return out


def _sure(words: Sequence[Word]) -> float:
    return sum(w.confidence for w in words) / len(words)


class CommitPolicy:
    """Which words are final.  With ``defer`` the second pass runs beside the stream: an
    utterance is handed over (``handed``) at its end, the next one opens at once, and its
    ``pass`` decode (naming the utterance) revises and closes it whenever it comes."""

    def __init__(
        self, votes: int = 2, edge_s: float = EDGE_S, hop_s: float = 0.8, unsure: float = UNSURE,
        defer: bool = False, max_wait_s: float = MAX_WAIT_S,
    ) -> None:  # fmt: skip
        self.agree = Agreement(votes, unsure)
        self.edge_s = edge_s
        self.hop_s = hop_s
        self.defer = defer
        self.max_wait_s = max_wait_s
        self.utterance = 1  # the open utterance's id
        self.words: list[Word] = []  # its final words
        self.closing = False  # its words are all final; its pass is due
        self.handed: int | None = None  # deferred: the utterance the last end handed over
        self.passing: dict[int, list[Word]] = {}  # deferred: handed-over utterances' words

    def apply(self, d: Decode) -> EngineUpdate:
        if d.kind == "pass":
            return self.revise(d) if d.utterance else self.close(d)
        hyp = None if d.words is None else heard(d.words, d.speech, d.heard_to)
        if d.kind in ("utterance", "flush"):
            final = self.agree.finish(hyp)
            self.closing = True
        elif d.kind in ("hop", "force"):
            force = d.now - self.hop_s if d.kind == "force" or self._overdue(d.now) else None
            final = self.agree.update(hyp or [], d.now, self.edge_s, force)
        else:
            raise ValueError(f"unknown decode kind {d.kind!r}")
        final = [replace(w, utterance=self.utterance) for w in final]
        self.words += final
        if self.closing and self.defer:
            self.handed = self._hand_over()
        return EngineUpdate(final, self.agree.draft, draft_end=self.draft_end)

    def _overdue(self, now: float) -> bool:
        """The oldest unagreed word was spoken ``max_wait_s`` ago (a 15 s window held words
        that long: measured 13-18 s in an hour's soak)."""
        pending = self.agree.pending
        return bool(pending) and pending[0].end < now - self.max_wait_s

    def _hand_over(self) -> int:
        """The open utterance waits for its pass; the next one opens."""
        uid, self.passing[self.utterance] = self.utterance, self.words
        self.utterance += 1
        self.words, self.closing = [], False
        return uid

    def close(self, d: Decode | None = None) -> EngineUpdate:
        """Close the open utterance; ``d`` (a ``pass`` decode) revises its words first."""
        uid = self._hand_over()
        update = self._revised(uid, self.passing.pop(uid), d)
        if not update.ended:
            self.utterance = uid  # nothing was said in it: the id is used again
        update.draft, update.draft_end = self.agree.draft, self.draft_end
        return update

    def revise(self, d: Decode) -> EngineUpdate:
        """A deferred ``pass`` decode for the handed-over utterance ``d.utterance``."""
        return self._revised(d.utterance, self.passing.pop(d.utterance, []), d)

    @staticmethod
    def _revised(uid: int, words: list[Word], d: Decode | None) -> EngineUpdate:
        update = EngineUpdate()
        if d is not None and d.words is not None:
            again = [replace(w, utterance=uid) for w in heard(d.words, d.speech, d.heard_to)]
            again = drop_squeezed_repeat([], again, float("-inf"))
            merged = surer_reading(words, again)
            if [norm(w.text) for w in merged] != [norm(w.text) for w in words]:
                update.revisions.append(Revision(uid, tuple(merged)))
                words = merged
        if words or update.revisions:
            update.ended.append(uid)
        return update

    @property
    def draft_end(self) -> float:
        tail = self.agree.pending + self.agree.edge
        return tail[-1].end if tail else 0.0
