"""``fhud bench sessions``: the session library at 100 hours, and kill -9 during a session.

* index: a fresh index of ``--hours`` of generated sessions (``session_gen``), wall time;
* search: ``--queries`` queries drawn from the generated talk (common, mid and rare words,
  function words, two-word AND, phrases, prefixes, OR, misses), p50 / p95 in-process;
* list: ``fhud sessions list`` as a fresh process over the up-to-date index, wall time;
* update: re-reading one grown session, in-process;
* kill -9: ``--kills`` trials of :mod:`fhud_app.bench.kill_session` at random moments, the
  worst loss, and whether each killed session still lists, shows, searches and exports.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fhud_app.bench.common import Figure, percentile, report

TARGET_INDEX_S = 60.0
TARGET_SEARCH_P95_MS = 50.0
TARGET_LIST_MS = 300.0
TARGET_KILL_LOSS_S = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hours", type=float, default=100.0, help="hours of sessions to generate (default 100)")
    parser.add_argument("--queries", type=int, default=300, help="search queries timed (default 300)")
    parser.add_argument("--kills", type=int, default=6, help="kill -9 trials (default 6; 0 skips them)")
    parser.add_argument("--folder", type=Path, help="keep the generated sessions here (default: a temporary folder)")


def queries(n: int, seed: int = 11) -> list[str]:
    from fhud_app.bench.session_gen import FUNCTION_WORDS, Generator

    gen, rng = Generator(7), np.random.default_rng(seed)
    vocab = gen.vocab
    out: list[str] = []
    makers = [
        lambda: vocab[int(rng.integers(0, 20))],  # the most common words
        lambda: vocab[int(rng.integers(20, 2000))],
        lambda: vocab[int(rng.integers(2000, len(vocab)))],  # rare
        lambda: FUNCTION_WORDS[int(rng.integers(0, len(FUNCTION_WORDS)))],
        lambda: " ".join(gen.words(2)),  # AND of two words
        lambda: '"' + " ".join(gen.words(2)) + '"',  # a phrase (often never said)
        lambda: vocab[int(rng.integers(0, len(vocab)))][:3] + "*",  # a prefix
        lambda: f"{vocab[int(rng.integers(0, 500))]} OR {vocab[int(rng.integers(0, 5000))]}",
        lambda: "zz" + vocab[int(rng.integers(0, len(vocab)))],  # a miss
    ]
    while len(out) < n:
        out.append(makers[len(out) % len(makers)]())
    return out


def _fhud(folder: Path, *argv: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s, result) of ``fhud sessions ARGV`` as a fresh process, bytecode cached as
    an installed package has it (``PYTHONDONTWRITEBYTECODE`` would compile every module every time)."""
    import resource  # Unix only, as this benchmark

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "fhud_app", "sessions", "--folder", str(folder), *argv],
                          capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done


def bench_library(folder: Path, hours: float, n_queries: int) -> list[Figure]:
    from fhud_app.bench.session_gen import write_library
    from fhud_app.store.library import SessionLibrary

    files, words = write_library(folder, hours)
    print(f"generated {files} sessions, {words} words, {hours:g} h in {folder}", file=sys.stderr)
    lib = SessionLibrary(folder)
    t, cpu = time.perf_counter(), time.process_time()
    lib.update()
    index_s, index_cpu_s = time.perf_counter() - t, time.process_time() - cpu
    times, hits = [], 0
    for q in queries(n_queries):
        t = time.perf_counter()
        hits += len(lib.search(q))
        times.append((time.perf_counter() - t) * 1000)
    newest = lib.sessions()[0].path
    with open(newest, "a", encoding="utf-8") as f:
        f.write('{"type": "word", "text": "appended", "start": 99999.0, "end": 99999.4}\n')
    t = time.perf_counter()
    lib.update()
    update_ms = (time.perf_counter() - t) * 1000
    lib.close()
    _fhud(folder, "list")  # warm the file cache (and the bytecode) once, as a second look would
    runs = [_fhud(folder, "list") for _ in range(7)]
    list_ms = sorted(r[0] * 1000 for r in runs)
    list_cpu_ms = sorted(r[1] * 1000 for r in runs)
    search_cli_ms = _fhud(folder, "search", "the")[0] * 1000
    return [
        Figure("sessions indexed", files, None), Figure("words indexed", words, None),
        Figure("index build", index_s, TARGET_INDEX_S, " s"),
        Figure("index build, CPU time (the machine's load aside)", index_cpu_s, None, " s"),
        Figure("search p50", percentile(times, 50), None, " ms"),
        Figure("search p95", percentile(times, 95), TARGET_SEARCH_P95_MS, " ms"),
        Figure("search max", max(times), None, " ms"),
        Figure("hits returned (all queries)", hits, None),
        Figure("`fhud sessions list` median of 7", list_ms[3], TARGET_LIST_MS, " ms"),
        Figure("`fhud sessions list` max of 7", list_ms[-1], None, " ms"),
        Figure("`fhud sessions list` CPU time, median", list_cpu_ms[3], None, " ms"),
        Figure("`fhud sessions search the` (process)", search_cli_ms, None, " ms"),
        Figure("re-index one grown session", update_ms, None, " ms"),
    ]  # fmt: skip


def bench_kills(root: Path, n: int) -> list[Figure]:
    from fhud_app.bench.kill_session import kill_trial

    rng = np.random.default_rng(5)
    losses, usable = [], 0
    for i in range(n):
        folder = root / f"kill{i}"
        result = kill_trial(folder, float(rng.uniform(2.5, 6.0)))
        losses.append(result.loss_s if result.prefix else float("inf"))
        sid = result.path.stem
        checks = [_fhud(folder, *argv)[2] for argv in
                  (["list"], ["show", sid], ["search", "garden1"], ["export", sid, "--format", "srt"])]  # fmt: skip
        usable += all(c.returncode == 0 and "Traceback" not in c.stderr for c in checks) and sid in checks[0].stdout
        print(f"kill {i}: {result.said} words said, {result.kept} kept, loss {result.loss_s:.2f} s", file=sys.stderr)
    return [Figure("kill -9: worst loss of words", max(losses), TARGET_KILL_LOSS_S, " s"),
            Figure("kill -9: sessions that list, show, search, export", usable, float(n), higher_is_better=True)]


def run(args: argparse.Namespace) -> int:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="fhud-bench-sessions-") as tmp:
        folder = args.folder or Path(tmp) / "sessions"
        figures = bench_library(folder, args.hours, args.queries)
        if args.kills:
            figures += bench_kills(Path(tmp), args.kills)
    return report(f"Session library ({args.hours:g} h, load average {load:.2f} at the start)", figures)
