"""``fhud bench asr``: what a person reads from the streaming Whisper, against batch.

Speech comes from :mod:`fhud_app.bench.corpus` (``--corpus natural``: a neural voice with
people's pauses, the default; ``espeak``; or a ``FILE.jsonl``).  Batch transcribes the
whole recording in one go; streaming runs the real pipeline (FileSource at real-time pace
→ audio ring → AsrWorker → words ring, with the concept worker as in the app unless
``--concepts off``), or with ``--fast`` the same engine under a simulated clock: audio
"arrives" at the pace of that clock, which advances by the measured decode time, so
backlog and latency are those of a real-time run without the idle waiting.

Reported: the final text's WER (after revisions) and its ratio to batch, the committed
words' WER, the revision rate (committed words a revision changed), committed-word latency
(``emitted_at − end``) and a word's first appearance in a draft, doubled phrases, RTF and
backlog; per corpus subset (the natural corpus keeps held-out paragraphs) as well.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fhud_app.bench.asr_metrics import (
    Stream,
    TimedWord,
    assign,
    collect,
    doubled_phrases,
    latency_figures,
    revised_words,
    wer,
)
from fhud_app.bench.asr_metrics import normalize as normalize  # what WER compares (tests use it)
from fhud_app.bench.common import Figure, report
from fhud_app.bench.corpus import Corpus, load_corpus
from fhud_app.core.config import SAMPLE_RATE, Config

POLL_MS = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", default="natural", metavar="natural|espeak|FILE.jsonl",
                        help="the speech: piper with natural pauses (default), espeak-ng, or clips "
                             'listed as {"audio": PATH, "text": TEXT} lines')
    parser.add_argument("--fast", action="store_true",
                        help="simulated real-time clock advanced by the engine's CPU time (as on a core "
                             "of its own; no idle waiting): validates in ~RTF x duration")
    parser.add_argument("--concepts", choices=("on", "off"), default="on",
                        help="real-time: run the concept worker beside the ASR as the app does")
    parser.add_argument("--minutes", type=float, default=0.0,
                        help="espeak: repeat the speech (other voices) up to this many minutes")
    parser.add_argument("--decode-log", metavar="FILE",
                        help="with --fast: record every decode for python -m fhud_app.bench.asr_replay")
    parser.add_argument("--idle", type=float, default=0.0, metavar="SECONDS",
                        help="instead: the ASR worker's CPU over this much real-time silence")


@dataclass
class StreamResult:
    objects: list[dict]  # the words ring as JSON Lines objects
    audio_s: float
    wall_s: float
    busy_s: float
    backlog: list[tuple[float, float]] = field(default_factory=list)  # (audio s, backlog s)
    drops: int = 0
    overflows: int = 0


def stream_simulated(
    audio: np.ndarray, config: Config, model: object, decodes: list[dict] | None = None,
    clock: Callable[[], float] = time.process_time,
) -> StreamResult:
    """The streaming engine under a simulated real-time clock (see the module docstring);
    every decode is appended to ``decodes`` when it is given.

    The clock advances by what ``clock`` says each feed cost: by default this process's CPU
    time, which is what the engine would take on a core of its own, whatever else the
    machine runs (``time.perf_counter`` gives the wall time, load included)."""
    from fhud_app.asr.base import update_records
    from fhud_app.asr.whisper_engine import WhisperEngine
    from fhud_app.core.events import JsonLines

    engine = WhisperEngine(model, config.asr)
    if decodes is not None:
        engine.on_decode = decodes.append
    lines, objects = JsonLines(), []
    block, total = SAMPLE_RATE // 50, len(audio)
    now = 0.0  # simulated seconds
    backlog, last_draft = [], ""
    busy, wall0 = 0.0, time.perf_counter()
    pos = 0

    def publish(update) -> None:
        nonlocal last_draft
        changed, last_draft = update.draft != last_draft, update.draft
        objects.extend(lines.feed(update_records(update, pos / SAMPLE_RATE, draft=changed)))

    while pos < total:
        arrived = min(total, int(round(now * SAMPLE_RATE, 3)) // block * block)
        if arrived <= pos:  # idle until the next block arrives
            now = max(now, (pos + block) / SAMPLE_RATE)
            arrived = min(total, pos + block)
        take = min(arrived, pos + 10 * SAMPLE_RATE)
        t0 = clock()
        update = engine.feed(audio[pos:take])
        cost = clock() - t0
        busy, now, pos = busy + cost, now + cost, take
        publish(update)
        backlog.append((pos / SAMPLE_RATE, max(0.0, now - pos / SAMPLE_RATE)))
    t0 = clock()
    update = engine.flush()
    busy += clock() - t0
    publish(update)
    return StreamResult(objects, pos / SAMPLE_RATE, time.perf_counter() - wall0, busy, backlog)


def stream_realtime(path: Path, config: Config, concepts: bool) -> StreamResult:
    """The real pipeline, paced in real time, under a QCoreApplication."""
    from PySide6.QtCore import QCoreApplication, QTimer

    from fhud_app.app import build_pipeline
    from fhud_app.core.events import JsonLines

    app = QCoreApplication.instance() or QCoreApplication(["fhud-bench"])
    pipeline = build_pipeline(config, path, realtime=True, concepts=concepts)
    backlog: list[tuple[float, float]] = []
    pipeline.asr.metrics.connect(lambda m: backlog.append((m["audio_s"], m["backlog_s"])))
    reader, lines, objects = pipeline.words.reader(from_start=True), JsonLines(), []

    def pump() -> None:  # read as it comes: a long run writes more events than the ring holds
        objects.extend(lines.feed(reader.read()))

    timer = QTimer()
    timer.timeout.connect(pump)
    timer.start(POLL_MS)
    pipeline.finished.connect(app.quit)
    t0 = time.monotonic()
    pipeline.start()
    if pipeline.error is None:
        app.exec()
    pipeline.stop()
    timer.stop()
    pump()
    wall = time.monotonic() - t0
    if pipeline.error:
        raise SystemExit(f"fhud: error: {pipeline.error}")
    m = pipeline.asr.snapshot()
    return StreamResult(objects, m["audio_s"], wall, m["busy_s"], backlog,
                        int(m["drops"]) + reader.dropped, int(m["overflows"]))  # fmt: skip


def figures(corpus: Corpus, batch: list[TimedWord], s: StreamResult, stream: Stream) -> list[Figure]:
    final = [w.text for w in stream.final_words]
    committed = [w.text for w in stream.committed]
    ref = corpus.reference
    batch_wer, final_wer = wer(ref, " ".join(w.text for w in batch)), wer(ref, " ".join(final))
    lat = latency_figures(stream)
    levels = [b for _, b in s.backlog] or [0.0]
    tail = [b for t, b in s.backlog if t >= s.audio_s * 0.5] or levels
    doubled = doubled_phrases(final) - doubled_phrases(ref.split())
    out = [
        Figure("audio", s.audio_s, None, " s"),
        Figure("batch WER", batch_wer, None),
        Figure("final WER (after revisions)", final_wer, None),
        Figure("final / batch WER", final_wer / max(batch_wer, 1e-9), 1.10),
        Figure("committed WER", wer(ref, " ".join(committed)), None),
        Figure("revision rate (committed words changed)", revised_words(stream) / max(len(committed), 1), 0.05),
        Figure("committed latency p50", lat["committed_p50"], 1.3, " s"),
        Figure("committed latency p95", lat["committed_p95"], 2.5, " s"),
        Figure("first draft latency p50", lat["first_seen_p50"], 0.7, " s"),
        Figure("doubled 3+-word phrases (beyond the text's)", doubled, 0),
        Figure("RTF (engine busy / audio)", s.busy_s / max(s.audio_s, 1e-9), 1.0),
        Figure("backlog max", max(levels), 3.0, " s"),
        Figure("backlog max, second half", max(tail), 3.0, " s"),
        Figure("drops + overflows", s.drops + s.overflows, 0),
        Figure("wall", s.wall_s, None, " s"),
    ]
    return out + subset_figures(corpus, batch, stream)


def subset_figures(corpus: Corpus, batch: list[TimedWord], stream: Stream) -> list[Figure]:
    """Final and batch WER on the paragraphs tuned on and on the held-out ones."""
    held = [p.held_out for p in corpus.paragraphs]
    if not any(held):
        return []
    starts = [p.start for p in corpus.paragraphs]
    per = {name: assign(words, starts) for name, words in
           (("batch", batch), ("final", stream.final_words), ("committed", stream.committed))}  # fmt: skip
    out = []
    for label, pick in (("tuned-on", False), ("held-out", True)):
        idx = [i for i, h in enumerate(held) if h == pick]
        ref = " ".join(corpus.paragraphs[i].text for i in idx)
        w = {k: wer(ref, " ".join(t for i in idx for t in v[i])) for k, v in per.items()}
        out += [
            Figure(f"{label}: batch WER", w["batch"], None),
            Figure(f"{label}: final WER", w["final"], None),
            Figure(f"{label}: committed WER", w["committed"], None),
            Figure(f"{label}: final / batch WER", w["final"] / max(w["batch"], 1e-9), None),
        ]
    return out


IDLE_NOISE_DBFS = (None, -66.0)  # digital silence; a quiet room through a microphone
IDLE_TARGET = 0.01  # of one core, for the ASR worker thread (the whole app: 3 %)


def idle_cpu(seconds: float, config: Config, noise_dbfs: float | None) -> float:
    """The ASR worker thread's CPU time / wall time over ``seconds`` of real-time silence,
    counted from its first metrics after the engine is ready (the model load is left out)."""
    import soundfile as sf
    from PySide6.QtCore import QCoreApplication, QTimer

    from fhud_app.app import build_pipeline

    app = QCoreApplication.instance() or QCoreApplication(["fhud-bench"])
    level = 0.0 if noise_dbfs is None else 10 ** (noise_dbfs / 20)
    samples = int((seconds + 30) * SAMPLE_RATE)
    quiet = np.random.default_rng(0).standard_normal(samples).astype(np.float32) * level
    with tempfile.TemporaryDirectory(prefix="fhud-bench-idle-") as tmp:
        path = Path(tmp) / "silence.wav"
        sf.write(path, quiet, SAMPLE_RATE)
        pipeline = build_pipeline(config, path, realtime=True, concepts=False)
        marks: list[tuple[float, float]] = []

        def on_metrics(m: dict) -> None:
            marks.append((time.monotonic(), m["thread_cpu_s"]))
            if marks[-1][0] - marks[0][0] >= seconds:
                app.quit()

        pipeline.asr.ready.connect(lambda *_: pipeline.asr.metrics.connect(on_metrics))
        pipeline.asr.error.connect(lambda _m: app.quit())
        QTimer.singleShot(int((seconds + 25) * 1000), app.quit)
        pipeline.start()
        app.exec()
        pipeline.stop()
    if pipeline.error or len(marks) < 2:
        raise SystemExit(f"fhud: error: {pipeline.error or 'no metrics from the ASR worker'}")
    (w0, c0), (w1, c1) = marks[0], marks[-1]
    return (c1 - c0) / (w1 - w0)


def run_idle(seconds: float) -> int:
    config = Config().with_("asr", engine="whisper")
    figures = [
        Figure(f"ASR worker CPU, {'digital silence' if db is None else f'noise at {db:g} dBFS'}",
               100 * idle_cpu(seconds, config, db), 100 * IDLE_TARGET, " % of a core")
        for db in IDLE_NOISE_DBFS
    ]
    return report(f"ASR on {seconds:g} s of real-time silence (thread CPU time)", figures)


def run(args: argparse.Namespace) -> int:
    from fhud_app.asr.whisper_engine import load_whisper, transcribe_words
    from fhud_app.audio.file_source import load_audio

    if args.idle > 0:
        return run_idle(args.idle)
    if args.decode_log and not args.fast:
        raise SystemExit("fhud: error: --decode-log needs --fast (the engine runs in this process).")
    config = Config().with_("asr", engine="whisper")
    if args.llm:
        config = config.with_("llm", model=args.llm)
    corpus = load_corpus(args.corpus, args.minutes)
    audio, _ = load_audio(corpus.wav)
    model = load_whisper(config.asr)
    t0 = time.perf_counter()
    batch = [TimedWord(w.text, w.start, w.end) for w in transcribe_words(model, audio, 0.0, config.asr)]
    print(f"batch: {len(audio) / SAMPLE_RATE:.1f} s of audio in {time.perf_counter() - t0:.1f} s")
    if args.fast:
        decodes: list[dict] | None = [] if args.decode_log else None  # recording costs engine time
        result = stream_simulated(audio, config, model, decodes)
        if decodes is not None:
            meta = {"kind": "meta", "reference": corpus.reference, "batch": " ".join(w.text for w in batch),
                    "hop_s": config.asr.whisper_hop_s, "corpus": args.corpus}  # fmt: skip
            Path(args.decode_log).write_text("".join(json.dumps(d) + "\n" for d in [meta, *decodes]))
    else:
        del model  # the pipeline loads its own, inside its worker
        result = stream_realtime(corpus.wav, config, args.concepts == "on")
    stream = collect(result.objects)
    mode = "simulated real-time clock" if args.fast else f"real-time pacing, concept worker {args.concepts}"
    return report(f"ASR on the {corpus.name} corpus, embedded Whisper tiny.en, {mode}",
                  figures(corpus, batch, result, stream))
