"""Lock-free ring buffers over preallocated numpy arrays.

One writer, any number of readers, each with its own cursor.  The write path
takes no lock and allocates nothing: data is copied into the preallocated
array with at most two slice assignments, then the write counter is published.

Torn reads are impossible by construction (a seqlock in spirit): the writer
publishes ``_reserved`` *before* it touches a slot and ``_count`` *after*.  A
reader copies what it wants, then re-reads ``_reserved``; any record that the
writer may have overwritten during the copy (index < reserved - capacity) is
discarded and counted as dropped for that reader.  Counters only grow, so
``pos = index % capacity`` and nothing is ever reset.

CPython publishes an ``int`` attribute assignment atomically, which is all the
memory ordering this needs; no ``threading.Lock`` is taken anywhere.
"""

from __future__ import annotations

import numpy as np


class Ring:
    """A fixed-capacity ring of records of one numpy dtype (overwrite-oldest)."""

    def __init__(self, capacity: int, dtype: np.dtype | type | str = np.float32) -> None:
        if capacity <= 0:
            raise ValueError("ring capacity must be positive")
        self.capacity = int(capacity)
        self.dtype = np.dtype(dtype)
        self._buf = np.zeros(self.capacity, dtype=self.dtype)
        self._reserved = 0  # index one past the last slot the writer may be touching
        self._count = 0  # index one past the last fully written record

    # ------------------------------------------------------------------ writer
    @property
    def count(self) -> int:
        """Total records ever written (monotonic)."""
        return self._count

    @property
    def overwritten(self) -> int:
        """Records the ring no longer holds (written over by newer ones)."""
        return max(0, self._count - self.capacity)

    def write(self, data: np.ndarray) -> int:
        """Append ``data`` (1-D array of ``dtype``); returns the records written.

        If ``data`` is longer than the ring only its newest ``capacity`` records
        are kept.  Never blocks, never allocates when ``data`` already has the
        ring's dtype.
        """
        n = len(data)
        if n == 0:
            return 0
        cap = self.capacity
        start = self._count
        if n > cap:
            data = data[n - cap :]
            start += n - cap
            n = cap
        end = start + n
        self._reserved = end  # announce the slots we are about to overwrite
        pos = start % cap
        first = min(n, cap - pos)
        self._buf[pos : pos + first] = data[:first]
        if first < n:
            self._buf[: n - first] = data[first:]
        self._count = end  # publish
        return n

    def write_one(self, record: np.void | tuple) -> None:
        """Append a single record (for the low-rate event writers)."""
        start = self._count
        self._reserved = start + 1
        self._buf[start % self.capacity] = record
        self._count = start + 1

    def free_for(self, reader: RingReader) -> int:
        """Slots the writer may fill without overwriting what ``reader`` has not read."""
        return self.capacity - (self._count - reader.cursor)

    def reader(self, *, from_start: bool = False) -> RingReader:
        """A new reader; by default it sees only records written from now on."""
        return RingReader(self, 0 if from_start else self._count)

    # ------------------------------------------------------------------ reader side
    def _copy(self, lo: int, hi: int, out: np.ndarray) -> None:
        cap = self.capacity
        n = hi - lo
        pos = lo % cap
        first = min(n, cap - pos)
        out[:first] = self._buf[pos : pos + first]
        if first < n:
            out[first:n] = self._buf[: n - first]


class RingReader:
    """One consumer's cursor into a :class:`Ring`.  Use from a single thread."""

    def __init__(self, ring: Ring, cursor: int) -> None:
        self.ring = ring
        self.cursor = cursor
        self.dropped = 0  # records this reader lost to overwrite-oldest

    def available(self) -> int:
        return self.ring._count - self.cursor

    def read_into(self, out: np.ndarray) -> int:
        """Copy up to ``len(out)`` unread records into ``out``; returns how many.

        Allocation-free.  Records lost to overwriting are skipped and added to
        :attr:`dropped`; the returned records are never torn.
        """
        ring = self.ring
        cap = ring.capacity
        hi = ring._count
        lo = self.cursor
        if hi - lo > cap:  # fell behind: skip to the oldest record still intact
            self.dropped += hi - cap - lo
            lo = hi - cap
        hi = min(hi, lo + len(out))
        if hi <= lo:
            self.cursor = lo
            return 0
        ring._copy(lo, hi, out)
        # Validate after the copy: anything the writer reserved since may be torn.
        safe_lo = ring._reserved - cap
        if safe_lo > lo:
            if safe_lo >= hi:  # everything copied may be torn (and more was lost)
                self.dropped += safe_lo - lo
                self.cursor = safe_lo
                return 0
            bad = safe_lo - lo
            self.dropped += bad
            n = hi - lo - bad
            out[:n] = out[bad : hi - lo]
            self.cursor = hi
            return n
        self.cursor = hi
        return hi - lo

    def read(self, max_items: int | None = None) -> np.ndarray:
        """Read up to ``max_items`` (default: everything available) into a new array."""
        n = self.available()
        if max_items is not None:
            n = min(n, max_items)
        n = max(0, min(n, self.ring.capacity))
        out = np.empty(n, dtype=self.ring.dtype)
        got = self.read_into(out)
        return out[:got]

    def skip_oldest(self, keep: int) -> int:
        """Drop the unread records older than the newest ``keep`` (counted in
        :attr:`dropped`); returns how many were dropped."""
        n = max(0, self.available() - max(0, keep))
        self.dropped += n
        self.cursor += n
        return n

    def skip_to_newest(self) -> int:
        """Drop everything unread (counted in :attr:`dropped`); returns how many."""
        n = self.available()
        self.dropped += n
        self.cursor = self.ring._count
        return n
