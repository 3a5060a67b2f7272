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
    "sessions": "session library at 100 h: index build, search p95, list; kill -9 loss",
    "soak": "the whole GUI app on the looping demo for N minutes: memory, fps, latencies, drops",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    lines = "\n".join(f"  {name:10} {text}" for name, text in BENCHES.items())
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = f"benchmarks:\n{lines}\n\n'fhud bench NAME --help' shows a benchmark's options."
    parser.add_argument("bench", choices=list(BENCHES), metavar="NAME", help="which benchmark")
    parser.add_argument("bench_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"fhud_app.bench.{args.bench}")
    own = argparse.ArgumentParser(prog=f"fhud bench {args.bench}", description=BENCHES[args.bench])
    module.add_arguments(own)
    bench_args = own.parse_args(args.bench_args)
    for common in ("engine", "llm", "verbose"):
        if not hasattr(bench_args, common):
            setattr(bench_args, common, getattr(args, common, None))
    return int(module.run(bench_args) or 0)
