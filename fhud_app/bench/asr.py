"""``fhud bench asr``: streaming vs batch WER, word latency and backlog (embedded Whisper).

Speech comes from espeak-ng (text the engine was never tuned on).  Batch
transcribes the whole recording in one go; streaming runs the real pipeline
(FileSource at real-time pace → audio ring → AsrWorker → words ring), or with
``--fast`` the same engine under a simulated clock: audio "arrives" at the pace
of that clock, which advances by the measured decode time, so backlog and
latency are those of a real-time run without the idle waiting.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fhud_app.bench.common import Figure, percentile, report
from fhud_app.core.config import SAMPLE_RATE, Config

PARAGRAPHS = [
    "The lighthouse keeper wrote a letter every evening. He described the ships, the color of "
    "the water, and the birds that rested on the railing before the storm.",
    "Our team reviewed the budget on Monday morning. We agreed to move the launch to the spring, "
    "hire two more engineers, and cancel the conference in the autumn.",
    "Bread rises when yeast turns sugar into gas. A warm kitchen helps, but patience matters "
    "more than heat, and the best loaves rest slowly overnight in a cool room.",
    "The river flooded the lower town after a week of heavy rain. Volunteers carried sandbags "
    "through the night while the mayor spoke on the local radio station.",
    "Mathematics is the study of patterns. Some patterns repeat forever, like the digits of a "
    "fraction, while others never settle, and proving which is which can take a lifetime.",
    "My grandmother kept a garden full of tomatoes, beans and tall yellow flowers. She said the "
    "secret was to talk to the plants and to water them before sunrise.",
    "The museum opened a new wing for ancient maps. Visitors can follow the trade routes across "
    "the desert and see how sailors imagined the edges of the world.",
    "A good meeting has a clear goal, a short agenda and someone who writes down the decisions. "
    "Without those three things, people leave the room with different memories.",
    "The train slowed as it climbed into the mountains. Snow covered the pine trees, and the "
    "children pressed their faces against the cold glass to watch the valley disappear.",
    "Scientists measured the temperature of the ocean at many depths. The surface was warming "
    "quickly, but the deep water changed so slowly that the signal was hard to detect.",
    "Before you repair a bicycle, turn it upside down and spin the wheels. Listen for scraping, "
    "check the brakes, and look for small cracks near the frame.",
    "The orchestra rehearsed the final movement again and again. The conductor wanted the "
    "violins softer at the start, so the drums would sound like distant thunder.",
    "Every winter the village held a market in the square. Farmers sold honey and wool, "
    "musicians played by the fountain, and lanterns glowed until midnight.",
]
VOICES = [("en-us", 160), ("en", 150), ("en-us", 170), ("en-gb-x-rp", 155)]
GAP_S = 0.7  # silence between paragraphs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fast", action="store_true",
                        help="simulated real-time clock (no idle waiting): validates in ~RTF x duration")
    parser.add_argument("--minutes", type=float, default=0.0,
                        help="repeat the speech (other voices) up to this many minutes (backlog run)")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated speech in DIR")
    parser.add_argument("--decode-log", metavar="FILE",
                        help="with --fast: record every decode for python -m fhud_app.bench.asr_replay")
    parser.add_argument("--idle", type=float, default=0.0, metavar="SECONDS",
                        help="instead: the ASR worker's CPU over this much real-time silence")


def normalize(text: str) -> str:
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " "))
    return " ".join(text.split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalize(reference), normalize(hypothesis) or "<empty>"))


def synthesize(folder: Path, minutes: float) -> tuple[Path, str]:
    """Speak the paragraphs (cycling voices) into one 16 kHz WAV; returns it and its text."""
    import soundfile as sf

    from fhud_app.audio.file_source import load_audio

    if shutil.which("espeak-ng") is None:
        raise SystemExit("fhud: error: espeak-ng is not installed (apt-get install espeak-ng).")
    pieces: list[np.ndarray] = []
    texts: list[str] = []
    total, i = 0.0, 0
    target = max(minutes * 60.0, 1.0)
    while i < len(PARAGRAPHS) or total < target:
        text = PARAGRAPHS[i % len(PARAGRAPHS)]
        voice, speed = VOICES[(i // len(PARAGRAPHS) + i) % len(VOICES)]
        wav = folder / f"p{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text],
                       check=True, capture_output=True)
        audio, _ = load_audio(wav)
        pieces += [audio, np.zeros(int(GAP_S * SAMPLE_RATE), np.float32)]
        texts.append(text)
        total += len(audio) / SAMPLE_RATE + GAP_S
        i += 1
    out = folder / "speech.wav"
    sf.write(out, np.concatenate(pieces), SAMPLE_RATE)
    return out, " ".join(texts)


@dataclass
class StreamResult:
    text: str
    latencies: list[float]
    audio_s: float
    wall_s: float
    busy_s: float
    backlog: list[tuple[float, float]] = field(default_factory=list)  # (audio s, backlog s)
    drops: int = 0
    overflows: int = 0


def stream_simulated(
    audio: np.ndarray, config: Config, model: object, decodes: list[dict] | None = None
) -> StreamResult:
    """The streaming engine under a simulated real-time clock (see the module docstring);
    every decode is appended to ``decodes`` when it is given."""
    from fhud_app.asr.whisper_engine import WhisperEngine

    engine = WhisperEngine(model, config.asr)
    if decodes is not None:
        engine.on_decode = decodes.append
    block, total = SAMPLE_RATE // 50, len(audio)
    now = fed = 0.0  # simulated seconds; seconds fed
    words, lat, backlog = [], [], []
    busy, wall0 = 0.0, time.perf_counter()
    pos = 0
    while pos < total:
        arrived = min(total, int(round(now * SAMPLE_RATE, 3)) // block * block)
        if arrived <= pos:  # idle until the next block arrives
            now = max(now, (pos + block) / SAMPLE_RATE)
            arrived = min(total, pos + block)
        take = min(arrived, pos + 10 * SAMPLE_RATE)
        t0 = time.perf_counter()
        update = engine.feed(audio[pos:take])
        cost = time.perf_counter() - t0
        busy, now, pos = busy + cost, now + cost, take
        fed = pos / SAMPLE_RATE
        words += [w.text for w in update.final]
        lat += [fed - w.end for w in update.final]
        backlog.append((fed, max(0.0, now - fed)))
    t0 = time.perf_counter()
    final = engine.flush().final
    busy += time.perf_counter() - t0
    words += [w.text for w in final]
    lat += [fed - w.end for w in final]
    return StreamResult(" ".join(words), lat, fed, time.perf_counter() - wall0, busy, backlog)


def stream_realtime(path: Path, config: Config) -> StreamResult:
    """The real pipeline, paced in real time, under a QCoreApplication."""
    from PySide6.QtCore import QCoreApplication

    from fhud_app.app import build_pipeline
    from fhud_app.core.events import Kind, decode_text

    app = QCoreApplication.instance() or QCoreApplication(["fhud-bench"])
    pipeline = build_pipeline(config, path, realtime=True, concepts=False)
    backlog: list[tuple[float, float]] = []
    pipeline.asr.metrics.connect(lambda m: backlog.append((m["audio_s"], m["backlog_s"])))
    pipeline.finished.connect(app.quit)
    reader = pipeline.words.reader(from_start=True)
    t0 = time.monotonic()
    pipeline.start()
    if pipeline.error is None:
        app.exec()
    pipeline.stop()
    wall = time.monotonic() - t0
    if pipeline.error:
        raise SystemExit(f"fhud: error: {pipeline.error}")
    recs = reader.read()
    recs = recs[recs["kind"] == int(Kind.WORD)]
    m = pipeline.asr.snapshot()
    return StreamResult(
        " ".join(decode_text(r["text"]) for r in recs),
        [float(r["emitted_at"] - r["end"]) for r in recs],
        m["audio_s"], wall, m["busy_s"], backlog, int(m["drops"]) + reader.dropped, int(m["overflows"]),
    )


def figures(ref: str, batch_text: str, s: StreamResult) -> list[Figure]:
    batch_wer, stream_wer = wer(ref, batch_text), wer(ref, s.text)
    levels = [b for _, b in s.backlog] or [0.0]
    tail = [b for t, b in s.backlog if t >= s.audio_s * 0.5] or levels
    return [
        Figure("audio", s.audio_s, None, " s"),
        Figure("batch WER", batch_wer, None),
        Figure("streaming WER", stream_wer, None),
        Figure("streaming / batch WER", stream_wer / max(batch_wer, 1e-9), 1.25),
        Figure("word latency p50", percentile(s.latencies, 50), 1.5, " s"),
        Figure("word latency p95", percentile(s.latencies, 95), 3.0, " s"),
        Figure("RTF (engine busy / audio)", s.busy_s / max(s.audio_s, 1e-9), 1.0),
        Figure("backlog max", max(levels), 3.0, " s"),
        Figure("backlog max, second half", max(tail), 3.0, " s"),
        Figure("drops + overflows", s.drops + s.overflows, 0),
        Figure("wall", s.wall_s, None, " s"),
    ]


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
    with tempfile.TemporaryDirectory(prefix="fhud-bench-asr-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path, ref = synthesize(folder, args.minutes)
        audio, _ = load_audio(path)
        model = load_whisper(config.asr)
        t0 = time.perf_counter()
        batch = " ".join(w.text for w in transcribe_words(model, audio, 0.0, config.asr))
        print(f"batch: {len(audio) / SAMPLE_RATE:.1f} s of audio in {time.perf_counter() - t0:.1f} s")
        if args.fast:
            decodes: list[dict] | None = [] if args.decode_log else None  # recording costs engine time
            result = stream_simulated(audio, config, model, decodes)
            if decodes is not None:
                meta = {"kind": "meta", "reference": ref, "batch": batch, "hop_s": config.asr.whisper_hop_s}
                Path(args.decode_log).write_text("".join(json.dumps(d) + "\n" for d in [meta, *decodes]))
        else:
            del model  # the pipeline loads its own, inside its worker
            result = stream_realtime(path, config)
    mode = "simulated real-time clock" if args.fast else "real-time pacing"
    return report(f"ASR, embedded Whisper tiny.en, {mode}", figures(ref, batch, result))
