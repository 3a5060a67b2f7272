"""What a launch starts from: the effective config, the audio feed, timing traces."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from fhud_app.core import paths
from fhud_app.core.config import Config
from fhud_app.hud.settings import Settings

DEMO_FILE = "demo/monologue.ogg"


class Feed:
    """Where the audio comes from: the microphone (``device``) or a file, maybe looping."""

    def __init__(self, *, file: str | None = None, loop: bool = False, device: str = "") -> None:
        self.file, self.loop, self.device = file, loop, device

    @property
    def is_mic(self) -> bool:
        return self.file is None

    def ready_text(self, engine: str) -> str:
        """The HUD's line once speech recognition runs: what it hears, and with what."""
        if self.is_mic:
            return f"Listening (speech: {engine})."
        if self.loop:
            return f"Demo: a recorded monologue, played on a loop (speech: {engine})."
        return f"Playing {os.path.basename(self.file)} (speech: {engine})."


def config_from(args: argparse.Namespace, settings: Settings) -> Config:
    """Defaults, then saved settings, then command-line flags."""
    config = settings.apply(Config())
    config = config.with_("asr", engine=getattr(args, "engine", None))
    config = config.with_("llm", model=getattr(args, "llm", None))
    config = config.with_("audio", device=getattr(args, "device", None))
    if getattr(args, "debug_overlay", False):
        config = config.with_("hud", debug_overlay=True)
    return config


def feed_from(args: argparse.Namespace, config: Config) -> Feed:
    if getattr(args, "demo", False):
        return Feed(file=str(paths.repo_resources() / DEMO_FILE), loop=True)
    if getattr(args, "source", None):
        return Feed(file=args.source, loop=False)
    device = config.audio.device
    return Feed(device="" if device is None else str(device))


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

