"""The log file, and unhandled exceptions: a traceback in the log and one sentence for the person.

A windowed bundle has no console (``sys.stderr`` is ``None`` there), so what a person
or a bug report needs goes to a rotating file in the user's log folder
(:func:`fhud_app.core.paths.log_dir`).  :func:`install_excepthooks` catches what
nobody caught, in any thread (``sys.excepthook`` also sees exceptions raised in Qt
slots and ``QThread.run``: PySide6 reports them through it), writes the traceback to
the log and hands one sentence to whoever listens (the HUD and the tray).  A crash
in native code writes its stack to the log through :mod:`faulthandler`.  No Qt here.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from fhud_app.core import paths

LOG_NAME = "fhud.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

log = logging.getLogger("fhud")
_listeners: list[Callable[[str], None]] = []
_state: dict[str, object] = {"file": None, "fault": None}


def log_file() -> Path | None:
    """The log file of this process, once :func:`setup` opened one."""
    return _state["file"]  # type: ignore[return-value]


class _Console(logging.StreamHandler):
    """stderr as it is when a record is written (tests and bundles swap or lack it)."""

    fhud_console = True

    def emit(self, record: logging.LogRecord) -> None:
        if sys.stderr is None:
            return
        self.setStream(sys.stderr)
        super().emit(record)


def setup(verbose: bool = False, *, to_file: bool = True) -> Path | None:
    """Log to stderr and, with ``to_file``, to ``<log dir>/fhud.log`` (rotating).

    Like ``logging.basicConfig``, the console handler is added only to a root logger that
    has none.  Returns the log file's path, or ``None`` when there is none (a log folder
    that cannot be written is said on the console).
    """
    root = logging.getLogger()
    level = logging.INFO if verbose else logging.WARNING
    console = next((h for h in root.handlers if getattr(h, "fhud_console", False)), None)
    if console is None and not root.handlers:
        console = _Console()
        console.setFormatter(logging.Formatter("fhud: %(message)s"))
        root.addHandler(console)
    if console is not None:
        console.setLevel(level)
    root.setLevel(logging.INFO if to_file else level)
    if not to_file or _state["file"] is not None:
        return log_file()
    path = paths.log_dir() / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("cannot write the log file %s (%s): logging to the console only.", path, exc.strerror)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    _state["file"] = path
    _state["fault"] = handler.stream
    faulthandler.enable(file=handler.stream, all_threads=True)  # a native crash leaves its stack
    return path


def on_unhandled(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call ``listener(sentence)`` for every unhandled exception; returns the way to stop."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def sentence(exc: BaseException, thread: str | None = None) -> str:
    """The one sentence a person sees for an unhandled exception."""
    where = f" in {thread}" if thread and thread != "MainThread" else ""
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    target = log_file()
    tail = f" Details are in {target}." if target else ""
    return f"fHUD hit an unexpected error{where} ({what}).{tail}"


def report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
           thread: str | None = None) -> str:  # fmt: skip
    """Log the traceback and tell the listeners; returns the sentence."""
    log.error("unhandled exception%s", f" in thread {thread}" if thread else "",
              exc_info=(exc_type, exc, tb))  # fmt: skip
    text = sentence(exc, thread)
    for listener in list(_listeners):
        try:
            listener(text)
        except Exception:  # noqa: BLE001 - a broken listener must not hide the first error
            log.exception("the error listener failed")
    return text


def install_excepthooks() -> None:
    """Route unhandled exceptions of every thread (and of Qt slots) through :func:`report`."""

    def main_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        name = threading.current_thread().name
        text = report(exc_type, exc, tb, None if name == "MainThread" else name)
        if sys.stderr is not None and log_file() is None:
            sys.__excepthook__(exc_type, exc, tb)  # no log file: the console is all there is
        elif sys.stderr is not None:
            print(f"fhud: {text}", file=sys.stderr)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        report(args.exc_type, args.exc_value, args.exc_traceback, name)
        if sys.stderr is not None:
            print(f"fhud: {sentence(args.exc_value, name)}", file=sys.stderr)

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
