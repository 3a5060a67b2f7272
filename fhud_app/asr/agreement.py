"""LocalAgreement-n: a word becomes final once n successive hypotheses agree on it (n = 2).

Pure functions over :class:`Word` lists, so the commit policy is testable
without a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fhud_app.asr.base import Word

_PUNCT = re.compile(r"[^\w']+", re.UNICODE)
NEAR_CUT_S = 0.5  # a word ending this close to its decode's audio end may have been cut
MIN_REPEAT = 3  # a repeated run this long or longer, squeezed, is a decoding echo ...
SQUEEZED_S = 0.08  # ... when its words average less than this (speech is 0.15 s a word or more)
KEPT = 32  # final words kept to compare new ones with


def norm(text: str) -> str:
    """The comparison key of a word: lower case, punctuation stripped."""
    return _PUNCT.sub("", text.lower())


def common_prefix(prev: Sequence[Word], new: Sequence[Word]) -> int:
    """How many leading words ``prev`` and ``new`` agree on (by normalized text)."""
    n = 0
    for a, b in zip(prev, new, strict=False):
        if norm(a.text) != norm(b.text):
            break
        n += 1
    return n


def drop_repeated_head(
    committed_tail: Sequence[Word], hyp: Sequence[Word], *, max_n: int = 5, near_s: float = 1.0
) -> list[Word]:
    """Remove from the head of ``hyp`` words that repeat the end of what is committed.

    After the audio window is cut at a committed word, the decoder may hear
    that word again at the start of the window; an n-gram (longest first) at
    the head of ``hyp``, starting within ``near_s`` of the cut, that equals the
    last n committed words is dropped.
    """
    hyp = list(hyp)
    if not committed_tail or not hyp:
        return hyp
    cut = committed_tail[-1].end
    if hyp[0].start > cut + near_s:
        return hyp
    for n in range(min(max_n, len(committed_tail), len(hyp)), 0, -1):
        tail = [norm(w.text) for w in committed_tail[-n:]]
        head = [norm(w.text) for w in hyp[:n]]
        if tail == head:
            return hyp[n:]
    return hyp


def drop_squeezed_repeat(before: Sequence[Word], hyp: Sequence[Word], floor: float) -> list[Word]:
    """Remove from ``hyp`` a run that repeats the words just before it and has no time of
    its own.

    After a long pause Whisper may write a sentence twice, the copy squeezed into the last
    fraction of a second, or timed over words already final (it then lands, clamped, on
    ``floor``: the last final word's end).  Spoken words each take time; a copy whose words
    average under ``SQUEEZED_S`` is an echo of the decoder, not of the speaker.
    """
    hyp = list(hyp)
    seq = [norm(w.text) for w in [*before, *hyp]]
    ends, t = [], floor
    for w in hyp:  # the times the words would be final with
        start = max(w.start, t)
        t = max(start, w.end)
        ends.append((start, t))
    for i in range(len(hyp)):
        j = len(before) + i
        for n in range(min(len(hyp) - i, j), MIN_REPEAT - 1, -1):
            if ends[i + n - 1][1] - ends[i][0] < SQUEEZED_S * n and seq[j - n : j] == seq[j : j + n]:
                return hyp[:i] + drop_squeezed_repeat([*before, *hyp[:i]], hyp[i + n :], ends[i + n - 1][1])
    return hyp


class Agreement:
    """The hypothesis buffer of LocalAgreement-``votes`` (the engine uses 2).

    ``votes`` - 1 earlier hypotheses are kept, each cut to its uncommitted words; a
    word is final when all of them and the new one agree on it and everything before it.
    """

    def __init__(self, votes: int = 2, unsure: float = 0.0) -> None:
        if votes < 1:
            raise ValueError("votes must be at least 1")
        self.votes = votes
        # A word Whisper gave less than this probability (in either hypothesis) needs one
        # more agreeing hypothesis: a word heard cut at the window's end comes out spelled
        # or split ("K -O -3" for "Kyoto"), unsure, and the next decode may repeat it.
        self.unsure = unsure
        self.history: list[list[Word]] = []  # the last votes hypotheses, uncommitted part
        self.prev_now = float("inf")  # the audio end of the newest kept hypothesis
        self.pending: list[Word] = []  # the newest hypothesis, not yet final
        self.edge: list[Word] = []  # the newest decode's words too close to the audio's end
        self.committed: list[Word] = []  # the last few final words (for de-duplication)
        self.committed_end = 0.0

    def _clean(self, hyp: Sequence[Word]) -> list[Word]:
        # A word centred before the last final word's end was heard already
        # (possibly split differently): drop it.
        hyp = [w for w in hyp if norm(w.text) and (w.start + w.end) / 2 > self.committed_end]
        hyp = drop_repeated_head(self.committed, hyp)  # it compares at most its max_n last words
        return drop_squeezed_repeat(self.committed, hyp, self.committed_end)

    def _commit(self, words: Sequence[Word]) -> list[Word]:
        out: list[Word] = []
        for w in words:
            start = max(w.start, self.committed_end)
            w = Word(w.text, start, max(start, w.end), w.confidence)
            out.append(w)
            self.committed_end = w.end
        self.committed = (self.committed + out)[-KEPT:]
        return out

    def insert(self, hyp: Sequence[Word], now: float = float("inf")) -> list[Word]:
        """Add a new hypothesis; returns the words that became final."""
        hyp = self._clean(hyp)
        voters = self.history[-(self.votes - 1) :] if self.votes > 1 else []
        if self.votes == 1:
            n = len(hyp)
        elif len(voters) < self.votes - 1:
            n = 0
        else:
            n = min(common_prefix(h, hyp) for h in voters)
        if self.unsure > 0 and n:
            n = self._sure_prefix(hyp, voters, n)
        final = self._commit(hyp[:n])
        self.pending = hyp[n:]
        # every kept hypothesis agreed on the n words just final
        self.history = [h[n:] for h in [*self.history, hyp]][-self.votes :]
        self.prev_now = now
        return final

    def _sure_prefix(self, hyp: Sequence[Word], voters: Sequence[Sequence[Word]], n: int) -> int:
        """How many of the ``n`` agreed words may be final: an unsure word that the previous
        hypothesis heard near its window's end only when one more (older) one agreed too."""
        older = self.history[-self.votes] if len(self.history) >= self.votes else []
        extra = common_prefix(older, hyp)
        for i in range(n):
            shaky = min([hyp[i].confidence, *(h[i].confidence for h in voters)])
            cut = voters[-1][i].end > self.prev_now - NEAR_CUT_S  # heard at the window's end
            if shaky < self.unsure and cut and extra <= i:
                return i
        return n

    def update(
        self, hyp: Sequence[Word], now_s: float, edge_s: float, force_before: float | None = None
    ) -> list[Word]:
        """A decode inside an utterance; returns the words that became final.

        A word that ends within ``edge_s`` of the audio's end (``now_s``) may be cut
        short: it stays out of the agreement, in the draft, until audio follows it.  With
        ``force_before`` (no agreement for too long) the words ending before it are final.
        """
        n = 0
        while n < len(hyp) and hyp[n].end <= now_s - edge_s:
            n += 1
        stable, self.edge = list(hyp[:n]), list(hyp[n:])
        return self.insert(stable, now_s) if force_before is None else self.commit_before(stable, force_before)

    def finish(self, hyp: Sequence[Word] | None = None) -> list[Word]:
        """End of an utterance or of the stream: finalize ``hyp`` entirely, or without it
        the newest decode as it stands (pending and edge words)."""
        words = self.pending + self.edge if hyp is None else hyp
        self.edge = []
        return self.commit_all(words)

    def commit_all(self, hyp: Sequence[Word] | None = None) -> list[Word]:
        """Finalize a hypothesis entirely (end of an utterance or of the stream)."""
        words = self._clean(self.pending if hyp is None else hyp)
        self.pending, self.history = [], []
        return self._commit(words)

    def commit_before(self, hyp: Sequence[Word], t: float) -> list[Word]:
        """Finalize the words of ``hyp`` that end before ``t`` (the window grew too long)."""
        hyp = self._clean(hyp)
        n = 0
        while n < len(hyp) and hyp[n].end <= t:
            n += 1
        final = self._commit(hyp[:n])
        self.pending = hyp[n:]
        self.history = [self.pending] if self.pending and self.votes > 1 else []
        return final

    def reset(self) -> None:
        """Drop every hypothesis not yet final (the draft empties); what is final stays."""
        self.pending, self.edge, self.history = [], [], []

    @property
    def draft(self) -> str:
        return " ".join(w.text for w in self.pending + self.edge)
