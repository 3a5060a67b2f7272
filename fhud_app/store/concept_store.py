"""The concept store (Qt-free): merged, weighted, linked concepts, emitted as ring events.

* A phrase joins the concept with the same :func:`~fhud_app.store.normalize.phrase_key`
  ("the cache", "caches" and "Cache" are one concept; "pruning" and "prune"), and the words
  it was said as are kept as aliases (the extractor names "the garden" after a recent
  "vegetable garden" as that concept, with "garden" as an alias).  Only lemmas merge: "garden"
  and "garden hose", "bank" and "river bank" stay two concepts.
* Each mention remembers the utterance it came from; :meth:`ConceptStore.retract` takes an
  utterance's mentions back when the ASR revised it, and a concept left with no mention
  retires.
* weight = recency-decayed mention count: each mention adds 1, and the sum halves every
  ``half_life_s`` of audio time without a mention.
* Concepts named in the same utterance are linked; a link's strength is the decayed count of
  co-occurrences, with the same half-life.
* At most ``max_concepts`` concepts and ``max_links`` links: the least-weighted concept retires
  (a RETIRE event, its links go with it), the weakest link is forgotten.

Every change is written to the events ring: CONCEPT for each concept mentioned, LINK for each
link strengthened, RETIRE for each concept dropped.  Times are audio seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from fhud_app.core.config import StoreConfig
from fhud_app.core.events import Kind, make_event
from fhud_app.core.ring import Ring
from fhud_app.store.normalize import phrase_key


def decay(value: float, since: float, now: float, half_life_s: float) -> float:
    if half_life_s <= 0 or now <= since:
        return value
    return value * 0.5 ** ((now - since) / half_life_s)


@dataclass
class Concept:
    id: int
    key: str
    first_seen: float
    last_seen: float
    mentions: int = 0
    raw_weight: float = 0.0  # as of last_seen
    forms: Counter = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)  # other words it was said as
    by_utterance: dict[int, float] = field(default_factory=dict)  # utterance id → said at

    @property
    def text(self) -> str:
        """The spelling used most often (the most recent one on a tie).

        A capital that only starts a sentence ("Memory works…") votes for the
        lower-case spelling once that spelling has been heard too.
        """
        votes: Counter = Counter()
        for form, n in self.forms.items():
            lowered = form[:1].lower() + form[1:]
            votes[lowered if lowered in self.forms else form] += n
        best = max(votes.values())
        return next(f for f in reversed(list(self.forms)) if votes.get(f) == best)

    def weight(self, now: float, half_life_s: float) -> float:
        return decay(self.raw_weight, self.last_seen, now, half_life_s)


@dataclass
class Link:
    a: int
    b: int
    raw_strength: float
    last_seen: float

    def strength(self, now: float, half_life_s: float) -> float:
        return decay(self.raw_strength, self.last_seen, now, half_life_s)


class ConceptStore:
    def __init__(self, config: StoreConfig | None = None, events: Ring | None = None) -> None:
        self.config = config or StoreConfig()
        self.events = events
        self._by_key: dict[str, Concept] = {}
        self._by_id: dict[int, Concept] = {}
        self._links: dict[tuple[int, int], Link] = {}
        self._next_id = 1
        self.retired = 0

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, phrase: str) -> Concept | None:
        return self._by_key.get(phrase_key(phrase))

    def concepts(self, now: float | None = None) -> list[Concept]:
        """Every concept, heaviest first (weights as of ``now``, default: latest mention)."""
        t = self._now(now)
        return sorted(self._by_id.values(), key=lambda c: -c.weight(t, self.config.half_life_s))

    def links(self) -> list[Link]:
        return list(self._links.values())

    def link(self, a: str, b: str) -> Link | None:
        ca, cb = self.get(a), self.get(b)
        if ca is None or cb is None:
            return None
        return self._links.get((min(ca.id, cb.id), max(ca.id, cb.id)))

    def _now(self, now: float | None) -> float:
        if now is not None:
            return now
        return max((c.last_seen for c in self._by_id.values()), default=0.0)

    # ------------------------------------------------------------------ updates
    def add(
        self,
        phrases: list[str],
        now: float,
        *,
        emitted_at: float | None = None,
        utterance: int | None = None,
        aliases: dict[str, str] | None = None,
    ) -> list[int]:
        """Record one utterance's phrases said at audio time ``now``; returns their concept ids.

        ``aliases`` maps a phrase to the words it was said as, when they differ.
        """
        ids: list[int] = []
        for phrase in phrases:
            key = phrase_key(phrase)
            if not key:
                continue
            concept = self._by_key.get(key) or self._create(key, now, protect=ids)
            concept.forms[phrase] += 1
            said = (aliases or {}).get(phrase)
            if said and phrase_key(said) != key:
                concept.aliases.add(said)
            if concept.id in ids:
                continue
            hl = self.config.half_life_s
            concept.raw_weight = concept.weight(now, hl) + 1.0
            concept.last_seen = now
            concept.mentions += 1
            if utterance is not None:
                concept.by_utterance[utterance] = now
            ids.append(concept.id)
        at = now if emitted_at is None else emitted_at
        for cid in ids:
            self._emit_concept(self._by_id[cid], now, at)
        self._link_all(ids, now)
        return ids

    def replace(
        self,
        utterance: int,
        phrases: list[str],
        now: float,
        *,
        emitted_at: float | None = None,
        aliases: dict[str, str] | None = None,
    ) -> list[int]:
        """``utterance`` was revised and now names ``phrases``: the concepts it no longer names
        lose its mention (and retire when it was their only one), the new ones are added, the
        ones it still names are left as they are.  Returns the retired ids."""
        keys = {phrase_key(p) for p in phrases}
        had = {c.key for c in self._by_id.values() if utterance in c.by_utterance}
        retired = self.retract(utterance, now, emitted_at=emitted_at, keep=keys)
        new = [p for p in phrases if phrase_key(p) not in had]
        if new:
            self.add(new, now, emitted_at=emitted_at, utterance=utterance, aliases=aliases)
        return retired

    def retract(
        self,
        utterance: int,
        now: float,
        *,
        emitted_at: float | None = None,
        keep: set[str] | frozenset[str] = frozenset(),
    ) -> list[int]:
        """Take back the mentions that came from ``utterance`` (the ASR revised it).

        A concept left with no mention retires (a RETIRE event); the others lose the weight of
        those mentions.  Concepts whose key is in ``keep`` are left alone.  Returns the retired
        ids.
        """
        retired: list[int] = []
        hl = self.config.half_life_s
        at = now if emitted_at is None else emitted_at
        named = [c for c in self._by_id.values() if utterance in c.by_utterance and c.key not in keep]
        for concept in named:
            said_at = concept.by_utterance.pop(utterance)
            concept.mentions -= 1
            if concept.mentions <= 0:
                self._retire(concept)
                retired.append(concept.id)
                continue
            now = max(now, concept.last_seen)
            weight = concept.weight(now, hl) - decay(1.0, said_at, now, hl)
            concept.raw_weight, concept.last_seen = max(0.0, weight), now
            self._emit_concept(concept, now, at)
        return retired

    def _create(self, key: str, now: float, protect: list[int]) -> Concept:
        while len(self._by_id) >= self.config.max_concepts:
            self._retire_lightest(now, protect)
        concept = Concept(self._next_id, key, first_seen=now, last_seen=now)
        self._next_id += 1
        self._by_key[key] = concept
        self._by_id[concept.id] = concept
        return concept

    def _retire_lightest(self, now: float, protect: list[int]) -> None:
        hl = self.config.half_life_s
        candidates = [c for c in self._by_id.values() if c.id not in protect]
        self._retire(min(candidates, key=lambda c: (c.weight(now, hl), c.last_seen)))

    def _retire(self, victim: Concept) -> None:
        del self._by_id[victim.id]
        del self._by_key[victim.key]
        for pair in [p for p in self._links if victim.id in p]:
            del self._links[pair]
        self.retired += 1
        self._write(make_event(Kind.RETIRE, id=victim.id, text=victim.text, wall=time.monotonic()))

    def _link_all(self, ids: list[int], now: float) -> None:
        hl = self.config.half_life_s
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pair = (min(a, b), max(a, b))
                link = self._links.get(pair)
                if link is None:
                    link = self._links[pair] = Link(pair[0], pair[1], 0.0, now)
                link.raw_strength = link.strength(now, hl) + 1.0
                link.last_seen = now
                self._write(
                    make_event(
                        Kind.LINK,
                        a=pair[0],
                        b=pair[1],
                        value=link.raw_strength,
                        wall=time.monotonic(),
                    )
                )
        self._bound_links(now)

    def _bound_links(self, now: float) -> None:
        hl = self.config.half_life_s
        excess = len(self._links) - self.config.max_links
        if excess > 0:
            weakest = sorted(self._links.items(), key=lambda kv: kv[1].strength(now, hl))
            for pair, _link in weakest[:excess]:
                del self._links[pair]

    def _emit_concept(self, c: Concept, now: float, emitted_at: float) -> None:
        self._write(
            make_event(
                Kind.CONCEPT,
                id=c.id,
                text=c.text,
                value=c.weight(now, self.config.half_life_s),
                count=c.mentions,
                start=c.first_seen,
                end=c.last_seen,
                emitted_at=emitted_at,
                wall=time.monotonic(),
            )
        )

    def _write(self, record: object) -> None:
        if self.events is not None:
            self.events.write(record)  # type: ignore[arg-type]
