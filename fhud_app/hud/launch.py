"""What a launch starts from: the effective config, the audio source, timing traces."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from fhud_app.audio.source import SourceSpec
from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.hud.settings import Settings

DEMO_FILE = "demo/monologue.ogg"


def config_from(args: argparse.Namespace, settings: Settings) -> Config:
    """Defaults, then saved settings, then command-line flags."""
    config = settings.apply(Config())
    config = config.with_("asr", engine=getattr(args, "engine", None))
    config = config.with_("llm", model=getattr(args, "llm", None))
    config = config.with_("audio", device=getattr(args, "device", None))
    if getattr(args, "debug_overlay", False):
        config = config.with_("hud", debug_overlay=True)
    return config


def source_from(args: argparse.Namespace, config: Config) -> SourceSpec:
    """The demo (looping), ``--source FILE``, or the microphone of ``config``."""
    if getattr(args, "demo", False):
        return SourceSpec(paths.repo_resources() / DEMO_FILE, loop=True)
    if getattr(args, "source", None):
        return SourceSpec(Path(args.source))
    device = config.audio.device
    return SourceSpec(None, None if device in (None, "") else str(device))


def ready_text(spec: SourceSpec, engine: str) -> str:
    """The HUD's line once speech recognition runs: what it hears, and with what."""
    if spec.is_mic:
        return f"Listening (speech: {engine})."
    if spec.loop:
        return f"Demo: a recorded monologue, played on a loop (speech: {engine})."
    return f"Playing {spec.path.name} (speech: {engine})."


def trace(event: str) -> None:
    """Timestamps for ``fhud bench startup`` (``FHUD_TRACE=1``), on stdout."""
    if os.environ.get("FHUD_TRACE"):
        print(f"fhud-trace {event} {time.time():.6f}", flush=True)


def leave_now(code: int) -> None:
    """End the process at once, with a worker still inside a model load.

    Joining it could take tens of seconds, and a ``QThread`` destroyed while it runs
    aborts the interpreter; settings were synced by ``App.quit`` and the GUI keeps
    nothing else on disk, so flushing the output is all that is left to do.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)

