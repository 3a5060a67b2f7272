"""``fhud bench NAME``: the benchmarks behind docs/benchmarks.md.

Each benchmark is ``fhud_app/bench/<name>.py`` with ``add_arguments(parser)`` and
``run(args) -> int``; it prints its figures, compares them with the issue's
targets and exits non-zero when a target is missed (a benchmark that can fail).
"""

from __future__ import annotations

import argparse
import importlib

BENCHES = {
    "rings": "audio-callback write cost and ring vs queue.Queue throughput",
    "asr": "streaming vs batch WER, word latency and backlog (embedded Whisper)",
    "concepts": "concept latency, ASR slowdown with concepts on, quality and memory",
    "render": "GUI-thread CPU per frame and GPU frame time of the particle renderer",
    "startup": "startup to HUD visible, idle CPU, hotkey toggle latency",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench", metavar="NAME", required=True)
    for name, help_text in BENCHES.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(f"fhud_app.bench.{name}").add_arguments(p)


def run(args: argparse.Namespace) -> int:
    return int(importlib.import_module(f"fhud_app.bench.{args.bench}").run(args) or 0)
