"""``fhud --selftest``: prove that this install (a source tree or a bundle) has what it needs.

One line per check, ``PASS``/``FAIL``, its time and a detail; exit status 0 only when
every check passed.  The checks (:mod:`fhud_app.selftest.checks`): the files opened by
path, the embedded speech model on a bundled sentence, the concept model on what was
heard, one HUD frame through EGL, the sound library, the global-hotkey backend, and,
last, that the process opened no network socket on the way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from fhud_app.core.errors import FhudError
from fhud_app.selftest.checks import CheckFailed, State
from fhud_app.selftest.layout import Layout
from fhud_app.selftest.network import NetworkWatch

Check = Callable[..., str]


def _checks() -> list[tuple[str, Check]]:
    from fhud_app.selftest import checks

    return [
        ("files", checks.check_files),
        ("speech model", checks.check_speech),
        ("concept model", checks.check_concepts),
        ("HUD frame (EGL)", checks.check_render),
        ("sound library", checks.check_sound),
        ("global hotkey", checks.check_hotkey),
    ]


def run_check(name: str, check: Check, state: object, out: Any = None) -> bool:
    t0 = time.monotonic()
    ok = False
    try:
        detail, ok = check(state), True
    except (CheckFailed, FhudError) as exc:
        detail = str(exc)
    except Exception as exc:  # noqa: BLE001 - every failure is one line, not a traceback
        detail = f"{type(exc).__name__}: {exc} (at {_where(exc)})"
    print(f"{'PASS' if ok else 'FAIL'}  {name:<16} {time.monotonic() - t0:6.2f} s  {detail}",
          file=out, flush=True)  # fmt: skip
    return ok


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}" if last else "?"


def attach_console() -> None:
    """A windowed bundle starts with ``sys.stdout`` None; run from a terminal, it still
    inherits the terminal's descriptors: write the report there."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is None:
            try:
                os.fstat(fd)
            except OSError:
                continue
            setattr(sys, name, open(fd, "w", buffering=1, closefd=False))  # noqa: SIM115


def run(args: argparse.Namespace) -> int:
    watch = NetworkWatch().install()  # before any model or library is loaded
    attach_console()
    t0 = time.monotonic()
    print(f"fhud --selftest ({'bundle' if getattr(sys, 'frozen', False) else 'source tree'}, "
          f"{sys.platform})", flush=True)  # fmt: skip
    try:
        state = State(Layout.current())
    except Exception as exc:  # noqa: BLE001 - PySide6 or the Whisper package cannot be imported
        print(f"FAIL  {'files':<16} {0:6.2f} s  {type(exc).__name__}: {exc}", flush=True)
        return 1
    results = [run_check(name, check, state) for name, check in _checks()]
    results.append(run_check("no network", lambda _s: _network(watch), state))
    passed = sum(results)
    verdict = "all passed" if all(results) else f"{len(results) - passed} failed"
    print(f"{passed}/{len(results)} checks passed in {time.monotonic() - t0:.1f} s: {verdict}.", flush=True)
    return 0 if all(results) else 1


def _network(watch: NetworkWatch) -> str:
    used = watch.report()
    if used:
        raise CheckFailed(f"the process used the network: {'; '.join(used[:5])}.")
    return "no internet socket opened, no name looked up"
