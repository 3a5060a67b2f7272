"""A writer and several readers on real threads: sequence numbers must check out."""

from __future__ import annotations

import threading

import numpy as np

from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.ring import Ring

N_RECORDS = 200_000


def _writer(ring: Ring, done: threading.Event) -> None:
    seq = 0
    batch = np.zeros(37, dtype=EVENT_DTYPE)
    while seq < N_RECORDS:
        n = min(len(batch), N_RECORDS - seq)
        ids = np.arange(seq, seq + n)
        batch["id"][:n] = ids
        batch["count"][:n] = ids * 7 + 3  # a second field that must agree with the first
        batch["start"][:n] = ids * 0.5
        ring.write(batch[:n])
        seq += n
    done.set()


def _reader(ring: Ring, done: threading.Event, result: dict) -> None:
    reader = ring.reader(from_start=True)
    out = np.empty(64, dtype=EVENT_DTYPE)
    last = -1
    seen = 0
    errors = []
    while True:
        finished = done.is_set()
        n = reader.read_into(out)
        if n:
            ids = out["id"][:n].astype(np.int64)
            if ids[0] <= last or np.any(np.diff(ids) != 1):
                errors.append((last, ids[:4].tolist()))
            if np.any(out["count"][:n] != ids * 7 + 3) or np.any(out["start"][:n] != ids * 0.5):
                errors.append(("torn", ids[0]))
            last = int(ids[-1])
            seen += n
        elif finished:
            break
    result.update(seen=seen, dropped=reader.dropped, last=last, errors=errors)


def test_concurrent_writer_and_readers_never_see_torn_or_reordered_records():
    ring = Ring(512, EVENT_DTYPE)
    done = threading.Event()
    results = [dict() for _ in range(3)]
    threads = [threading.Thread(target=_reader, args=(ring, done, r)) for r in results]
    threads.append(threading.Thread(target=_writer, args=(ring, done)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    for r in results:
        assert r["errors"] == []
        assert r["last"] == N_RECORDS - 1
        assert r["seen"] + r["dropped"] == N_RECORDS  # every record read or counted


def test_audio_ring_with_backpressure_loses_nothing():
    ring = Ring(4096, np.float32)
    reader = ring.reader()
    total = 300_000
    got = np.empty(total, np.float32)
    done = threading.Event()

    def produce():
        i = 0
        idle = threading.Event()
        while i < total:
            free = ring.free_for(reader)
            if free == 0:
                idle.wait(0.0005)
                continue
            n = min(free, 320, total - i)
            ring.write(np.arange(i, i + n, dtype=np.float32))
            i += n
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    pos = 0
    buf = np.empty(1024, np.float32)
    while pos < total:
        n = reader.read_into(buf)
        got[pos : pos + n] = buf[:n]
        pos += n
        if n == 0 and done.is_set() and reader.available() == 0:
            break
    t.join(timeout=60)
    assert reader.dropped == 0
    np.testing.assert_array_equal(got, np.arange(total, dtype=np.float32))
