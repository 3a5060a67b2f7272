"""Replay the streaming Whisper's commit policy on recorded decodes.

Decoding is what costs; which words become final from the decodes is cheap and,
as long as the policy does not move the audio window, does not change them (the
window is cut only in utterances longer than 14 s, at the engine's last final word:
a policy that finalizes later than the engine loses the words the cut left behind,
so rows for slow policies are pessimistic there).  So
``fhud bench asr --fast --decode-log FILE`` records every decode (its kind, how
much audio had been fed, its words, the VAD's speech segments), and this module
re-runs :class:`~fhud_app.asr.commit.CommitPolicy` over them with other settings: how
many successive hypotheses must agree (``votes``) and how far before the end of the
audio a word must end to take part (``edge``).  With the engine's own settings the
replay gives the engine's words, revisions and utterance ends exactly (a test checks
it), so a sweep measures each policy on the same decodes instead of on decodes that
fall elsewhere.

    python -m fhud_app.bench.asr_replay FILE 2:0.1 2:1.0 3:0.1 2:0.1:inf
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fhud_app.asr.base import EngineUpdate, Word, update_records
from fhud_app.asr.commit import EDGE_S, MAX_WAIT_S, CommitPolicy, Decode
from fhud_app.bench.common import percentile
from fhud_app.core.config import AsrConfig
from fhud_app.core.events import JsonLines


def replay_updates(
    decodes: Iterable[dict[str, Any]], *, votes: int = 2, edge_s: float = EDGE_S,
    hop_s: float = AsrConfig.whisper_hop_s, max_wait_s: float = MAX_WAIT_S,
) -> list[tuple[float, EngineUpdate]]:
    """Every decode's update and the audio seconds fed when it was made.  A log whose passes
    name their utterance was recorded with the passes beside the stream (deferred)."""
    decodes = list(decodes)
    defer = any(d.get("kind") == "pass" and d.get("utterance") for d in decodes)
    policy = CommitPolicy(votes, edge_s, hop_s, defer=defer, max_wait_s=max_wait_s)
    return [(float(d["now"]), policy.apply(Decode.from_json(d))) for d in decodes if d.get("kind") != "meta"]


def replay(decodes: Iterable[dict[str, Any]], **settings: Any) -> list[tuple[Word, float]]:
    """The final words and the audio seconds fed when each became final."""
    return [(w, now) for now, u in replay_updates(decodes, **settings) for w in u.final]


def replay_objects(decodes: Iterable[dict[str, Any]], **settings: Any) -> list[dict[str, Any]]:
    """The JSON Lines objects the words ring would carry (drafts left out)."""
    lines = JsonLines()
    return [o for now, u in replay_updates(decodes, **settings)
            for o in lines.feed(update_records(u, now, draft=False))]  # fmt: skip


def load(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A decode log: its ``meta`` line (reference and batch text) and its decodes."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    meta = next((d for d in lines if d.get("kind") == "meta"), {})
    return meta, [d for d in lines if d.get("kind") != "meta"]


def main(argv: list[str] | None = None) -> int:
    from fhud_app.bench.asr_metrics import collect, revised_words, wer

    parser = argparse.ArgumentParser(prog="python -m fhud_app.bench.asr_replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="written by 'fhud bench asr --fast --decode-log FILE'")
    parser.add_argument("policies", nargs="+", metavar="VOTES:EDGE[:WAIT]",
                        help="e.g. 2:0.1:3 (the engine's); WAIT: the longest a word waits unagreed (s)")
    args = parser.parse_args(argv)
    meta, decodes = load(args.log)
    batch = wer(meta["reference"], meta["batch"])
    hop_s = float(meta.get("hop_s", AsrConfig.whisper_hop_s))
    print(f"batch WER {batch:.4f} ({args.log})")
    print("| votes | edge (s) | max wait (s) | committed WER | final WER | final / batch | revision rate "
          "| latency p50 | latency p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in args.policies:
        votes, edge, wait = (spec.split(":") + [str(MAX_WAIT_S)])[:3]
        s = collect(replay_objects(decodes, votes=int(votes), edge_s=float(edge), hop_s=hop_s,
                                   max_wait_s=float(wait)))  # fmt: skip
        committed = wer(meta["reference"], " ".join(w.text for w in s.committed))
        final = wer(meta["reference"], " ".join(w.text for w in s.final_words))
        lat = [w.emitted_at - w.end for w in s.committed]
        print(f"| {votes} | {float(edge):g} | {float(wait):g} | {committed:.4f} | {final:.4f} | {final / batch:.3f} | "
              f"{revised_words(s) / max(len(s.committed), 1):.3f} | "
              f"{percentile(lat, 50):.2f} s | {percentile(lat, 95):.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
