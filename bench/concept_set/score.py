"""Score concept extraction against the concepts a person would name (``topics.json``).

recall     = expected concepts matched by at least one emitted concept / expected concepts
precision  = emitted concepts that occur in the transcript / emitted concepts
            ("precision to the transcript": grounded, whatever the person would have named)

An expected concept is "a|b" (alternatives).  It is matched when an emitted concept's
normalized words (``phrase_key``: case, leading determiners, plural/singular) equal an
alternative's or contain them as a contiguous run ("sodium batteries" matches "battery").

Usage:  python bench/concept_set/score.py RESULTS.jsonl
        (one {"topic", "transcript", "concepts": [...]} object per line, as written by
        ``fhud bench concepts --save RESULTS.jsonl``)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fhud_app.concepts.extractor import ground
from fhud_app.store.normalize import phrase_key

TOPICS = Path(__file__).with_name("topics.json")


def load_topics(path: Path = TOPICS) -> list[dict[str, Any]]:
    return json.loads(path.read_text())["topics"]


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def matches(expected: str, emitted: str) -> bool:
    got = phrase_key(emitted).split()
    return any(_contains(got, phrase_key(alt).split()) for alt in expected.split("|"))


def score_topic(expected: list[str], emitted: list[str], transcript: str) -> dict[str, Any]:
    found = [e for e in expected if any(matches(e, c) for c in emitted)]
    grounded = [c for c in emitted if ground(c, transcript) is not None]
    return {
        "recall": len(found) / len(expected) if expected else 0.0,
        "precision": len(grounded) / len(emitted) if emitted else 1.0,
        "found": found,
        "missed": [e for e in expected if e not in found],
        "ungrounded": [c for c in emitted if c not in grounded],
        "expected": len(expected),
        "emitted": len(emitted),
    }


def score_all(results: list[dict[str, Any]], topics: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged recall and precision over every topic in ``results``."""
    by_name = {t["name"]: t for t in topics}
    per = {
        r["topic"]: score_topic(by_name[r["topic"]]["concepts"], r["concepts"], r["transcript"])
        for r in results
    }
    expected = sum(s["expected"] for s in per.values())
    emitted = sum(s["emitted"] for s in per.values())
    found = sum(len(s["found"]) for s in per.values())
    grounded = sum(s["emitted"] - len(s["ungrounded"]) for s in per.values())
    return {
        "recall": found / expected if expected else 0.0,
        "precision": grounded / emitted if emitted else 1.0,
        "topics": per,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    results = [json.loads(line) for line in Path(argv[0]).read_text().splitlines() if line.strip()]
    total = score_all(results, load_topics())
    for name, s in total["topics"].items():
        print(f"{name:12s} recall {s['recall']:.0%}  precision {s['precision']:.0%}  "
              f"missed {s['missed']}  ungrounded {s['ungrounded']}")
    print(f"overall      recall {total['recall']:.0%}  precision {total['precision']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
