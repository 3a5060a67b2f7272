"""``fhud bench startup``: startup to HUD visible, idle CPU, hotkey toggle latency.

Runs the real app (``python -m fhud_app``) on the current X display, fed by
a file of digital silence paced in real time (a silent microphone), with
``FHUD_TRACE=1`` so it prints wall-clock timestamps of its milestones.

1. Startup: from just before the process is spawned to the HUD's first expose.
2. Idle CPU: user+system CPU of the whole process (every thread) over a window
   after the speech model is ready, as a percentage of one core.
3. Hotkey: ``xdotool key`` the chord while the HUD is hidden; from just before
   xdotool runs to the HUD's expose (xdotool's own start-up included).
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from fhud_app.bench.common import Figure, report
from fhud_app.core.config import SAMPLE_RATE
from fhud_app.core.errors import FhudError

TARGET_STARTUP_S = 1.5
TARGET_IDLE_CPU = 3.0  # % of one core
TARGET_TOGGLE_MS = 50.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="CPU sampling window")
    parser.add_argument("--toggles", type=int, default=5, help="hotkey show/hide cycles to time")
    parser.add_argument("--chord", default="ctrl+alt+space", help="the chord as xdotool spells it")


class Traced:
    """The app as a subprocess, its trace lines collected by a reader thread."""

    def __init__(self, source: Path, run_s: float, workdir: Path) -> None:
        env = dict(os.environ, FHUD_TRACE="1", FHUD_SETTINGS=str(workdir / "settings.ini"),
                   FHUD_DATA_DIR=str(workdir / "data"))  # fmt: skip
        cmd = [sys.executable, "-m", "fhud_app", "--source", str(source), "--exit-after", f"{run_s:g}"]
        self.spawned = time.time()
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.events: queue.Queue[tuple[str, float]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "fhud-trace":
                self.events.put((parts[1], float(parts[2])))

    def wait_for(self, name: str, timeout: float) -> float:
        """The stamp of the next ``name`` event (earlier events of other names are dropped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event, stamp = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event == name:
                return stamp
        raise FhudError(f"the app never reported {name!r} within {timeout:g} s: run it by hand to see why.")

    def cpu_seconds(self) -> float:
        import psutil

        times = psutil.Process(self.proc.pid).cpu_times()
        return times.user + times.system

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def silent_file(folder: Path, seconds: float) -> Path:
    import soundfile as sf

    path = folder / "silence.wav"
    sf.write(str(path), np.zeros(int(seconds * SAMPLE_RATE), np.float32), SAMPLE_RATE)
    return path


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user+system) of each thread of ``pid``, summed by thread name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def measure_idle(app: Traced, seconds: float) -> tuple[float, dict[str, float]]:
    """Whole-process idle CPU (% of one core) and its split by thread name."""
    app.wait_for("concepts-ready", 180.0)  # the speech model is ready well before
    time.sleep(2.0)  # let the first frames and the model warm-up settle
    threads0, cpu0, t0 = thread_cpu(app.proc.pid), app.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    threads1, cpu1, t1 = thread_cpu(app.proc.pid), app.cpu_seconds(), time.monotonic()
    split = {k: 100.0 * (v - threads0.get(k, 0.0)) / (t1 - t0) for k, v in threads1.items()}
    return 100.0 * (cpu1 - cpu0) / (t1 - t0), split


def measure_toggles(app: Traced, chord: str, cycles: int) -> list[float]:
    xdotool = shutil.which("xdotool")
    if xdotool is None:
        raise FhudError("xdotool is not installed: apt-get install xdotool to time the hotkey.")
    out = []
    for _ in range(cycles):
        subprocess.run([xdotool, "key", chord], check=True)
        app.wait_for("hidden", 5.0)
        sent = time.time()
        subprocess.run([xdotool, "key", chord], check=True)
        out.append((app.wait_for("exposed", 5.0) - sent) * 1000.0)
    return out


def run(args: argparse.Namespace) -> int:
    if not os.environ.get("DISPLAY"):
        raise FhudError("fhud bench startup needs an X display: run it under Xvfb (DISPLAY=:N).")
    run_s = args.idle_seconds + 240.0  # generous: the app is stopped as soon as we are done
    with tempfile.TemporaryDirectory(prefix="fhud-bench-") as tmp:
        work = Path(tmp)
        app = Traced(silent_file(work, run_s + 30.0), run_s, work)
        try:
            startup = app.wait_for("exposed", 30.0) - app.spawned
            idle, split = measure_idle(app, args.idle_seconds)
            toggles = measure_toggles(app, args.chord, args.toggles)
        finally:
            app.close()
    figures = [
        Figure("startup to HUD visible", startup, TARGET_STARTUP_S, " s"),
        Figure("idle CPU, silent input (whole app)", idle, TARGET_IDLE_CPU, " %"),
        Figure("hotkey to visible, median", statistics.median(toggles), None, " ms"),
        Figure("hotkey to visible, worst", max(toggles), TARGET_TOGGLE_MS, " ms"),
    ]
    code = report("App (fhud bench startup)", figures)
    busy = sorted(((v, k) for k, v in split.items() if v >= 0.05), reverse=True)
    print("\nidle CPU by thread: " + ", ".join(f"{k} {v:.2f} %" for v, k in busy))
    return code
