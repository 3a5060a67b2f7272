"""The second pass beside the stream: a closed utterance decoded again as a whole on a thread
of its own, from the last minute of audio kept in a preallocated ring (Qt-free)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fhud_app.asr.base import Word
from fhud_app.asr.commit import Decode
from fhud_app.core.config import SAMPLE_RATE

log = logging.getLogger(__name__)


class AudioHistory:
    """The last ``seconds`` of the stream in a preallocated ring (the second pass reads it)."""

    def __init__(self, seconds: float) -> None:
        self.data = np.zeros(int(seconds * SAMPLE_RATE), np.float32)
        self.total = 0  # samples written

    def write(self, samples: np.ndarray) -> None:
        cap, n = len(self.data), len(samples)
        if n >= cap:
            samples, self.total = samples[n - cap :], self.total + n - cap
            n = cap
        pos = self.total % cap
        first = min(n, cap - pos)
        self.data[pos : pos + first] = samples[:first]
        self.data[: n - first] = samples[first:]
        self.total += n

    def read(self, start: int, stop: int) -> tuple[int, np.ndarray]:
        """Samples ``[start, stop)`` (absolute), clipped to what is kept; returns the first's index."""
        start, stop = max(start, self.total - len(self.data), 0), min(stop, self.total)
        if stop <= start:
            return start, np.zeros(0, np.float32)
        idx = np.arange(start, stop) % len(self.data)
        return start, self.data[idx]


@dataclass
class PassJob:
    utterance: int
    audio: np.ndarray
    offset_s: float  # the audio's first sample, in stream seconds
    keep_from: float  # words centred before this belong to the previous utterance
    record: Decode  # what the VAD knew when the utterance ended (its words come later)


class PassBeside:
    """Second passes decoded on a thread of their own, so that the live words never wait
    for one (a minute-long utterance's pass costs seconds of CPU).  Jobs go in and results
    come out in order; a pass that raises gives ``None`` words (the utterance closes as it
    stands) and its traceback is logged."""

    def __init__(self, decode: Callable[[PassJob], list[Word]]) -> None:
        self._decode = decode
        self._jobs: queue.SimpleQueue[PassJob | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[PassJob, list[Word] | None]] = queue.SimpleQueue()
        self.pending = 0  # submitted, not taken back yet (the engine's thread only)
        self._thread = threading.Thread(target=self._run, name="asr-second-pass", daemon=True)
        self._thread.start()

    def submit(self, job: PassJob) -> None:
        self.pending += 1
        self._jobs.put(job)

    def take(self, wait: bool = False) -> list[tuple[PassJob, list[Word] | None]]:
        """The finished passes (with ``wait``, all of them, waiting for the last)."""
        out = []
        while self.pending:
            try:
                out.append(self._done.get(block=wait))
            except queue.Empty:
                break
            self.pending -= 1
        return out

    def close(self) -> None:
        """Stop after the pass under way (not waited for long: a quit must be quick; the
        thread is a daemon and drops its job's result)."""
        self._jobs.put(None)
        self._thread.join(timeout=0.5)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                words: list[Word] | None = self._decode(job)
            except Exception:  # the utterance keeps its streamed words; the stream goes on
                log.exception("the second pass over utterance %d failed", job.utterance)
                words = None
            self._done.put((job, words))
