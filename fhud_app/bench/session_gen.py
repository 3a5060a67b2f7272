"""Generated session files for the library's benchmark and tests (Qt-free).

Speech-like word streams: English function words and a Zipf-distributed vocabulary of
pronounceable made-up words, ~2.8 words a second with pauses; concept events for a few
topic words per session (some topics recur across sessions), with links between them.
Written in the exact schema :class:`~fhud_app.store.session.SessionRecorder` writes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

FUNCTION_WORDS = """the and of to a in that it is was i for on you he be with as by at have are this
not but had his they from she which or we an there her were one do been all their has would
will what if can when so no said who more about up them some could him into its then two
out time like only my did other me your now over just than know people think way""".split()
SYLLABLES = """ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni
no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu
bar ber bin bor dan den dor fal fen fin gal gen gor han hel hin kal ken kin lan len lin
mar men min nar nel nor par pen pin ran ren rin san sen sin tan ten tin var ven vin""".split()
WORDS_PER_S = 2.8


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.integers(2, 4))
        words.add("".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), n)))
    return sorted(words)


class Generator:
    """Sessions of made-up but speech-shaped talk; deterministic for a seed."""

    def __init__(self, seed: int = 7, vocab_size: int = 20_000) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = vocabulary(vocab_size, self.rng)
        ranks = np.arange(1, len(self.vocab) + 1, dtype=np.float64)
        self.p = (1.0 / ranks) / (1.0 / ranks).sum()
        self.topics = [list(self.rng.choice(self.vocab[200:4000], 6, replace=False)) for _ in range(40)]

    def words(self, n: int) -> list[str]:
        """``n`` words: 45 % function words, the rest Zipf over the vocabulary."""
        fn = self.rng.random(n) < 0.45
        fw = self.rng.integers(0, len(FUNCTION_WORDS), n)
        vw = self.rng.choice(len(self.vocab), n, p=self.p)
        return [FUNCTION_WORDS[int(f)] if is_fn else self.vocab[int(v)]
                for is_fn, f, v in zip(fn, fw, vw, strict=True)]  # fmt: skip

    def session(self, started: datetime, seconds: float) -> list[str]:
        """The JSON lines of one session of ``seconds`` of speech."""
        n = int(seconds * WORDS_PER_S)
        topic = self.topics[int(self.rng.integers(0, len(self.topics)))]
        words = self.words(n)
        mentions = {t: 0 for t in topic}
        lines = [json.dumps({"type": "session", "started": started.isoformat(timespec="seconds"),
                             "source": "microphone"})]  # fmt: skip
        t = 0.0
        for i, text in enumerate(words):
            if self.rng.random() < 0.03:  # a topic word, said now and then
                text = topic[int(self.rng.integers(0, len(topic)))]
            dur = 0.15 + 0.04 * len(text) * float(self.rng.random())
            lines.append(json.dumps({"type": "word", "text": text, "start": round(t, 3),
                                     "end": round(t + dur, 3), "confidence": 0.9,
                                     "emitted_at": round(t + dur + 1.0, 3)}))  # fmt: skip
            t += dur + (0.9 if i % 23 == 22 else 0.08)  # a breath every sentence or so
            if text in mentions:
                mentions[text] += 1
                cid = topic.index(text) + 1
                lines.append(json.dumps({"type": "concept", "id": cid, "text": text, "weight": 1.0,
                                         "mentions": mentions[text], "first_seen": round(t, 3),
                                         "emitted_at": round(t + 2, 3)}))  # fmt: skip
                other = int(self.rng.integers(1, len(topic) + 1))
                if other != cid and mentions[topic[other - 1]]:
                    lines.append(json.dumps({"type": "link", "a": min(cid, other), "b": max(cid, other),
                                             "strength": 0.5}))  # fmt: skip
        return lines


def write_library(folder: Path, hours: float, seed: int = 7, start: datetime | None = None) -> tuple[int, int]:
    """Fill ``folder`` with ``hours`` of sessions of 10–90 minutes; (files, words)."""
    folder.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed)
    when = start or datetime(2026, 9, 1, 8, 0, 0)
    left, files, words = hours * 3600.0, 0, 0
    while left > 0:
        seconds = min(left, float(gen.rng.uniform(600, 5400)))
        lines = gen.session(when, seconds)
        (folder / f"{when:%Y-%m-%d_%H%M%S}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files += 1
        words += sum(1 for x in lines if x.startswith('{"type": "word"'))
        left -= seconds
        when += timedelta(hours=float(gen.rng.uniform(6, 30)))
    return files, words
