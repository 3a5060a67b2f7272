"""``fhud bench soak --minutes N [--json]``: the whole GUI app on the looping demo, for long.

1. **Headless baseline** (same clip, before the GUI starts): ``fhud transcribe
   <demo> --realtime --format jsonl``, a subprocess; its word latencies and concept
   latency p50 are what the GUI's are compared with.
2. **The GUI**: ``python -m fhud_app --demo`` under the current display (Xvfb in CI),
   with ``FHUD_METRICS_FILE`` set so the app writes its figures every sample period
   (:mod:`fhud_app.hud.metrics_sink`).  Every ``--sample-s`` seconds the bench takes
   the process's RSS and CPU per thread (``/proc``), and the app's last line: fps,
   ring drops and overflows, the words' and concepts' latencies since the last
   sample, the ASR backlog.
3. A CSV and a PNG plot of those series, a Markdown table judged against the
   issue's targets (non-zero exit on a miss), and with ``--json`` one JSON object
   as the last line.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fhud_app.bench.soak_report import Sample, figures, summary, write_csv, write_plot
from fhud_app.bench.startup import thread_cpu
from fhud_app.core import paths
from fhud_app.core.errors import FhudError
from fhud_app.hud.launch import DEMO_FILE

READY_TIMEOUT_S = 240.0
EXIT_PATIENCE_S = 2.0  # SIGTERM must end the app this fast


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the GUI runs (after its models load)")
    parser.add_argument("--sample-s", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warmup-minutes", type=float, default=5.0,
                        help="RSS slope is taken after this (over the whole run if it is shorter)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for soak.csv and soak.png (default: the cache's bench/soak-<time>)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def _engine_args(args: argparse.Namespace) -> list[str]:
    out = []
    for name in ("engine", "llm"):
        value = getattr(args, name, None)
        if value:
            out += [f"--{name}", value]
    return out


def headless(args: argparse.Namespace, clip: Path) -> dict[str, Any]:
    """Word latencies and concept latency p50 of the headless pipeline on ``clip``."""
    cmd = [sys.executable, "-m", "fhud_app", *_engine_args(args), "transcribe", str(clip),
           "--realtime", "--format", "jsonl"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    if done.returncode != 0 or not lines or lines[-1].get("type") != "stats":
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FhudError(f"the headless baseline failed (exit {done.returncode}): {tail}")
    words = [x["emitted_at"] - x["end"] for x in lines if x.get("type") == "word"]
    return {"word_latencies": words, "concept_p50": lines[-1].get("concept_latency_p50", float("nan")),
            "stats": lines[-1]}  # fmt: skip


class GuiRun:
    """The app as a subprocess, its metrics file and /proc sampled by the caller."""

    def __init__(self, args: argparse.Namespace, work: Path, run_s: float) -> None:
        self.metrics = work / "metrics.jsonl"
        env = dict(os.environ, FHUD_TRACE="1", FHUD_SETTINGS=str(work / "settings.ini"),
                   FHUD_DATA_DIR=str(work / "data"), FHUD_METRICS_FILE=str(self.metrics),
                   FHUD_METRICS_EVERY=f"{args.sample_s:g}")  # fmt: skip
        cmd = [sys.executable, "-m", "fhud_app", *_engine_args(args), "--demo", "--exit-after", f"{run_s:g}"]
        self.log = (work / "app.log").open("w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self._offset = 0
        self.trace: list[str] = []

    def wait_ready(self, timeout_s: float) -> None:
        """Until the app says its concept model is ready (its trace on stdout)."""
        deadline = time.monotonic() + timeout_s
        for line in self.proc.stdout:
            self.trace.append(line.split()[1] if line.startswith("fhud-trace") else line.strip())
            if line.startswith("fhud-trace concepts-ready"):
                return
            if time.monotonic() > deadline:
                break
        raise FhudError(f"the app did not get ready within {timeout_s:g} s (exit {self.proc.poll()}); "
                        f"its log: {self.log.name}")

    def new_lines(self) -> list[dict[str, Any]]:
        if not self.metrics.exists():
            return []
        with self.metrics.open() as f:
            f.seek(self._offset)
            text = f.read()
        complete = text[: text.rfind("\n") + 1]
        self._offset += len(complete.encode())
        return [json.loads(x) for x in complete.splitlines() if x.strip()]

    def stop(self) -> tuple[int | None, float]:
        """SIGTERM; the exit status and how long it took (None: it had to be killed)."""
        t0 = time.monotonic()
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        return code, time.monotonic() - t0


def sample(run: GuiRun, t0: float, last: Sample | None) -> Sample:
    import psutil

    proc = psutil.Process(run.proc.pid)
    lines = run.new_lines()
    s = Sample(t=time.monotonic() - t0, rss_mb=proc.memory_info().rss / 1e6,
               thread_cpu=thread_cpu(run.proc.pid), lines=lines)  # fmt: skip
    s.derive(last)
    return s


def soak(args: argparse.Namespace, work: Path) -> tuple[list[Sample], dict[str, Any], tuple[int | None, float]]:
    run_s = args.minutes * 60.0
    gui = GuiRun(args, work, run_s + READY_TIMEOUT_S + 60.0)  # the bench ends it, not --exit-after
    samples: list[Sample] = []
    try:
        gui.wait_ready(READY_TIMEOUT_S)
        gui.new_lines()  # what came while loading is not judged
        t0 = time.monotonic()
        while (elapsed := time.monotonic() - t0) < run_s:
            time.sleep(min(args.sample_s, run_s - elapsed) if samples else args.sample_s)
            if gui.proc.poll() is not None:
                raise FhudError(f"the app ended during the soak (exit {gui.proc.returncode}); its log: {gui.log.name}")
            samples.append(sample(gui, t0, samples[-1] if samples else None))
            if not args.json:
                print(samples[-1].line(), flush=True)
    finally:
        exit_info = gui.stop()
        gui.log.close()
    return samples, {}, exit_info


def _finite(value: Any) -> Any:
    """NaN/inf (a figure with no data) as JSON null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def run(args: argparse.Namespace) -> int:
    if not os.environ.get("DISPLAY"):
        raise FhudError("fhud bench soak needs an X display: run it under Xvfb (DISPLAY=:N).")
    out = args.out or paths.cache_dir() / "bench" / time.strftime("soak-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    clip = paths.repo_resources() / DEMO_FILE
    load0 = os.getloadavg()
    base = headless(args, clip)
    work = out / "app"  # its log, metrics and session stay beside the CSV (named in errors)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    samples, _, (code, exit_s) = soak(args, work)
    load1 = os.getloadavg()
    if not samples:
        raise FhudError("the soak took no sample: give it at least one --sample-s.")
    write_csv(out / "soak.csv", samples)
    plotted = write_plot(out / "soak.png", samples, title=f"fhud bench soak, {args.minutes:g} min")
    result = summary(samples, base, args.warmup_minutes * 60.0)
    result.update(exit_code=code, exit_s=round(exit_s, 2), load_start=load0[0], load_end=load1[0])
    code_out = figures(result)
    print(f"\nCSV: {out / 'soak.csv'}" + (f"   plot: {out / 'soak.png'}" if plotted else "   (no plot: matplotlib missing)"))
    print(f"the app's log, metrics and session: {work}")
    print(f"load average at start {load0[0]:.2f}, at end {load1[0]:.2f}")
    if args.json:
        print(json.dumps({k: _finite(v) for k, v in result.items()}))
    return code_out
