"""Non-finite samples (NaN, ±Inf) replaced with silence where audio enters the app.

One NaN reaching the speech model spreads through its whole window (a resampler, an FFT,
an attention layer), so 16 ms of NaN cost seconds of transcript.  Files are cleaned once
after decoding (:func:`replace_non_finite`); the microphone callback uses a
:class:`FiniteGuard`, which allocates nothing.  Both count what they replaced, so the
app can say so once.
"""

from __future__ import annotations

import numpy as np


def replace_non_finite(samples: np.ndarray) -> int:
    """Set the NaN and infinite samples of ``samples`` to 0 in place; how many there were."""
    bad = ~np.isfinite(samples)
    count = int(np.count_nonzero(bad))
    if count:
        samples[bad] = 0.0
    return count


def describe(count: int, rate: int, where: str) -> str:
    """The one line a person reads about ``count`` replaced samples at ``rate`` Hz."""
    ms = 1000.0 * count / rate
    span = f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
    return (f"{where}: {count} samples ({span}) were not numbers (NaN or infinite) "
            "and were replaced with silence.")  # fmt: skip


def source_note(source: object, where: str) -> str | None:
    """The line about ``source``'s replaced samples (``nonfinite``), or None when there were none."""
    count = int(getattr(source, "nonfinite", 0) or 0)
    if not count:
        return None
    rate = getattr(source, "native_rate", None) or getattr(source, "sample_rate", 16_000)
    return describe(count, int(rate), where)


class FiniteGuard:
    """Cleans audio blocks of up to ``capacity`` samples without allocating an array.

    :meth:`clean` returns the block itself when every sample is finite, else a cleaned
    copy in a preallocated buffer (valid until the next call); :attr:`count` adds up the
    samples replaced.  Larger blocks than ``capacity`` are cleaned by allocation.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.count = 0
        self._finite = np.ones(capacity, bool)
        self._out = np.zeros(capacity, np.float32)

    def clean(self, block: np.ndarray) -> np.ndarray:
        n = len(block)
        if n > self.capacity:  # not expected with a fixed PortAudio block size
            out = np.array(block, np.float32)
            self.count += replace_non_finite(out)
            return out
        finite = self._finite[:n]
        np.isfinite(block, out=finite)
        if finite.all():
            return block
        out = self._out[:n]
        np.copyto(out, block)
        np.logical_not(finite, out=finite)
        self.count += int(np.count_nonzero(finite))
        np.copyto(out, 0.0, where=finite)
        return out
