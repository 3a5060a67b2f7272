"""The microphone as a source, through sounddevice (injectable for tests).

The PortAudio callback only copies the first channel into the preallocated
float32 ring (non-finite samples replaced with silence through preallocated
buffers) and counts overflows: no allocation, no lock, no logging, no signal.  A device that cannot capture at 16 kHz is opened at its native rate;
the reader side resamples (see :attr:`MicSource.sample_rate`).
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

from fhud_app.audio.sanitize import FiniteGuard
from fhud_app.core.config import SAMPLE_RATE
from fhud_app.core.errors import DeviceError, FhudError
from fhud_app.core.ring import Ring


def _default_backend() -> ModuleType:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise DeviceError(f"the audio library PortAudio is unavailable ({exc}): install it.") from None
    return sounddevice


def find_input_device(sd: Any, device: str | int | None) -> int:
    """Index of the input device named by substring or index (None = the default)."""
    devices = list(sd.query_devices())
    inputs = [i for i, d in enumerate(devices) if d.get("max_input_channels", 0) > 0]
    if not inputs:
        raise DeviceError("no microphone found: connect one, or transcribe a file instead.")
    if device is None:
        default = sd.default.device
        idx = default[0] if isinstance(default, (list, tuple)) else default
        return idx if idx in inputs else inputs[0]
    if isinstance(device, int) or str(device).isdigit():
        idx = int(device)
        if idx not in inputs:
            raise DeviceError(f"input device {idx} does not exist: pick one of {inputs}.")
        return idx
    matches = [i for i in inputs if str(device).lower() in devices[i]["name"].lower()]
    if not matches:
        names = ", ".join(repr(devices[i]["name"]) for i in inputs)
        raise DeviceError(f"no input device matches {device!r}: available are {names}.")
    return matches[0]


class MicSource:
    """Captures mono float32 audio into ``ring``; ``finished`` is set if it stops."""

    def __init__(
        self,
        ring: Ring,
        *,
        device: str | int | None = None,
        block_ms: int = 20,
        backend: Any = None,
    ) -> None:
        self.ring = ring
        self.sd = backend if backend is not None else _default_backend()
        self.device = find_input_device(self.sd, device)
        self.device_name = str(self.sd.query_devices(self.device)["name"])
        self.sample_rate = self._pick_rate()
        self.blocksize = max(1, self.sample_rate * block_ms // 1000)
        self.overflows = 0
        self.callbacks = 0
        self._guard = FiniteGuard(self.blocksize)
        self.error: FhudError | None = None
        self.finished = threading.Event()
        self._stopping = False
        self._stream: Any = None
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="fhud-mic-watchdog", daemon=True)
        self.stall_s = 2.0  # no callback for this long means the device is gone

    def _pick_rate(self) -> int:
        try:
            self.sd.check_input_settings(
                device=self.device, channels=1, dtype="float32", samplerate=SAMPLE_RATE
            )
            return SAMPLE_RATE
        except Exception:  # the device refuses 16 kHz: capture natively, resample later
            return int(self.sd.query_devices(self.device)["default_samplerate"])

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        self.ring.write(self._guard.clean(indata[:, 0]))
        self.callbacks += 1

    @property
    def nonfinite(self) -> int:
        """NaN/Inf samples the device delivered, replaced with silence."""
        return self._guard.count

    def _on_finished(self) -> None:
        if not self._stopping and self.error is None:
            self.error = DeviceError(
                f"the input device {self.device_name!r} stopped (unplugged?): "
                "the words so far are kept; reconnect it and start again."
            )
        self.finished.set()

    def _watch(self) -> None:
        """Some hosts never finish a stream whose device vanished: watch for a stall."""
        seen, quiet = -1, 0.0
        while not self._stop.wait(0.25) and not self.finished.is_set():
            stream = self._stream
            inactive = stream is not None and not getattr(stream, "active", True)
            quiet = 0.0 if self.callbacks != seen else quiet + 0.25
            seen = self.callbacks
            if inactive or quiet >= self.stall_s:
                self._on_finished()

    def start(self) -> None:
        try:
            self._stream = self.sd.InputStream(
                device=self.device,
                channels=1,
                samplerate=self.sample_rate,
                dtype="float32",
                blocksize=self.blocksize,
                callback=self._callback,
                finished_callback=self._on_finished,
            )
            self._stream.start()
            self._watchdog.start()
        except Exception as exc:
            raise DeviceError(
                f"could not open the input device {self.device_name!r} ({exc}): "
                "check that it is connected and that fhud may use the microphone."
            ) from None

    def stop(self) -> None:
        self._stopping = True
        self._stop.set()
        if self._watchdog.is_alive():
            self._watchdog.join()
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # a vanished device may refuse to close: it is gone anyway
                pass
            self._stream = None
        self.finished.set()
