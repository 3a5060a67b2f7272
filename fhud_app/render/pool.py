"""A fixed-capacity pool of particle slots with free-list reuse and dirty tracking.

Qt-free.  Each slot is one GPU vertex of ``PARTICLE_FLOATS`` float32 values; the
GPU animates a particle from these alone plus a time uniform, so a slot is
written once when it is spawned (or retargeted) and never again.

Layout of one slot (two vec4 attributes in the shader)::

    a_spawn  = (origin.x, origin.y, target concept slot or -1, seed)
    a_timing = (t0, travel seconds, life seconds, size px)
"""

from __future__ import annotations

import numpy as np

PARTICLE_FLOATS = 8
_MAX_RUNS = 8  # more dirty runs than this are uploaded as one covering range


class ParticlePool:
    """Slots ``0..capacity-1``; allocation never grows the arrays."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("particle capacity must be positive")
        self.capacity = int(capacity)
        self.data = np.zeros((self.capacity, PARTICLE_FLOATS), dtype=np.float32)
        self.data[:, 6] = -1.0  # life < 0: a dead slot (the shader hides it)
        self.expires = np.full(self.capacity, -np.inf)
        self._free = np.arange(self.capacity - 1, -1, -1, dtype=np.int64)  # a stack
        self._nfree = self.capacity
        self._dirty = np.zeros(self.capacity, dtype=bool)
        self._any_dirty = False
        self.recycled = 0  # live particles dropped because the pool was full
        self.high_water = 0  # one past the highest live slot: the draw call stops there

    # ------------------------------------------------------------ allocation
    @property
    def live(self) -> int:
        return self.capacity - self._nfree

    def reclaim(self, now: float) -> int:
        """Return expired slots to the free list (no GPU write needed: they are hidden)."""
        live_mask = np.ones(self.capacity, dtype=bool)
        live_mask[self._free[: self._nfree]] = False
        dead = np.flatnonzero(live_mask & (self.expires <= now))
        if dead.size:
            self._push(dead)
            live_mask[dead] = False
        self.high_water = self._high_water(live_mask)
        return int(dead.size)

    @staticmethod
    def _high_water(live_mask: np.ndarray) -> int:
        idx = np.flatnonzero(live_mask)
        return int(idx[-1]) + 1 if idx.size else 0

    def _push(self, slots: np.ndarray) -> None:
        # Highest first, so pops hand out ascending, mostly contiguous runs.
        slots = np.sort(slots)[::-1]
        n = slots.size
        self._free[self._nfree : self._nfree + n] = slots
        self._nfree += n
        self.expires[slots] = -np.inf

    def allocate(self, n: int) -> np.ndarray:
        """``n`` slot indices; when the pool is full the oldest live particles are reused."""
        n = int(min(max(n, 0), self.capacity))
        take = min(n, self._nfree)
        out = self._free[self._nfree - take : self._nfree][::-1].copy()
        self._nfree -= take
        if take < n:
            out = np.concatenate([out, self._steal(n - take, exclude=out)])
        if out.size:
            self.high_water = max(self.high_water, int(out.max()) + 1)
        return out

    def _steal(self, n: int, exclude: np.ndarray) -> np.ndarray:
        exp = self.expires.copy()
        exp[exclude] = np.inf
        oldest = np.argpartition(exp, n - 1)[:n]
        self.recycled += n
        return oldest.astype(np.int64)

    def write(self, slots: np.ndarray, rows: np.ndarray, expires: np.ndarray) -> None:
        self.data[slots] = rows
        self.expires[slots] = expires
        self._dirty[slots] = True
        self._any_dirty = True

    def touch(self, slots: np.ndarray) -> None:
        self._dirty[slots] = True
        self._any_dirty = True

    # ------------------------------------------------------------ uploads
    def take_dirty(self) -> list[tuple[int, int]]:
        """Contiguous ``[lo, hi)`` slot ranges written since the last call (then clears)."""
        if not self._any_dirty:
            return []
        idx = np.flatnonzero(self._dirty)
        self._dirty[idx] = False
        self._any_dirty = False
        breaks = np.flatnonzero(np.diff(idx) > 1)
        if breaks.size + 1 > _MAX_RUNS:
            return [(int(idx[0]), int(idx[-1]) + 1)]
        starts = np.concatenate([[idx[0]], idx[breaks + 1]])
        ends = np.concatenate([idx[breaks], [idx[-1]]]) + 1
        return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]

    def live_slots(self) -> np.ndarray:
        mask = np.ones(self.capacity, dtype=bool)
        mask[self._free[: self._nfree]] = False
        return np.flatnonzero(mask)
