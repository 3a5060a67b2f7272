"""``fhud bench concepts``: concept latency, ASR slowdown with concepts on, quality and memory.

Speech for the ~10 monologues of ``bench/concept_set/topics.json`` is synthesized with
espeak-ng into a temporary folder.  Every run is a real ``fhud transcribe --format jsonl``
subprocess (the whole headless pipeline: file source, Whisper, concept worker):

* quality: each topic as fast as possible; recall of the concepts a person would name and
  precision to the transcript, scored by ``bench/concept_set/score.py``;
* live: the first ``--live-topics`` topics paced in real time (``--realtime``) after
  ``--lead-s`` seconds of silence (the app is running before one speaks), once with
  ``--llm none`` and once with the model, side by side: word latency of the ASR, concept
  latency (the utterance's last word event → its concept event) and peak RSS.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "bench" / "concept_set"
TARGETS = {"latency_p50_s": 3.0, "stream_p50_s": 3.0, "asr_slowdown": 0.10, "recall": 0.60, "precision": 0.80, "rss_gb": 1.2}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topics", default="", help="comma-separated topic names (default: all)")
    parser.add_argument("--live-topics", type=int, default=3, help="topics run in real time")
    parser.add_argument("--lead-s", type=float, default=8.0, help="silence before live speech")
    parser.add_argument("--model", default="embedded", help="--llm value under test")
    parser.add_argument("--speed", type=int, default=155, help="espeak-ng words per minute")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality runs")
    parser.add_argument("--stream-topics", type=int, default=4,
                        help="topics whose sentences are streamed word by word into a warm model")
    parser.add_argument("--save", metavar="FILE", help="write per-topic results (JSON Lines)")


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("concept_set_score", SET_DIR / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def synthesize(text: str, path: Path, speed: int, lead_s: float = 0.0) -> Path:
    import soundfile as sf

    subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(speed), "-w", str(path), text],
                   check=True, capture_output=True)
    if lead_s > 0:
        audio, rate = sf.read(path, dtype="float32")
        sf.write(path, np.concatenate([np.zeros(int(lead_s * rate), np.float32), audio]), rate)
    return path


class PeakRss:
    """Polls a process's resident size until it exits (the whole pipeline is one process)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while True:
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.2)  # a sampling period, not a wait for data

    def join(self) -> int:
        self._thread.join(timeout=2)
        return self.peak


def transcribe(wav: Path, llm: str, realtime: bool) -> dict[str, Any]:
    """One ``fhud transcribe`` run: transcript, concepts, stats and peak RSS."""
    cmd = [sys.executable, "-m", "fhud_app", "transcribe", str(wav), "--format", "jsonl", "--llm", llm]
    if realtime:
        cmd.append("--realtime")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = PeakRss(proc.pid)
    out, err = proc.communicate()
    peak = rss.join()
    if proc.returncode != 0:
        raise SystemExit(f"fhud: error: transcribe failed ({proc.returncode}): {err.strip()[-300:]}")
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    concepts: dict[int, str] = {}
    for e in events:
        if e["type"] == "concept":
            concepts[e["id"]] = e["text"]
    return {
        "transcript": " ".join(e["text"] for e in events if e["type"] == "word"),
        "concepts": list(concepts.values()),
        "stats": next(e for e in events if e["type"] == "stats"),
        "rss": peak,
    }


def quality(topics: list[dict], wavs: dict[str, Path], model: str) -> list[dict[str, Any]]:
    results = []
    for t in topics:
        r = transcribe(wavs[t["name"]], model, realtime=False)
        results.append({"topic": t["name"], **r})
        print(f"  {t['name']:10s} {len(r['concepts'])} concepts: {', '.join(r['concepts'])}", flush=True)
    return results


