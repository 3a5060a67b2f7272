from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from fhud_app.audio.mic_source import MicSource
from fhud_app.core.errors import DeviceError
from fhud_app.core.ring import Ring
from tests.audio.fake_sounddevice import CallbackFlags, FakeSoundDevice


def ring() -> Ring:
    return Ring(16_000 * 10, np.float32)


def test_device_by_substring_index_or_default() -> None:
    sd = FakeSoundDevice()
    assert MicSource(ring(), device="usb", backend=sd).device == 1
    assert MicSource(ring(), device=2, backend=sd).device == 2
    assert MicSource(ring(), device="2", backend=sd).device == 2
    assert MicSource(ring(), backend=sd).device == 2  # the system default input


@pytest.mark.parametrize("device, words", [("webcam", "no input device matches"), (0, "does not exist")])
def test_unknown_device_is_a_device_error(device: object, words: str) -> None:
    with pytest.raises(DeviceError, match=words):
        MicSource(ring(), device=device, backend=FakeSoundDevice())


def test_no_input_device_at_all() -> None:
    sd = FakeSoundDevice(devices=[{"name": "Speakers", "max_input_channels": 0, "default_samplerate": 48e3}])
    with pytest.raises(DeviceError, match="no microphone found"):
        MicSource(ring(), backend=sd)


def test_device_refusing_16k_opens_at_its_native_rate() -> None:
    sd = FakeSoundDevice(rates=(44_100,))
    mic = MicSource(ring(), device="built-in", backend=sd)
    assert mic.sample_rate == 44_100 and mic.blocksize == 882
    mic.start()
    assert sd.streams[0].samplerate == 44_100
    mic.stop()


def test_callback_copies_into_the_ring_and_counts_overflows() -> None:
    signal = np.arange(16_000, dtype=np.float32) / 16_000
    sd = FakeSoundDevice(signal=signal, vanish_after=50, overflow_every=10)
    r = ring()
    reader = r.reader()
    mic = MicSource(r, device="usb", backend=sd)
    mic.start()
    assert mic.finished.wait(5.0)
    got = reader.read()
    np.testing.assert_array_equal(got, signal[: len(got)])
    assert len(got) == 50 * 320 and mic.overflows == 5
    mic.stop()


@pytest.mark.parametrize("nan", [False, True], ids=["clean", "nan"])  # NaN is cleaned in place
def test_callback_allocates_nothing_in_steady_state(nan: bool) -> None:
    mic = MicSource(ring(), device="usb", backend=FakeSoundDevice())
    block = np.ones((320, 1), np.float32)
    block[::4, 0] = np.nan if nan else 1.0
    flags = CallbackFlags(False)
    for _ in range(100):  # warm up
        mic._callback(block, 320, None, flags)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(2_000):
        mic._callback(block, 320, None, flags)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename") if s.size_diff > 0)
    assert grown < 2_000  # bytes: bookkeeping noise, not 2,000 blocks


def test_vanishing_device_sets_a_device_error() -> None:
    sd = FakeSoundDevice(vanish_after=10)
    mic = MicSource(ring(), device="usb", backend=sd)
    mic.start()
    assert mic.finished.wait(5.0)
    assert isinstance(mic.error, DeviceError) and "stopped" in str(mic.error)
    mic.stop()


def test_stalled_device_is_noticed_by_the_watchdog() -> None:
    sd = FakeSoundDevice(pace_s=60.0)  # one callback, then silence forever
    mic = MicSource(ring(), device="usb", backend=sd)
    mic.stall_s = 0.5
    mic.start()
    assert mic.finished.wait(5.0)
    assert isinstance(mic.error, DeviceError)
    mic.stop()


def test_a_clean_stop_is_not_an_error() -> None:
    mic = MicSource(ring(), device="usb", backend=FakeSoundDevice(pace_s=0.02))
    mic.start()
    mic.stop()
    assert mic.error is None and mic.finished.is_set()
