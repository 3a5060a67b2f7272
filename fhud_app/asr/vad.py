"""Streaming speech detection with the Silero VAD model shipped in faster-whisper."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fhud_app.core.config import SAMPLE_RATE
from fhud_app.core.privacy import disable_telemetry

FRAME = 512  # samples per Silero frame (32 ms)
_WARMUP = 16  # frames of already-seen audio re-run to warm the model's state
# Frames quieter than this RMS (-54 dBFS; speech is ~-30 to -10 dBFS, a quiet room's
# microphone ~-70 to -60) are silence without asking Silero, which is what silence costs.
ENERGY_FLOOR = 0.002
MAX_SEGMENTS = 256  # speech segments remembered (minutes of speech)


def _silero() -> Callable[[np.ndarray], np.ndarray]:
    disable_telemetry()  # onnxruntime phones home unless told before it is imported
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


class SpeechTracker:
    """Feeds new audio to Silero in whole frames and remembers where speech was.

    ``model`` maps a multiple-of-512 float32 array to one probability per frame
    (faster-whisper's ``SileroVADModel``); it is injectable for tests.  A batch of new
    frames all below ``energy_floor`` (RMS) is silence and never reaches the model; when a
    louder frame comes, the model re-runs the frames before it as warm-up as usual, so the
    onset of speech is classified exactly as without the gate.
    """

    def __init__(
        self,
        threshold: float = 0.5,
        model: Callable[[np.ndarray], np.ndarray] | None = None,
        min_batch: int = 4,
        energy_floor: float = ENERGY_FLOOR,
    ) -> None:
        self.threshold = threshold
        self.model = model if model is not None else _silero()
        self.min_batch = min_batch
        self.energy_floor = energy_floor
        self.model_calls = 0
        self.gated_frames = 0  # frames found silent by energy alone
        self.done = 0  # absolute samples already classified
        self.last_speech_end = -1.0  # absolute seconds; < 0 until speech is heard
        self.speech_frames = 0
        self.segments: list[list[float]] = []  # [start, end] seconds of speech, the newest last

    def update(self, buf: np.ndarray, buf_start: int, total: int) -> None:
        """Classify the frames of ``buf`` (which begins at absolute sample ``buf_start``)
        that end before ``total`` and were not classified yet."""
        self.done = max(self.done, buf_start)  # audio before the buffer is gone
        todo = (total - self.done) // FRAME
        if todo < self.min_batch:
            return
        lo = max(buf_start, self.done - _WARMUP * FRAME)
        lo = self.done - ((self.done - lo) // FRAME) * FRAME
        hi = self.done + todo * FRAME
        audio = buf[lo - buf_start : hi - buf_start]
        if len(audio) != hi - lo:  # the buffer no longer holds this audio: skip it
            self.done = hi
            return
        new = audio[self.done - lo :].reshape(todo, FRAME)
        if float(np.max(np.einsum("ij,ij->i", new, new))) < self.energy_floor**2 * FRAME:
            self.gated_frames += todo  # far below speech level: silence, no model call
            self.done = hi
            return
        self.model_calls += 1
        probs = np.asarray(self.model(np.ascontiguousarray(audio, np.float32))).reshape(-1)
        warm = (self.done - lo) // FRAME
        for i, p in enumerate(probs[warm:]):
            if p >= self.threshold:
                self.speech_frames += 1
                t0 = (self.done + i * FRAME) / SAMPLE_RATE
                self.last_speech_end = t0 + FRAME / SAMPLE_RATE
                if self.segments and self.segments[-1][1] >= t0 - 1e-9:
                    self.segments[-1][1] = self.last_speech_end
                else:
                    self.segments.append([t0, self.last_speech_end])
        del self.segments[:-MAX_SEGMENTS]
        self.done = hi

    def silence_since(self, now_s: float) -> float:
        """Seconds of non-speech at the end of the stream (inf if no speech ever)."""
        if self.last_speech_end < 0:
            return float("inf")
        return max(0.0, now_s - self.last_speech_end)

    def speech_in(self, t0: float, t1: float) -> float:
        """Seconds of speech heard between ``t0`` and ``t1`` (absolute seconds)."""
        total = 0.0
        for a, b in reversed(self.segments):
            if b <= t0:
                break
            total += max(0.0, min(b, t1) - max(a, t0))
        return total

    def speech_start_after(self, t: float) -> float | None:
        """Where the first speech that begins or goes on after ``t`` starts (None: none yet)."""
        found = None
        for a, b in reversed(self.segments):
            if b <= t:
                break
            found = a
        return found
