"""Microphone choice for the app: device list, fallback to the default, and a
watch for the silent buffers macOS delivers when microphone access is denied.

Qt-free and fed by the composition root, so tests drive it with a fake device
layer and fake levels.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT = ""  # the system default input


class DeviceLayer(Protocol):
    def input_names(self) -> list[str]: ...


class SoundDeviceLayer:
    """Input devices as PortAudio sees them (its list is fixed until it is re-initialised)."""

    def __init__(self, backend: Any = None) -> None:
        self._sd = backend

    def input_names(self) -> list[str]:
        try:
            sd = self._sd
            if sd is None:
                import sounddevice as sd  # imported lazily: PortAudio may be missing
            return [d["name"] for d in sd.query_devices() if d.get("max_input_channels", 0) > 0]
        except (OSError, ImportError):
            return []

    def rescan(self) -> None:
        """Make PortAudio list the devices plugged in or out since it started (call only
        while no stream is open: it re-initialises the library)."""
        try:
            sd = self._sd
            if sd is None:
                import sounddevice as sd
            sd._terminate()
            sd._initialize()
        except Exception:  # noqa: BLE001 - PortAudioError, a missing library: the old list stays
            pass


def matches(requested: str, names: list[str]) -> bool:
    return any(requested.lower() in name.lower() for name in names)


@dataclass
class Choice:
    device: str  # "" = the system default
    message: str | None = None  # what to tell the person, when the choice was changed


def resolve(requested: str, layer: DeviceLayer) -> Choice:
    """The device to open for ``requested`` (name substring, or "" for the default)."""
    if not requested:
        return Choice(DEFAULT)
    if matches(requested, layer.input_names()):
        return Choice(requested)
    return Choice(DEFAULT, f"The microphone “{requested}” is not connected: using the system default input.")


def after_failure(current: str, error: str, layer: DeviceLayer) -> Choice | None:
    """What to do when the open device failed mid-stream: fall back to the default,
    or None when the default itself failed (nothing left to try)."""
    if not current:
        return None
    if matches(current, layer.input_names()):
        return Choice(current, f"The microphone “{current}” stopped ({error}); trying it again.")
    return Choice(DEFAULT, f"The microphone “{current}” was removed: using the system default input.")


def permission_hint(plat: str | None = None) -> str:
    plat = plat or sys.platform
    if plat == "darwin":
        return (
            "fHUD hears only silence: macOS has not given it the microphone. Open System Settings › "
            "Privacy & Security › Microphone, allow fHUD (or your terminal), then restart fHUD."
        )
    return "fHUD hears only silence: the microphone looks muted or blocked; check the input level."


class SilenceWatch:
    """Flags a microphone that delivers exact digital silence (every sample 0.0).

    A real microphone always has a noise floor, so ``seconds`` of exact zeros
    means the OS is withholding audio (denied permission on macOS, a muted
    input elsewhere).  Feed it the peak of each block with :meth:`feed`.
    """

    def __init__(self, on_silent: Callable[[str], None], seconds: float = 3.0, plat: str | None = None) -> None:
        self._on_silent = on_silent
        self._need = seconds
        self._zero_s = 0.0
        self._plat = plat
        self.fired = False

    def feed(self, peak: float, duration_s: float) -> None:
        if self.fired:
            return
        if peak > 0.0:
            self._zero_s = 0.0
            return
        self._zero_s += duration_s
        if self._zero_s >= self._need:
            self.fired = True
            self._on_silent(permission_hint(self._plat))

    def reset(self) -> None:
        self._zero_s, self.fired = 0.0, False
