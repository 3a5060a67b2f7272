"""``fhud`` with no subcommand: the menu-bar/tray app and the HUD.

The flags (``--demo``, ``--source``, ``--device``, ``--exit-after``,
``--debug-overlay``) live on the top-level parser in :mod:`fhud_app.cli`.
This module chooses the real view and pipeline and hands them to
:func:`fhud_app.app_gui.run_gui`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from fhud_app.core.config import Config
from fhud_app.core.errors import InputError

FILE_PACE_S = 0.1  # a file played in real time wakes 10 times a second, not per 20 ms block


def make_view(config: Config, _parent: Any = None) -> QWidget:
    """The GL particle view (the render package's widget) for ``config``."""
    from fhud_app.render.particles import ParticleModel
    from fhud_app.render.widget import HudGLWidget

    model = ParticleModel(config.render, size=(float(config.hud.width), float(config.hud.height)))
    view = HudGLWidget(model, (), config.render)
    view.set_debug_overlay(config.hud.debug_overlay)
    return view


def make_pipeline(config: Config, feed: Any) -> Any:
    """The headless pipeline of :mod:`fhud_app.app`, fed by the microphone or a file
    (paced in real time, as a microphone would be; the demo's file loops in the same
    pipeline: the models load once and concept ids keep counting)."""
    from fhud_app.app import SourceSpec, build_pipeline

    if feed.file is not None:
        spec = SourceSpec(Path(feed.file), loop=bool(feed.loop), pace_s=FILE_PACE_S)
    else:
        spec = SourceSpec(None, feed.device or None)
    return build_pipeline(config, spec, realtime=True)


def run(args: argparse.Namespace) -> int:
    if args.source and not Path(args.source).is_file():
        raise InputError(f"{args.source}: no such file; pass an audio file to --source.")
    if args.exit_after is not None and args.exit_after <= 0:
        raise InputError("--exit-after needs a positive number of seconds.")
    from fhud_app.render.widget import set_default_surface_format

    set_default_surface_format()  # before the QApplication exists
    from fhud_app.app_gui import run_gui

    return run_gui(args, view_factory=make_view, pipeline_factory=make_pipeline)
