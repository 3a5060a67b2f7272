"""``fhud`` with no subcommand: the menu-bar/tray app and the HUD.

The flags (``--demo``, ``--source``, ``--device``, ``--exit-after``,
``--debug-overlay``) live on the top-level parser in :mod:`fhud_app.cli`.
The real view and pipeline are built by the composition root
(:func:`fhud_app.app.make_view`, :func:`fhud_app.app.make_pipeline`) and handed
to :class:`fhud_app.app_gui.App` by :func:`run_gui`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fhud_app.core.errors import InputError

if TYPE_CHECKING:
    from fhud_app.hud.parts import PipelineFactory, ViewFactory
    from fhud_app.hud.single_instance import SingleInstance


def run(args: argparse.Namespace) -> int:
    if args.source and not Path(args.source).is_file():
        raise InputError(f"{args.source}: no such file; pass an audio file to --source.")
    if args.exit_after is not None and args.exit_after <= 0:
        raise InputError("--exit-after needs a positive number of seconds.")
    from fhud_app.render.widget import set_default_surface_format

    set_default_surface_format()  # before the QApplication exists
    from fhud_app.app import make_pipeline, make_view

    try:
        return run_gui(args, view_factory=make_view, pipeline_factory=make_pipeline)
    except Exception as exc:  # noqa: BLE001 - a windowed app has no console: say it, log it
        from fhud_app.hud.crash import fatal

        fatal(exc)
        return 1


def run_gui(args: argparse.Namespace, *, view_factory: ViewFactory, pipeline_factory: PipelineFactory) -> int:
    """Build the app, show the HUD, run the event loop; the exit status."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from fhud_app.app_gui import App
    from fhud_app.core import paths
    from fhud_app.hud.crash import CrashBridge
    from fhud_app.hud.launch import config_from, feed_from, leave_now, trace
    from fhud_app.hud.settings import Settings
    from fhud_app.hud.single_instance import SingleInstance
    from fhud_app.hud.unix_signals import quit_on_signals

    trace("main")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("fhud")
    app.setApplicationDisplayName("fHUD")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(paths.repo_resources() / "icon.png")))
    instance = SingleInstance(paths.data_dir())
    if not instance.acquire():
        return _already_running(instance, args)
    settings = Settings()
    config = config_from(args, settings)
    gui = App(config, feed_from(args, config), settings, view_factory=view_factory,
              pipeline_factory=pipeline_factory)  # fmt: skip
    CrashBridge(gui.show_error, gui)  # unhandled exceptions, any thread: HUD + tray + log
    instance.show_requested.connect(gui.show_hud)  # a second launch asked for the HUD
    wakeup = quit_on_signals(gui.quit, gui)  # before the window shows: no unhandled window
    gui.start(args.exit_after)
    code = app.exec()
    wakeup.close()
    instance.release()
    # Settings are synced and the session flushed (App.quit): leave now.  A worker may still be
    # inside a model load, and the interpreter's teardown of the engines' native libraries
    # took seconds; SIGTERM and SIGINT must end the app within 2 s.
    leave_now(int(code))
    return int(code)  # not reached


def _already_running(instance: SingleInstance, args: argparse.Namespace) -> int:
    """A second launch: ask the first to show its HUD, and say so."""
    from fhud_app.hud.single_instance import ALREADY_RUNNING

    pid = instance.owner()
    who = f" (process {pid})" if pid else ""
    chose = any(getattr(args, name, None) for name in ("demo", "source", "device", "engine", "llm"))
    after = " Quit it first to start with other options." if chose else ""
    if instance.ask_to_show():
        print(f"fhud: {ALREADY_RUNNING}{who}: its HUD is shown.{after}", file=sys.stderr)
    else:
        print(f"fhud: {ALREADY_RUNNING}{who}: use its menu, or quit it first.", file=sys.stderr)
    return 0
