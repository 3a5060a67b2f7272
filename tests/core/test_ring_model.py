"""The ring against a simple list model (hypothesis state machine)."""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fhud_app.core.ring import Ring


class RingMachine(RuleBasedStateMachine):
    @initialize(capacity=st.integers(1, 12))
    def setup(self, capacity):
        self.ring = Ring(capacity, np.int64)
        self.written: list[int] = []
        self.readers: list = []
        self.model_cursors: list[int] = []

    @rule()
    def add_reader(self):
        self.readers.append(self.ring.reader())
        self.model_cursors.append(len(self.written))

    @rule(n=st.integers(0, 30))
    def write(self, n):
        values = np.arange(len(self.written), len(self.written) + n, dtype=np.int64)
        self.ring.write(values)
        self.written.extend(values.tolist())

    @rule(data=st.data())
    def read(self, data):
        if not self.readers:
            return
        i = data.draw(st.integers(0, len(self.readers) - 1))
        limit = data.draw(st.none() | st.integers(0, 20))
        reader = self.readers[i]
        cursor = self.model_cursors[i]
        oldest_kept = max(0, len(self.written) - self.ring.capacity)
        expected_drop = max(0, oldest_kept - cursor)
        start = max(cursor, oldest_kept)
        stop = len(self.written) if limit is None else min(len(self.written), start + limit)
        dropped_before = reader.dropped
        got = reader.read(limit).tolist()
        assert got == self.written[start:stop]
        assert reader.dropped - dropped_before == expected_drop
        self.model_cursors[i] = stop

    @invariant()
    def counters_agree(self):
        if not hasattr(self, "ring"):
            return
        assert self.ring.count == len(self.written)
        assert self.ring.overwritten == max(0, len(self.written) - self.ring.capacity)
        for reader, cursor in zip(self.readers, self.model_cursors, strict=True):
            assert reader.available() == len(self.written) - cursor


TestRingMachine = RingMachine.TestCase
TestRingMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
