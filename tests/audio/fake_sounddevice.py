"""A fake ``sounddevice`` module: devices, rate checks and an InputStream whose
callback runs on a thread and plays a prepared signal (there is no sound card)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np


class PortAudioError(Exception):
    pass


class CallbackFlags:
    def __init__(self, overflow: bool = False) -> None:
        self.input_overflow = overflow

    def __bool__(self) -> bool:
        return self.input_overflow


class FakeSoundDevice:
    PortAudioError = PortAudioError

    def __init__(self, devices: list[dict[str, Any]] | None = None, *, signal: np.ndarray | None = None,
                 rates: tuple[int, ...] = (16_000, 48_000), vanish_after: int | None = None,
                 overflow_every: int = 0, pace_s: float = 0.0) -> None:
        self.devices = devices if devices is not None else [
            {"name": "HDMI Output", "max_input_channels": 0, "default_samplerate": 48_000.0},
            {"name": "USB Headset Mic", "max_input_channels": 1, "default_samplerate": 48_000.0},
            {"name": "Built-in Microphone", "max_input_channels": 2, "default_samplerate": 44_100.0},
        ]
        self.default = SimpleNamespace(device=[2, 0])
        self.signal = signal if signal is not None else np.zeros(16_000, np.float32)
        self.rates = rates
        self.vanish_after = vanish_after  # blocks delivered before the device disappears
        self.overflow_every = overflow_every
        self.pace_s = pace_s
        self.streams: list[FakeInputStream] = []

    def query_devices(self, device: int | None = None) -> Any:
        return self.devices if device is None else self.devices[device]

    def check_input_settings(self, device: int, channels: int, dtype: str, samplerate: float) -> None:
        if int(samplerate) not in self.rates:
            raise PortAudioError("Invalid sample rate")

    def InputStream(self, **kwargs: Any) -> FakeInputStream:  # noqa: N802 (sounddevice's name)
        stream = FakeInputStream(self, **kwargs)
        self.streams.append(stream)
        return stream


class FakeInputStream:
    def __init__(self, sd: FakeSoundDevice, *, device: int, channels: int, samplerate: int,
                 dtype: str, blocksize: int, callback: Any, finished_callback: Any) -> None:
        self.sd, self.samplerate, self.blocksize = sd, samplerate, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.active = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, daemon=True)

    def start(self) -> None:
        self.active = True
        self._thread.start()

    def _play(self) -> None:
        sig, bs, i = self.sd.signal, self.blocksize, 0
        block = np.zeros((bs, 1), np.float32)
        while not self._stop.is_set():
            if self.sd.vanish_after is not None and i >= self.sd.vanish_after:
                break  # unplugged: PortAudio finishes the stream
            chunk = sig[(i * bs) % len(sig) :][:bs]
            block[: len(chunk), 0] = chunk
            block[len(chunk) :, 0] = 0.0
            overflow = bool(self.sd.overflow_every) and i % self.sd.overflow_every == 0
            self.callback(block, bs, None, CallbackFlags(overflow))
            i += 1
            self._stop.wait(self.sd.pace_s)
        self.active = False
        self.finished_callback()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def close(self) -> None:
        pass
