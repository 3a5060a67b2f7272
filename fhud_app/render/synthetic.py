"""Synthetic event streams for the renderer (Qt-free): development, tests, benchmarks.

:func:`recurring_concepts` is also the snapshot's stand-in for the concept
stage: when a pipeline produced words but no concepts, content words said at
least twice become concepts, linked when they occur close together.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import numpy as np

from fhud_app.core.events import EVENT_DTYPE, Kind, decode_text, make_event
from fhud_app.render.caption import normalize

STOPWORDS = set(
    """a about after again all also am an and any are as at be because been before being but by can
    could did do does doing don down during each even every few for from further had has have having
    he her here hers him his how i if in into is it its itself just like make makes me more most my
    no nor not now of off on once only or other our out over own same she should so some something
    such than that the their them then there these they thing things think this those through to too
    under until up very was we were what when where which while who whom why will with would you your
    yours maybe never always somewhere simple keep keeps coming back way gives rest see""".split()
)
WINDOW_S = 6.0  # a concept links to the previous one said within this many seconds


def events_of(*specs: tuple[Kind, dict]) -> np.ndarray:
    return np.concatenate([make_event(k, **kw) for k, kw in specs])


def recurring_concepts(words: np.ndarray, min_count: int = 2, limit: int = 12) -> np.ndarray:
    """CONCEPT/LINK events for content words said ``min_count`` times (timed at the 2nd mention)."""
    words = words[words["kind"] == Kind.WORD]
    keys = [normalize(decode_text(t)) for t in words["text"]]
    times = [float(e if e > 0 else a) for e, a in zip(words["end"], words["emitted_at"], strict=True)]
    counts = Counter(k for k in keys if len(k) > 3 and k not in STOPWORDS)
    chosen = [k for k, n in counts.most_common(limit) if n >= min_count]
    ids = {k: i + 1 for i, k in enumerate(chosen)}
    seen: Counter[str] = Counter()
    born: dict[str, float] = {}
    out: list[np.ndarray] = []
    recent: list[tuple[float, str]] = []
    together: Counter[tuple[int, int]] = Counter()
    for key, t in zip(keys, times, strict=True):
        if key not in ids:
            continue
        seen[key] += 1
        if seen[key] >= min_count:
            born.setdefault(key, t)
            out.append(make_event(Kind.CONCEPT, id=ids[key], text=key, value=float(seen[key]),
                                  count=seen[key], start=born[key], emitted_at=t))
            prev = next((k for t2, k in reversed(recent) if k != key and k in born and t - t2 <= WINDOW_S), None)
            if prev is not None:
                pair = (min(ids[prev], ids[key]), max(ids[prev], ids[key]))
                together[pair] += 1
                strength = min(1.0, 0.3 + 0.2 * together[pair])
                out.append(make_event(Kind.LINK, a=pair[0], b=pair[1], value=strength, emitted_at=t))
        recent = [(t2, k) for t2, k in recent if t - t2 <= WINDOW_S] + [(t, key)]
    return np.concatenate(out) if out else np.zeros(0, EVENT_DTYPE)


def monologue_words(text: str, words_per_s: float = 2.6, start: float = 0.5) -> np.ndarray:
    """WORD events for ``text`` at a speaking pace (punctuation kept, as ASR gives it)."""
    tokens = re.findall(r"\S+", text)
    t = start
    recs = []
    for tok in tokens:
        dur = 0.12 + 0.045 * len(tok)
        recs.append(make_event(Kind.WORD, text=tok, start=t, end=t + dur, value=0.9, emitted_at=t + dur + 0.6))
        t += dur + (0.35 if tok[-1] in ".,;" else 0.08) + 1.0 / words_per_s - 0.3
    return np.concatenate(recs) if recs else np.zeros(0, EVENT_DTYPE)


def endless_stream(seconds: float, fps: float = 30.0, words_per_s: float = 3.0,
                   seed: int = 1) -> Iterator[tuple[float, np.ndarray]]:
    """(time, events) per frame: words, concepts that come and go, links; for soak tests."""
    rng = np.random.default_rng(seed)
    vocab = [f"idea{i}" for i in range(200)]
    live: list[int] = []
    next_id = 1
    carry = 0.0
    for frame in range(int(seconds * fps)):
        t = frame / fps
        specs: list[tuple[Kind, dict]] = []
        carry += words_per_s / fps
        while carry >= 1.0:
            carry -= 1.0
            specs.append((Kind.WORD, {"text": vocab[int(rng.integers(len(vocab)))], "end": t}))
        if rng.random() < 0.25 / fps:  # a new concept every ~4 s
            specs.append((Kind.CONCEPT, {"id": next_id, "text": f"{vocab[next_id % 200]} theme",
                                         "value": float(rng.random() * 5)}))
            if live:
                specs.append((Kind.LINK, {"a": live[-1], "b": next_id, "value": float(rng.random())}))
            live.append(next_id)
            next_id += 1
        if len(live) > 24:  # topics move on
            specs.append((Kind.RETIRE, {"id": live.pop(0)}))
        yield t, (events_of(*specs) if specs else np.zeros(0, EVENT_DTYPE))
