"""Replay the streaming Whisper's commit policy on recorded decodes.

Decoding is what costs; which words become final from the decodes is cheap and,
as long as the policy does not move the audio window, does not change them (the
window is cut only in utterances longer than 14 s, at the engine's last final word:
a policy that finalizes later than the engine loses the words the cut left behind,
so rows for slow policies are pessimistic there).  So
``fhud bench asr --fast --decode-log FILE`` records every decode (its kind, how
much audio had been fed, its words), and this module re-runs
:class:`~fhud_app.asr.agreement.Agreement` over them with other settings: how many
successive hypotheses must agree (``votes``) and how far before the end of the
audio a word must end to take part (``edge``).  With the engine's own settings the
replay gives the engine's words exactly (a test checks it), so a sweep measures
each policy on the same decodes instead of on decodes that fall elsewhere.

    python -m fhud_app.bench.asr_replay FILE 2:0.1 2:1.0 3:0.1
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fhud_app.asr.agreement import Agreement
from fhud_app.asr.base import Word
from fhud_app.asr.whisper_engine import EDGE_S
from fhud_app.bench.common import percentile
from fhud_app.core.config import AsrConfig


def _words(raw: list[list[Any]]) -> list[Word]:
    return [Word(str(t), float(a), float(b), float(p)) for t, a, b, p in raw]


def replay(
    decodes: Iterable[dict[str, Any]], *, votes: int = 2, edge_s: float = EDGE_S,
    hop_s: float = AsrConfig.whisper_hop_s,
) -> list[tuple[Word, float]]:
    """The final words and the audio seconds fed when each became final.

    The same :class:`Agreement` calls as ``WhisperEngine.feed``/``flush``: a ``hop``
    decode goes through ``update``, a ``force`` decode too with what ends a hop before
    forced final; ``utterance`` and ``flush`` decodes ``finish`` (a ``flush`` without
    words finalizes the newest decode as it stands).
    """
    agree = Agreement(votes)
    out: list[tuple[Word, float]] = []
    for d in decodes:
        kind, now = d["kind"], float(d["now"])
        if kind in ("utterance", "flush"):
            final = agree.finish(None if d["words"] is None else _words(d["words"]))
        elif kind in ("hop", "force"):
            final = agree.update(_words(d["words"]), now, edge_s, now - hop_s if kind == "force" else None)
        else:  # the meta line
            continue
        out += [(w, now) for w in final]
    return out


def load(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A decode log: its ``meta`` line (reference and batch text) and its decodes."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    meta = next((d for d in lines if d.get("kind") == "meta"), {})
    return meta, [d for d in lines if d.get("kind") != "meta"]


def main(argv: list[str] | None = None) -> int:
    from fhud_app.bench.asr_metrics import wer

    parser = argparse.ArgumentParser(prog="python -m fhud_app.bench.asr_replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="written by 'fhud bench asr --fast --decode-log FILE'")
    parser.add_argument("policies", nargs="+", metavar="VOTES:EDGE", help="e.g. 2:0.1 (the engine's)")
    args = parser.parse_args(argv)
    meta, decodes = load(args.log)
    batch = wer(meta["reference"], meta["batch"])
    print(f"batch WER {batch:.4f} ({args.log})")
    print("| votes | edge (s) | streaming WER | / batch | latency p50 | latency p95 |")
    print("|---|---|---|---|---|---|")
    for spec in args.policies:
        votes, edge = spec.split(":")
        out = replay(decodes, votes=int(votes), edge_s=float(edge), hop_s=float(meta.get("hop_s", AsrConfig.whisper_hop_s)))
        stream = wer(meta["reference"], " ".join(w.text for w, _ in out))
        lat = [now - w.end for w, now in out]
        print(f"| {votes} | {float(edge):g} | {stream:.4f} | {stream / batch:.3f} | "
              f"{percentile(lat, 50):.2f} s | {percentile(lat, 95):.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
