"""An audio file as a source: decoded, downmixed and resampled to 16 kHz, then
written into the audio ring in real time or as fast as the consumer reads."""

from __future__ import annotations

import ctypes
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from fhud_app.audio.sanitize import replace_non_finite
from fhud_app.core.config import SAMPLE_RATE
from fhud_app.core.errors import FhudError, InputError
from fhud_app.core.ring import Ring, RingReader

_READ_BLOCK = 1 << 12  # frames per soundfile read (what a broken file keeps)


def _wav_declared_bytes(path: Path) -> tuple[int, int] | None:
    """(declared data bytes, bytes actually present) of a RIFF/WAVE file, else None."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        size = path.stat().st_size
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                return None
            cid, clen = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"data":
                return clen, size - fh.tell()
            fh.seek(clen + (clen & 1), 1)


def _read_frames(snd: sf.SoundFile) -> tuple[list[np.ndarray], bool]:
    """All frames soundfile can decode; True when decoding broke off early."""
    blocks: list[np.ndarray] = []
    while True:
        try:
            block = snd.read(_READ_BLOCK, dtype="float32", always_2d=True)
        except (sf.SoundFileError, RuntimeError):
            return blocks, True
        if len(block) == 0:
            return blocks, False
        blocks.append(block.mean(axis=1) if block.shape[1] > 1 else block[:, 0])


def _open(p: Path) -> sf.SoundFile:
    try:
        return sf.SoundFile(str(p))
    except (sf.SoundFileError, RuntimeError) as exc:
        if "data" in str(exc) or "truncat" in str(exc).lower():
            raise InputError(f"{p} is truncated: its audio data is missing.") from None
        raise InputError(f"{p} is not an audio file fhud can read (use wav, flac or ogg).") from None


def _check_readable(p: Path) -> None:
    """An unreadable file is named for what it is, not taken for a non-audio file."""
    try:
        with p.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        raise InputError(f"{p} cannot be read: permission denied (check the file's permissions).") from None
    except OSError as exc:
        raise InputError(f"{p} cannot be read ({exc.strerror or type(exc).__name__}).") from None


def name_native_thread(name: str) -> None:
    """Give the calling thread ``name`` in ``/proc`` and ``top`` (Linux; Python 3.11 does not)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
        except (OSError, AttributeError):
            pass


def load_audio(path: str | Path) -> tuple[np.ndarray, FhudError | None]:
    """16 kHz mono float32 samples of ``path`` and, for a truncated file, the error
    to report once the readable part has been used (``None`` otherwise).

    Raises :class:`InputError` for a missing, empty, unreadable or non-audio file.
    """
    decoded = decode_audio(path)
    return decoded.samples, decoded.error


@dataclass(frozen=True)
class Decoded:
    samples: np.ndarray  # 16 kHz mono float32, every sample finite
    error: FhudError | None  # a truncated file: reported once its readable part was used
    nonfinite: int  # NaN/Inf samples replaced with silence ...
    rate: int  # ... counted at the file's own sample rate


