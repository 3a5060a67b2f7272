"""``fhud bench rings``: the audio-callback write path and ring vs ``queue.Queue``.

1. The real microphone callback (``MicSource``'s) writing 20 ms blocks into the
   audio ring: per-call cost p50/p99 and bytes allocated in steady state.
2. Word event records moved writer → reader in batches through the event ring,
   against ``queue.Queue`` put/get of the same records, side by side in one run.
"""

from __future__ import annotations

import argparse
import gc
import queue
import time
import tracemalloc

import numpy as np

from fhud_app.bench.common import Figure, percentile, report
from fhud_app.core.events import EVENT_DTYPE, Kind, encode_text
from fhud_app.core.ring import Ring


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=50_000, help="callback calls to time")
    parser.add_argument("--records", type=int, default=200_000, help="event records to move")
    parser.add_argument("--batch", type=int, default=256, help="records per ring batch")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")


class _NoSoundCard:
    """Just enough of sounddevice to build a MicSource without a sound card."""

    class default:  # noqa: N801 - mirrors sounddevice.default
        device = (0, 0)

    @staticmethod
    def query_devices(index=None):
        dev = {"name": "bench input", "max_input_channels": 1, "default_samplerate": 16000.0}
        return dev if index is not None else [dev]

    @staticmethod
    def check_input_settings(**_):
        return None


def _callback_and_block():
    from fhud_app.audio.mic_source import MicSource
    from fhud_app.core.config import AudioConfig

    cfg = AudioConfig()
    ring = Ring(int(cfg.sample_rate * cfg.ring_seconds), np.float32)
    source = MicSource(ring, block_ms=cfg.block_ms, backend=_NoSoundCard)
    block = np.random.default_rng(0).standard_normal((source.blocksize, 1)).astype(np.float32)
    return source._callback, block


def bench_callback(calls: int) -> tuple[float, float, int, int]:
    callback, block = _callback_and_block()
    frames = len(block)
    for _ in range(2000):  # warm up
        callback(block, frames, None, 0)
    costs = np.empty(calls, np.int64)
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for i in range(calls):
            t0 = clock()
            callback(block, frames, None, 0)
            costs[i] = clock() - t0
    finally:
        gc.enable()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for _ in range(5000):
        callback(block, frames, None, 0)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # A copy of the block (1280 B) per call would show in the peak; Python's own
    # counters (ints) account for the few bytes that remain.
    return percentile(costs, 50) / 1e3, percentile(costs, 99) / 1e3, current - before, peak - before


def _records(n: int) -> np.ndarray:
    recs = np.zeros(n, EVENT_DTYPE)
    recs["kind"] = int(Kind.WORD)
    recs["start"] = np.arange(n) * 0.3
    recs["end"] = recs["start"] + 0.25
    recs["value"] = 0.9
    recs["text"] = encode_text("crystallize")
    return recs


def bench_ring(recs: np.ndarray, batch: int) -> float:
    ring = Ring(4096, EVENT_DTYPE)
    reader = ring.reader()
    out = np.empty(batch, EVENT_DTYPE)
    moved = 0
    t0 = time.perf_counter()
    for i in range(0, len(recs), batch):
        ring.write(recs[i : i + batch])
        moved += reader.read_into(out)
    dt = time.perf_counter() - t0
    assert moved == len(recs) and reader.dropped == 0
    return len(recs) / dt


def bench_queue(recs: np.ndarray, batch: int) -> float:
    items = recs.tolist()  # one Python tuple per record, made before the clock starts
    q: queue.Queue = queue.Queue(maxsize=4096)
    moved = 0
    t0 = time.perf_counter()
    for i in range(0, len(items), batch):
        for rec in items[i : i + batch]:
            q.put(rec)
        while not q.empty():
            q.get()
            moved += 1
    dt = time.perf_counter() - t0
    assert moved == len(recs)
    return len(recs) / dt


def run(args: argparse.Namespace) -> int:
    p50, p99, grown, peak = bench_callback(args.calls)
    block_bytes = 4 * 320
    recs = _records(args.records)
    ring_rate = queue_rate = 0.0
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        ring_rate = max(ring_rate, bench_ring(recs, args.batch))
        queue_rate = max(queue_rate, bench_queue(recs, args.batch))
    ratio = ring_rate / queue_rate
    return report(
        "Rings",
        [
            Figure("audio callback p50", p50, None, " µs"),
            Figure("audio callback p99", p99, 20.0, " µs"),
            Figure("bytes retained after 5000 callbacks", grown, 256.0, " B"),
            Figure("peak transient bytes during them", peak, block_bytes - 1.0, " B"),
            Figure("event ring records/s (batches)", ring_rate, None),
            Figure("queue.Queue records/s (same records)", queue_rate, None),
            Figure("ring / queue throughput", ratio, 10.0, "×", higher_is_better=True),
        ],
    )
