"""Generate ``resources/demo/monologue.ogg`` once from ``monologue.txt`` with espeak-ng.

Run by hand (the result is committed, so the app and CI need no espeak-ng):
    .venv/bin/python scripts/make_demo_speech.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
RATE = 16_000


def synthesize(text_file: Path, wav: Path) -> None:
    cmd = ["espeak-ng", "-v", "en-us", "-s", "180", "-g", "4", "-f", str(text_file), "-w", str(wav)]
    subprocess.run(cmd, check=True)


def to_mono_16k(wav: Path) -> np.ndarray:
    data, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != RATE:
        import soxr

        mono = soxr.resample(mono, rate, RATE)
    peak = float(np.max(np.abs(mono))) or 1.0
    return (mono * (0.8 / peak)).astype(np.float32)


def main() -> int:
    text_file = DEMO / "monologue.txt"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        synthesize(text_file, wav)
        audio = to_mono_16k(wav)
    out = DEMO / "monologue.ogg"
    sf.write(str(out), audio, RATE, format="OGG", subtype="VORBIS", compression_level=0.8)
    print(f"{out}: {len(audio) / RATE:.1f} s, {out.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
