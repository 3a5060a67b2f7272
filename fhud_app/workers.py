"""The one shape of a pipeline thread: :class:`Worker`.

A worker is a ``QThread`` whose :meth:`Worker.run` owns its model from load to close:

* :meth:`~Worker.load` runs first, on the worker's thread (the model is never built
  on the GUI thread);
* then :meth:`~Worker.step` is called until :meth:`~Worker.stop` is asked or a step
  returns :attr:`Step.DONE`; a step that found nothing to do returns :attr:`Step.IDLE`
  and the loop waits ``WAIT_S`` on the stop event (never a sleep);
* every ``METRICS_EVERY_S`` the :attr:`~Worker.metrics` signal carries
  :meth:`~Worker.snapshot` (plus the thread's CPU seconds);
* :meth:`~Worker.close` runs last, in a ``finally``, on the same thread, whether the
  load or a step failed or not.

An exception from ``load`` or ``step`` ends the loop: a :class:`FhudError` is a
sentence already; anything else is logged with its traceback first.  Either way
:meth:`~Worker.failed` decides what the person is told (default: the ``error``
signal).  Workers report only through their class-level signals and never touch a
widget.  Qt lives here, not in :mod:`fhud_app.core`.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from typing import Any

from PySide6.QtCore import QThread, Signal

from fhud_app.core.errors import FhudError

log = logging.getLogger(__name__)


class Step(enum.Enum):
    BUSY = "busy"  # did some work: step again at once
    IDLE = "idle"  # nothing to do: wait WAIT_S on the stop event, then step again
    DONE = "done"  # the input is drained: leave the loop (close follows)


class Worker(QThread):
    """Base of :class:`~fhud_app.asr.worker.AsrWorker` and
    :class:`~fhud_app.concepts.worker.ConceptWorker`; subclasses add a ``ready`` signal."""

    loading = Signal(float)  # 0..1 while the model loads
    error = Signal(str)  # one line a person can act on
    metrics = Signal(dict)  # snapshot() + thread_cpu_s, every METRICS_EVERY_S
    drained = Signal()  # the input ended and everything in it was processed

    WAIT_S = 0.04  # wait on the stop event when a step found nothing to do
    METRICS_EVERY_S = 1.0

    def __init__(self) -> None:
        super().__init__()
        self.stop_event = threading.Event()
        self.settled = threading.Event()  # the load ended (loaded, or failed): safe from any thread
        self._last_metrics = 0.0

    # ------------------------------------------------------------------ hooks
    def load(self) -> None:
        """Build the model (on this thread); report progress through ``loading``."""

    def step(self) -> Step:
        """Do one unit of work."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the model (on this thread; also after a failed load)."""

    def snapshot(self) -> dict[str, Any]:
        """The figures the ``metrics`` signal carries (safe to call from any thread)."""
        return {}

    def failed(self, message: str, exc: BaseException) -> None:
        """``load`` or ``step`` raised; ``message`` is one line. Default: emit ``error``."""
        self.error.emit(message)

    def describe(self, exc: BaseException) -> str:
        """The one line for an unexpected exception (a :class:`FhudError` is its own)."""
        return f"{type(self).__name__} stopped: {type(exc).__name__}: {exc}"

    # ------------------------------------------------------------------ control (any thread)
    def stop(self) -> None:
        """Ask the loop to end; then ``wait()``.  ``close`` still runs on the thread."""
        self.stop_event.set()

    # ------------------------------------------------------------------ the thread
    def run(self) -> None:
        try:
            try:
                self.load()
            finally:
                self.settled.set()
            self._loop()
        except Exception as exc:  # a boundary: one line for the person, the traceback in the log
            if isinstance(exc, FhudError):
                message = str(exc)
            else:
                log.exception("%s failed", type(self).__name__)
                message = self.describe(exc)
            self.failed(message, exc)
        finally:
            try:
                self.close()
            except Exception:  # nothing left to tell the person; keep the traceback
                log.exception("%s could not close its model", type(self).__name__)

    def _loop(self) -> None:
        while not self.stop_event.is_set():
            step = self.step()
            if step is Step.DONE:
                return
            if step is Step.IDLE:
                self.stop_event.wait(self.WAIT_S)
            if time.monotonic() - self._last_metrics >= self.METRICS_EVERY_S:
                self.emit_metrics()

    def emit_metrics(self) -> None:
        """Emit ``metrics`` now (on the worker thread)."""
        self._last_metrics = time.monotonic()
        self.metrics.emit({**self.snapshot(), "thread_cpu_s": time.thread_time()})
