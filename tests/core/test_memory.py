"""release_heap hands freed heap back; HeapTrim does so at most every so often."""

from __future__ import annotations

import sys

from fhud_app.core.memory import HeapTrim, release_heap, rss_mb


def test_heap_trim_runs_at_most_every_interval() -> None:
    now = [0.0]
    calls: list[float] = []
    trim = HeapTrim(30.0, clock=lambda: now[0], release=lambda: calls.append(now[0]) or True)
    assert not trim.maybe()  # just made
    now[0] = 29.9
    assert not trim.maybe()
    now[0] = 30.0
    assert trim.maybe() and calls == [30.0]
    now[0] = 45.0
    assert not trim.maybe()
    now[0] = 61.0
    assert trim.maybe() and calls == [30.0, 61.0] and trim.count == 2


def test_release_heap_gives_freed_pages_back() -> None:
    if not sys.platform.startswith("linux"):
        assert release_heap() is False
        return
    chunks = [bytearray(64 * 1024) for _ in range(4000)]  # ~250 MB in heap-sized chunks
    for c in chunks:
        c[::4096] = b"x" * len(c[::4096])  # touch every page
    keep = chunks[::50]  # a few survivors pin the heap's top: only a trim frees the middle
    del chunks
    before = rss_mb()
    assert release_heap() is True
    after = rss_mb()
    assert before is not None and after is not None
    assert after < before - 100, (before, after)
    assert len(keep) == 80
