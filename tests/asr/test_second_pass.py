"""The second pass beside the stream: the audio history ring and the pass thread (no model)."""

from __future__ import annotations

import threading

import numpy as np

from fhud_app.asr.base import Word
from fhud_app.asr.commit import Decode
from fhud_app.asr.second_pass import AudioHistory, PassBeside, PassJob
from fhud_app.core.config import SAMPLE_RATE


def test_history_keeps_the_last_seconds_across_the_wrap() -> None:
    h = AudioHistory(1.0)  # 16000 samples
    h.write(np.arange(10_000, dtype=np.float32))
    h.write(np.arange(10_000, 20_000, dtype=np.float32))  # wraps: 0..3999 are gone
    first, got = h.read(0, 20_000)
    assert first == 4000 and len(got) == SAMPLE_RATE
    assert np.array_equal(got, np.arange(4000, 20_000, dtype=np.float32))
    first, got = h.read(15_000, 25_000)  # clipped to what was written
    assert first == 15_000 and np.array_equal(got, np.arange(15_000, 20_000, dtype=np.float32))
    assert len(h.read(30_000, 31_000)[1]) == 0


def test_history_takes_a_write_longer_than_itself() -> None:
    h = AudioHistory(1.0)
    h.write(np.arange(40_000, dtype=np.float32))
    first, got = h.read(0, 40_000)
    assert first == 24_000 and got[0] == 24_000 and got[-1] == 39_999


def _job(uid: int) -> PassJob:
    return PassJob(uid, np.zeros(160, np.float32), 0.0, 0.0, Decode("pass", 1.0, None, utterance=uid))


def test_passes_come_back_in_order_and_a_failing_one_gives_none() -> None:
    release = threading.Event()

    def decode(job: PassJob) -> list[Word]:
        release.wait(10)
        if job.utterance == 2:
            raise RuntimeError("decoder broke")
        return [Word(f"w{job.utterance}", 0.0, 0.1, 0.9)]

    beside = PassBeside(decode)
    try:
        for uid in (1, 2, 3):
            beside.submit(_job(uid))
        assert beside.take() == [] and beside.pending == 3  # none done yet: nothing waits
        release.set()
        done = beside.take(wait=True)
        assert [(j.utterance, None if w is None else [x.text for x in w]) for j, w in done] == [
            (1, ["w1"]), (2, None), (3, ["w3"])]
        assert beside.pending == 0
    finally:
        beside.close()
