"""Scoring concepts against the concepts a person would name (``bench/concept_set/passages.json``).

A listed concept is "a|b|c" (alternatives).  An emitted concept *matches* an alternative when
their lemma keys (:func:`~fhud_app.store.normalize.phrase_key`: case, determiners, lemmas) are
equal, or when the alternative's key is a contiguous run of the emitted one's (a more specific
phrase: "sodium batteries" matches "battery").

recall      listed concepts matched by at least one emitted concept / listed concepts
precision   emitted concepts that match some listed concept / emitted concepts
duplicates  emitted concepts that repeat another one's idea: the same lemma key, or both equal
            to alternatives of the same listed concept ("apple tree" and "tree")
non-nouns   emitted concepts whose last word is not a noun where it was said (spaCy's tags in
            the transcript; a phrase not found there is tagged on its own).  A concept equal to
            one the person listed names an idea by that list, whatever the tagger says: the
            small English model tags "speaks Portuguese" as an adjective, for one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhud_app.store.normalize import phrase_key

ROOT = Path(__file__).resolve().parents[2]
PASSAGES = ROOT / "bench" / "concept_set" / "passages.json"


def load_passages(path: Path = PASSAGES, split: str = "all") -> list[dict[str, Any]]:
    items = json.loads(path.read_text())["passages"]
    return [p for p in items if split in ("all", p["split"])]


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return n > 0 and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def matches(listed: str, emitted: str) -> bool:
    got = phrase_key(emitted).split()
    return any(_contains(got, phrase_key(alt).split()) for alt in listed.split("|"))


def equals(listed: str, emitted: str) -> bool:
    return any(phrase_key(alt) == phrase_key(emitted) for alt in listed.split("|"))


def duplicates(listed: list[str], emitted: list[str]) -> list[tuple[str, str]]:
    """Pairs of emitted concepts that name one idea (see the module docstring)."""
    pairs = []
    for i, a in enumerate(emitted):
        for b in emitted[i + 1 :]:
            same_key = phrase_key(a) == phrase_key(b)
            same_listed = any(equals(c, a) and equals(c, b) for c in listed)
            if same_key or same_listed:
                pairs.append((a, b))
    return pairs


def non_nouns(emitted: list[str], transcript: str, tagger: Any, listed: list[str] = ()) -> list[str]:
    """Emitted concepts whose head (last word) is not tagged as a noun in the transcript, and
    that are not one of the ``listed`` concepts (exactly, up to lemmas)."""
    from fhud_app.concepts.pos import noun_phrases

    doc = tagger.doc(transcript)
    said = {phrase_key(p.text) for p in noun_phrases(doc)}
    out = []
    for c in emitted:
        if phrase_key(c) in said or any(equals(x, c) for x in listed):
            continue
        alone = {phrase_key(p.text) for p in noun_phrases(tagger.doc(c))}
        if phrase_key(c) not in alone:
            out.append(c)
    return out


def score_passage(p: dict[str, Any], emitted: list[str], transcript: str, tagger: Any) -> dict:
    listed = p["concepts"]
    found = [c for c in listed if any(matches(c, e) for e in emitted)]
    good = [e for e in emitted if any(matches(c, e) for c in listed)]
    return {
        "name": p["name"],
        "split": p["split"],
        "listed": len(listed),
        "emitted": len(emitted),
        "found": len(found),
        "good": len(good),
        "missed": [c for c in listed if c not in found],
        "extra": [e for e in emitted if e not in good],
        "duplicates": duplicates(listed, emitted),
        "non_nouns": non_nouns(emitted, transcript, tagger, listed),
    }


def totals(scores: list[dict]) -> dict[str, float]:
    listed = sum(s["listed"] for s in scores)
    emitted = sum(s["emitted"] for s in scores)
    return {
        "passages": len(scores),
        "recall": sum(s["found"] for s in scores) / listed if listed else 0.0,
        "precision": sum(s["good"] for s in scores) / emitted if emitted else 0.0,
        "duplicates": sum(len(s["duplicates"]) for s in scores),
        "non_nouns": sum(len(s["non_nouns"]) for s in scores),
        "emitted": emitted,
        "listed": listed,
    }


def report(scores: list[dict], say: Any = print) -> dict[str, dict[str, float]]:
    """Print per-passage lines and the totals of each split; returns the totals."""
    for s in scores:
        say(f"  {s['name']:12s} {s['split']:7s} found {s['found']}/{s['listed']} "
            f"good {s['good']}/{s['emitted']} missed {s['missed']} extra {s['extra']}"
            + (f" DUP {s['duplicates']}" if s["duplicates"] else "")
            + (f" NON-NOUN {s['non_nouns']}" if s["non_nouns"] else ""))
    out = {}
    for split in ("tune", "heldout", "all"):
        part = [s for s in scores if split in ("all", s["split"])]
        if part:
            out[split] = totals(part)
            t = out[split]
            say(f"  {split:8s} {t['passages']:2d} passages: recall {t['recall']:.3f} precision "
                f"{t['precision']:.3f} duplicates {t['duplicates']} non-nouns {t['non_nouns']} "
                f"({t['emitted']} emitted, {t['listed']} listed)")
    return out
