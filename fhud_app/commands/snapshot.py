"""``fhud snapshot FILE --out hud.png``: the final HUD frame of an audio file, as a PNG.

Runs the same pipeline as ``fhud transcribe`` (as fast as it can), keeps every
record of its words and concepts rings, replays them into a ParticleModel on
a simulated clock (audio seconds, 30 frames a second) and draws the last frame
headless: moderngl standalone EGL for GL, Qt's ``offscreen`` platform only to
rasterize glyphs (no Qt GL context, so the two never meet).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import numpy as np

from fhud_app.commands.argtypes import number
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError, InputError
from fhud_app.core.events import EVENT_DTYPE, Kind

log = logging.getLogger(__name__)
FPS = 30.0
CONCEPT_DELAY_S = 2.0
POLL_MS = 20
BACKDROP = ((13, 17, 27), (24, 28, 44))  # a dark desktop behind the translucent HUD


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise argparse.ArgumentTypeError("size must be between 64x64 and 8192x8192")
    return w, h


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="audio file (wav, flac, ogg)")
    parser.add_argument("--out", default="hud.png", help="PNG to write (default: hud.png)")
    parser.add_argument("--size", type=parse_size, default=(1280, 720), help="WIDTHxHEIGHT in pixels")
    parser.add_argument("--dpr", type=number("pixels per point", high=8), default=1.0, help="device pixel ratio (2 = Retina)")
    parser.add_argument("--at", type=number("seconds", high=1e7, zero_ok=True), metavar="SECONDS",
                        help="audio second to draw (default: the end)")
    parser.add_argument("--transparent", action="store_true",
                        help="keep the HUD's translucency instead of showing it over a dark desktop")
    parser.add_argument("--synthetic", action="store_true",
                        help="use the words of FILE (a text file) at a speaking pace instead of running ASR")


def collect_events(args: argparse.Namespace) -> np.ndarray:
    """Every record the pipeline writes to its words and concepts rings, in order."""
    from fhud_app.app import build_pipeline
    from fhud_app.render.headless import ensure_gui_app

    ensure_gui_app()
    config = Config().with_("asr", engine=getattr(args, "engine", None))
    config = config.with_("llm", model=getattr(args, "llm", None))
    pipeline = build_pipeline(config, args.file, realtime=False)
    readers = [pipeline.words.reader(from_start=True), pipeline.concepts.reader(from_start=True)]
    chunks: list[np.ndarray] = []

    def pump() -> None:
        for reader in readers:
            if reader.available():
                chunks.append(reader.read())

    pipeline.run_to_end(pump, POLL_MS)
    if pipeline.error:
        raise FhudError(pipeline.error)
    return np.concatenate(chunks) if chunks else np.zeros(0, EVENT_DTYPE)


def event_times(recs: np.ndarray) -> np.ndarray:
    """Audio second at which each record becomes visible.

    Words at their end.  Concepts at their emission, but no later than
    ``CONCEPT_DELAY_S`` after their first mention: off real time the concept
    stage lags the fast ASR, and its records would otherwise all pile up at the
    end of the file (a picture of the moment, caught mid-transition).
    """
    kind = recs["kind"]
    t = np.where(kind == Kind.WORD, recs["end"], recs["emitted_at"]).astype(float)
    first = recs["start"].astype(float) + CONCEPT_DELAY_S
    early = (kind == Kind.CONCEPT) & (recs["start"] > 0) & (first < t)
    t = np.where(early, first, t)
    t = np.where(np.isfinite(t) & (t > 0), t, np.nan)
    # LINK/RETIRE records may carry no time: they follow the record before them.
    for i in range(len(t)):
        if np.isnan(t[i]):
            t[i] = t[i - 1] if i else 0.0
    return t


def replay(model, recs: np.ndarray, until: float) -> None:  # noqa: ANN001 - a ParticleModel
    times = event_times(recs)
    order = np.argsort(times, kind="stable")
    recs, times = recs[order], times[order]
    i = 0
    for frame in range(int(until * FPS) + 1):
        now = frame / FPS
        j = int(np.searchsorted(times, now, side="right"))
        if j > i:
            model.consume(recs[i:j])
            i = j
        model.update(now)


def write_png(rgba: np.ndarray, path: Path, transparent: bool) -> None:
    from PySide6.QtGui import QImage

    h, w = rgba.shape[:2]
    if transparent:
        data, fmt = np.ascontiguousarray(rgba), QImage.Format.Format_RGBA8888_Premultiplied
    else:
        top, bottom = (np.array(c, np.float32) for c in BACKDROP)
        ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
        back = top * (1 - ramp) + bottom * ramp
        rgb = rgba[..., :3].astype(np.float32) + back * (1.0 - rgba[..., 3:4] / 255.0)
        data = np.ascontiguousarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))
        fmt = QImage.Format.Format_RGB888
    img = QImage(data.data, w, h, data.strides[0], fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not img.save(str(path), "PNG"):
        raise InputError(f"cannot write {path}: check that the folder exists and is writable.")


def load_events(args: argparse.Namespace) -> np.ndarray:
    from fhud_app.render.synthetic import monologue_words, recurring_concepts

    if args.synthetic:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {args.file} as text: {exc}.") from None
        recs = monologue_words(text)
    else:
        if not Path(args.file).is_file():
            raise InputError(f"{args.file} does not exist: give the path of an audio file.")
        recs = collect_events(args)
    kinds = recs["kind"]
    if not (kinds == Kind.CONCEPT).any():  # no concept stage: recurring words stand in
        log.info("no concepts from the pipeline: using recurring words")
        recs = np.concatenate([recs, recurring_concepts(recs)])
    return recs


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fhud_app.render.headless import OffscreenHud, ensure_gui_app
    from fhud_app.render.particles import ParticleModel

    ensure_gui_app()
    recs = load_events(args)
    if not (recs["kind"] == Kind.WORD).any():
        raise InputError(f"no speech was recognized in {args.file}: nothing to draw.")
    times = event_times(recs)
    until = args.at if args.at is not None else float(np.nanmax(times)) + 1.0
    w, h = args.size
    model = ParticleModel(Config().render, size=(w / args.dpr, h / args.dpr))
    hud = OffscreenHud(model, (w, h), dpr=args.dpr)
    try:
        replay(model, recs, until)
        hud.render()
        write_png(hud.read_rgba(), Path(args.out), args.transparent)
    finally:
        hud.release()
    n_words = int((recs["kind"] == Kind.WORD).sum())
    print(f"wrote {args.out} ({w}x{h}, {n_words} words, {model.concepts.active_count} concepts)",
          file=sys.stderr)
    return 0
