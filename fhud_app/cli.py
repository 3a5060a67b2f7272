"""The ``fhud`` command line: ``fhud`` (the app), ``fhud transcribe``, ``snapshot``, ``bench``, ``sessions``.

Each subcommand lives in ``fhud_app/commands/<name>.py`` with ``add_arguments(parser)``
and ``run(args) -> int`` and is imported only when used, so ``fhud --help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from fhud_app import __version__
from fhud_app.commands.argtypes import number
from fhud_app.core import logs
from fhud_app.core.errors import FhudError
from fhud_app.core.pipes import BROKEN_PIPE_EXIT, silence_closed_output
from fhud_app.core.privacy import disable_telemetry

COMMANDS = {
    "transcribe": "print the words (and concepts) of an audio file as a live captioner would",
    "snapshot": "run the pipeline over an audio file and save the final HUD frame as a PNG",
    "bench": "measure the figures recorded in docs/benchmarks.md",
    "sessions": "the sessions you kept: list, show, search, export, delete, concepts across them",
}


def _add_common(p: argparse.ArgumentParser, *, sub: bool = False) -> None:
    # On a subcommand the defaults are suppressed so `fhud --engine X transcribe` keeps X.
    default = argparse.SUPPRESS if sub else None
    p.add_argument("--engine", default=default, help="ASR engine: auto | parakeet | whisper")
    p.add_argument("--llm", default=default, help="concept model: auto | embedded | none | <hub id or folder>")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS if sub else False,
                   help="log progress to stderr")


_VALUE_OPTIONS = {"--engine", "--llm", "--source", "--device", "--exit-after"}


def chosen_command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (so only its module is imported)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fhud", description="fHUD, the thought crystallizer.")
    parser.add_argument("--version", action="version", version=f"fhud {__version__}")
    _add_common(parser)
    parser.add_argument("--demo", action="store_true", help="feed the HUD from the bundled demo speech (looping)")
    parser.add_argument("--source", metavar="FILE", help="feed the HUD from an audio file instead of the microphone")
    parser.add_argument("--device", default=None, help="input device (name substring or index)")
    parser.add_argument("--exit-after", type=seconds, metavar="SECONDS",
                        help=f"quit after this many seconds (at most {MAX_EXIT_AFTER_S:.0f})")
    parser.add_argument("--debug-overlay", action="store_true", help="show the debug overlay")
    parser.add_argument("--selftest", action="store_true",
                        help="check that this install has its files, models, GL, sound and hotkey; exit 0 if so")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            _add_common(p, sub=True)
            importlib.import_module(f"fhud_app.commands.{name}").add_arguments(p)
    return parser


MAX_EXIT_AFTER_S = 7 * 24 * 3600.0  # a week; Qt timers end at 24.8 days


seconds = number("seconds", high=MAX_EXIT_AFTER_S, high_note="(a week)")


def _check_llm(value: str | None) -> None:
    if value is not None:
        from fhud_app.concepts.choice import parse_llm
        from fhud_app.core.config import LlmConfig

        parse_llm(value, hub_model=LlmConfig().hub_model)  # raises a one-sentence ModelError


def _check_engine(value: str | None) -> None:
    if value is not None and value not in ("auto", "parakeet", "whisper"):
        raise FhudError(f"unknown ASR engine {value!r}: use auto, parakeet or whisper.")


def main(argv: list[str] | None = None) -> int:
    disable_telemetry()  # before any library that reads its switch at import
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(chosen_command(argv)).parse_args(argv)
    name = args.command or ("selftest" if args.selftest else "gui")
    # The app logs to a rotating file (a windowed bundle has no console); commands to stderr.
    logs.setup(args.verbose, to_file=name == "gui")
    if name == "gui":
        logs.install_excepthooks()
    try:
        _check_engine(args.engine)
        _check_llm(args.llm)
        module = importlib.import_module(f"fhud_app.commands.{name}")
        return int(module.run(args) or 0)
    except FhudError as exc:
        print(f"fhud: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # any command's reader went away (``| head``): quietly
        silence_closed_output(sys.stdout)
        return BROKEN_PIPE_EXIT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