def live(topics: list[dict], tmp: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    runs = []
    for t in topics:
        wav = synthesize(t["text"], tmp / f"live-{t['name']}.wav", args.speed, args.lead_s)
        for llm in ("none", args.model):
            r = transcribe(wav, llm, realtime=True)
            s = r["stats"]
            runs.append({"topic": t["name"], "llm": llm, **r})
            print(f"  {t['name']:10s} --llm {llm:9s} word latency p50 {s['latency_p50']:.2f} s "
                  f"p95 {s['latency_p95']:.2f} s | concept latency p50 "
                  f"{s.get('concept_latency_p50', 0):.2f} s p95 {s.get('concept_latency_p95', 0):.2f} s"
                  f" | skipped {s.get('skipped_utterances', 0)} | tokens in/out "
                  f"{s.get('concept_tokens_in', 0)}/{s.get('concept_tokens_out', 0)} | "
                  f"RSS {r['rss'] / 2**30:.2f} GB", flush=True)
    return runs


def streamed_latency(topics: list[dict], model: str) -> dict[str, float]:
    """Extraction latency with the model warm and nothing else running: every word but the
    last of each sentence is fed (prefilled) first, as during speech; the clock runs from the
    last word to the grounded phrases."""
    import re

    from fhud_app.concepts.extractor import LlmExtractor
    from fhud_app.concepts.llm import load_llm
    from fhud_app.core.config import LlmConfig
    from fhud_app.core.mlx_gate import MlxGate

    llm = load_llm(model, MlxGate(), hub_model=LlmConfig().hub_model)
    if llm is None:
        return {}
    ex = LlmExtractor(llm)
    lat, tin, tout = [], [], []
    for t in topics:
        for sentence in re.split(r"(?<=[.?!])\s+", t["text"]):
            words = sentence.split()
            ex.start()
            for w in words[:-1]:
                ex.feed(w)
            t0 = time.monotonic()
            ex.feed(words[-1])
            r = ex.finish(sentence)
            lat.append(time.monotonic() - t0)
            tin.append(r.prompt_tokens)
            tout.append(r.new_tokens)
    print(f"  {len(lat)} sentences, {llm.name}: p50 {np.percentile(lat, 50):.2f} s, p95 "
          f"{np.percentile(lat, 95):.2f} s; prefix {llm.prefix_tokens} tokens (cached), "
          f"{np.mean(tin):.1f} prompt and {np.mean(tout):.1f} generated tokens per sentence",
          flush=True)
    return {"stream_p50_s": float(np.percentile(lat, 50)), "stream_p95_s": float(np.percentile(lat, 95))}


def summarize(quality_runs: list[dict], live_runs: list[dict], model: str) -> dict[str, float]:
    scorer = _scorer()
    total = scorer.score_all(quality_runs, scorer.load_topics())
    for name, s in total["topics"].items():
        print(f"  {name:10s} recall {s['recall']:.0%} precision {s['precision']:.0%} missed {s['missed']}")
    with_llm = [r["stats"] for r in live_runs if r["llm"] == model]
    without = [r["stats"] for r in live_runs if r["llm"] == "none"]
    fig = {"recall": total["recall"], "precision": total["precision"]} if quality_runs else {}
    if with_llm:
        fig["latency_p50_s"] = float(np.median([s["concept_latency_p50"] for s in with_llm]))
        fig["latency_p95_s"] = float(max(s["concept_latency_p95"] for s in with_llm))
        base = float(np.mean([s["latency_p50"] for s in without]))
        fig["asr_p50_none_s"] = base
        fig["asr_p50_llm_s"] = float(np.mean([s["latency_p50"] for s in with_llm]))
        fig["asr_slowdown"] = fig["asr_p50_llm_s"] / base - 1.0 if base else 0.0
        fig["skipped"] = float(sum(s["skipped_utterances"] for s in with_llm))
        fig["rss_gb"] = max(r["rss"] for r in live_runs if r["llm"] == model) / 2**30
    return fig


def _verdict(fig: dict[str, float]) -> int:
    missed = []
    for key, target in TARGETS.items():
        if key not in fig:
            continue
        ok = fig[key] >= target if key in ("recall", "precision") else fig[key] <= target
        print(f"  {key:14s} {fig[key]:.3f}  target {'≥' if key in ('recall', 'precision') else '≤'}"
              f" {target}  {'ok' if ok else 'MISSED'}")
        missed += [] if ok else [key]
    return 1 if missed else 0


def run(args: argparse.Namespace) -> int:
    topics = _scorer().load_topics()
    if args.topics:
        wanted = set(args.topics.split(","))
        topics = [t for t in topics if t["name"] in wanted]
    with tempfile.TemporaryDirectory(prefix="fhud-bench-concepts-") as d:
        tmp = Path(d)
        wavs = {t["name"]: synthesize(t["text"], tmp / f"{t['name']}.wav", args.speed) for t in topics}
        print(f"quality: {len(topics)} topics, --llm {args.model}, espeak-ng {args.speed} wpm", flush=True)
        q = [] if args.no_quality else quality(topics, wavs, args.model)
        print(f"live: {args.live_topics} topics in real time, --llm none vs {args.model}", flush=True)
        lv = live(topics[: args.live_topics], tmp, args) if args.live_topics > 0 else []
    print(f"streamed: {args.stream_topics} topics, sentence by sentence into a warm model", flush=True)
    streamed = streamed_latency(topics[: args.stream_topics], args.model) if args.stream_topics else {}
    if args.save:
        with open(args.save, "w") as f:
            for r in q:
                f.write(json.dumps({k: r[k] for k in ("topic", "transcript", "concepts")}) + "\n")
    fig = {**summarize(q, lv, args.model), **streamed}
    print(json.dumps({k: round(v, 3) for k, v in fig.items()}))
    return _verdict(fig)
