"""``fhud`` with no subcommand: the menu-bar/tray app and the HUD.

The flags (``--demo``, ``--source``, ``--device``, ``--exit-after``,
``--debug-overlay``) live on the top-level parser in :mod:`fhud_app.cli`.
The real view and pipeline are built by the composition root
(:func:`fhud_app.app.make_view`, :func:`fhud_app.app.make_pipeline`) and handed
to :func:`fhud_app.app_gui.run_gui`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fhud_app.core.errors import InputError


def run(args: argparse.Namespace) -> int:
    if args.source and not Path(args.source).is_file():
        raise InputError(f"{args.source}: no such file; pass an audio file to --source.")
    if args.exit_after is not None and args.exit_after <= 0:
        raise InputError("--exit-after needs a positive number of seconds.")
    from fhud_app.render.widget import set_default_surface_format

    set_default_surface_format()  # before the QApplication exists
    from fhud_app.app import make_pipeline, make_view
    from fhud_app.app_gui import run_gui

    try:
        return run_gui(args, view_factory=make_view, pipeline_factory=make_pipeline)
    except Exception as exc:  # noqa: BLE001 - a windowed app has no console: say it, log it
        from fhud_app.hud.crash import fatal

        fatal(exc)
        return 1