def decode_audio(path: str | Path) -> Decoded:
    """:func:`load_audio`, also counting the non-finite samples it replaced with silence."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p} does not exist: check the path.")
    if p.is_dir():
        raise InputError(f"{p} is a folder, not an audio file.")
    if p.stat().st_size == 0:
        raise InputError(f"{p} is empty (0 bytes): record or export the audio again.")
    _check_readable(p)
    with _open(p) as snd:
        rate, declared, fmt = snd.samplerate, snd.frames, snd.format
        blocks, broke = _read_frames(snd)
    mono = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    nonfinite = replace_non_finite(mono)  # before resampling, which would spread a NaN
    wav = _wav_declared_bytes(p)
    if wav is not None and wav[0] > wav[1] and wav[0] != 0xFFFFFFFF:
        broke = True
    if fmt != "OGG" and 0 < declared and len(mono) < declared:
        broke = True  # OGG frame counts are estimates
    if len(mono) == 0:
        if broke:
            raise InputError(f"{p} is truncated: no audio could be decoded from it.")
        raise InputError(f"{p} holds no audio samples: record or export it again.")
    if rate != SAMPLE_RATE:
        mono = soxr.resample(mono, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    error = None
    if broke:
        error = InputError(
            f"{p} is truncated: only its first {len(mono) / SAMPLE_RATE:.1f} s could be decoded."
        )
    return Decoded(np.ascontiguousarray(mono, dtype=np.float32), error, nonfinite, rate)


class FileSource:
    """Writes a decoded file into ``ring`` from its own thread.

    ``realtime=True`` paces the audio on a clock (timed waits on the stop
    event): it wakes every ``pace_s`` (default: every ``block_s`` block) and
    writes what falls due before the next wake; otherwise it writes as fast as
    ``reader`` frees space and never overwrites unread audio.  ``finished`` is
    set at the end of the file.

    ``loop=True`` plays the file again and again (``loop_gap_s`` of silence
    between plays) until :meth:`stop`: the file is decoded once, and audio time
    (:attr:`written`, in samples) keeps increasing across plays, so every
    timestamp downstream stays monotonic.
    """

    sample_rate = SAMPLE_RATE

    def __init__(
        self,
        path: str | Path,
        ring: Ring,
        *,
        reader: RingReader | None = None,
        realtime: bool = False,
        block_s: float = 0.02,
        pace_s: float | None = None,
        loop: bool = False,
        loop_gap_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not realtime and reader is None:
            raise ValueError("a file source without pacing needs the consumer's reader")
        self.path = Path(path)
        decoded = decode_audio(path)
        self.samples, self._pending_error = decoded.samples, decoded.error
        self.nonfinite, self.native_rate = decoded.nonfinite, decoded.rate  # NaN/Inf replaced
        self.loop = loop
        gap = np.zeros(int(max(loop_gap_s, 0.0) * SAMPLE_RATE) if loop else 0, np.float32)
        self._cycle = np.concatenate([self.samples, gap]) if len(gap) else self.samples
        self.ring = ring
        self.reader = reader
        self.realtime = realtime
        self.block = max(1, int(block_s * SAMPLE_RATE))
        self.pace = self.block * max(1, round((pace_s or block_s) * SAMPLE_RATE / self.block))
        self.clock = clock
        self.written = 0  # samples written in all (across loops: the stream's audio clock)
        self.overflows = 0  # a file never overflows; kept for the source interface
        self.error: FhudError | None = None
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fhud-file-source", daemon=True)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def plays(self) -> int:
        """Times the file has been written out completely (loops finished)."""
        return self.written // len(self._cycle)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _more(self) -> bool:
        return not self._stop.is_set() and (self.loop or self.written < len(self._cycle))

    def _run(self) -> None:
        name_native_thread("fhud-file-src")
        try:
            if self.realtime:
                self._run_paced()
            else:
                self._run_fast()
        finally:
            if self.written >= len(self.samples):
                self.error = self._pending_error
            self.finished.set()

    def _write_next(self, limit: int) -> int:
        """Write up to ``limit`` samples (wrapping to the file's start when looping)."""
        cycle, total = self._cycle, len(self._cycle)
        n = limit if self.loop else min(limit, total - self.written)
        left = n
        while left > 0:
            pos = self.written % total
            k = min(left, total - pos)
            self.ring.write(cycle[pos : pos + k])
            self.written += k
            left -= k
        return max(n, 0)

    def _run_paced(self) -> None:
        t0 = self.clock()
        longest_wait = max(0.05, self.pace / SAMPLE_RATE)
        while self._more():
            elapsed = int((self.clock() - t0) * SAMPLE_RATE)
            due = (elapsed // self.pace + 1) * self.pace  # up to the next wake (the first at once)
            self._write_next(max(0, due - self.written))
            next_at = t0 + self.written / SAMPLE_RATE  # when the next samples fall due
            self._stop.wait(max(0.0, min(longest_wait, next_at - self.clock())))

    def _run_fast(self) -> None:
        assert self.reader is not None
        chunk = max(self.block, self.ring.capacity // 4)
        while self._more():
            free = self.ring.free_for(self.reader)
            if free <= 0 or self._write_next(min(free, chunk)) == 0:
                self._stop.wait(0.002)
