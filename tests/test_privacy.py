"""Nothing leaves the machine: no DNS lookup and no connection but local sockets, seen by strace.

Each run gets an environment with every telemetry switch removed, so what is measured is
what fHUD itself turns off.  onnxruntime sends its first usage upload about ten seconds after
it is imported, so each run lasts well past that.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import psutil
import pytest
import soundfile as sf

from fhud_app.core.privacy import TELEMETRY_OFF
from tests.netaudit import audit, network_events, strace_or_skip

ROOT = Path(__file__).resolve().parents[1]
TELEMETRY_WINDOW_S = 15  # onnxruntime's first upload came 9-10 s after its import


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY_OFF and k != "HF_HUB_OFFLINE"}
    env.update(PYTHONPATH=str(ROOT), FHUD_SETTINGS=str(tmp_path / "settings.ini"),
               FHUD_DATA_DIR=str(tmp_path / "data"), **extra)  # fmt: skip
    return env


def test_the_audit_sees_a_host_lookup(tmp_path: Path) -> None:
    code = "import socket\ntry:\n    socket.getaddrinfo('fhud-probe.invalid', 80)\nexcept OSError:\n    pass\n"
    _, events = audit([sys.executable, "-c", code], tmp_path / "trace.txt", env=clean_env(tmp_path))
    assert events, "strace saw no lookup: this audit could not fail"


def test_local_sockets_are_not_network() -> None:
    trace = (
        '7 connect(3, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X7"}, 22) = 0\n'
        '7 connect(9, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n'
        '7 connect(4, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0\n'
        '7 connect(5, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 41) = 0\n'
        '7 sendto(6, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(443)}, 28) = 1\n'
    )
    assert [line.split()[1] for line in network_events(trace)] == ["connect(4,", "connect(5,", "sendto(6,"]


@pytest.mark.slow
def test_onnxruntime_phones_home_unless_fhud_loads_it(tmp_path: Path) -> None:
    """The control (a bare import looks Microsoft's endpoint up) and fHUD's VAD loader, side by side."""
    wait = f"import time; time.sleep({TELEMETRY_WINDOW_S})"
    runs = {
        "bare": f"import onnxruntime\n{wait}",
        "fhud": f"from fhud_app.asr.vad import SpeechTracker\nSpeechTracker()\n{wait}",
    }
    found: dict[str, list[str]] = {}

    def run(name: str) -> None:
        found[name] = audit([sys.executable, "-c", runs[name]], tmp_path / f"{name}.txt",
                            env=clean_env(tmp_path))[1]  # fmt: skip

    threads = [threading.Thread(target=run, args=(name,)) for name in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not found["bare"]:
        pytest.skip("this onnxruntime build sent nothing within the window: the control cannot show a leak")
    assert found["fhud"] == [], found["fhud"][:3]


@pytest.mark.slow
def test_transcribe_with_the_default_models_reaches_no_network(tmp_path: Path, speech_wav: Path) -> None:
    speech, rate = sf.read(speech_wav, dtype="float32")
    clip = tmp_path / "clip.wav"  # paced in real time, it outlives onnxruntime's upload delay
    sf.write(clip, np.concatenate([speech, np.zeros(int(rate * 12), np.float32)]), rate)
    cmd = [sys.executable, "-m", "fhud_app", "transcribe", str(clip), "--realtime",
           "--engine", "auto", "--llm", "auto"]  # fmt: skip
    proc, events = audit(cmd, tmp_path / "trace.txt", env=clean_env(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.split()) >= 15, proc.stdout  # it transcribed (the words are tested elsewhere)
    assert events == [], events[:3]


@pytest.mark.slow
@pytest.mark.gl
def test_the_gui_with_the_embedded_models_reaches_no_network(tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (run under Xvfb)")
    strace = strace_or_skip()
    env = clean_env(tmp_path, FHUD_TRACE="1", QT_QPA_PLATFORM="xcb")
    log = tmp_path / "trace.txt"
    cmd = [strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg,sendmmsg",
           "-e", "signal=none", "-s", "64", "-o", str(log),
           sys.executable, "-m", "fhud_app", "--demo", "--engine", "auto", "--llm", "auto",
           "--exit-after", "240"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    for line in proc.stdout:  # FHUD_TRACE milestones; both models loaded, then the window
        seen.append(line.split()[1] if line.startswith("fhud-trace") else "")
        if {"ready", "concepts-ready"} <= set(seen):
            break
    app = psutil.Process(proc.pid).children()
    if not ({"ready", "concepts-ready"} <= set(seen) and app):
        proc.kill()
        pytest.fail(f"the app did not get ready: {proc.communicate()[1][-2000:]}")
    # An observation window, not a wait for a condition: onnxruntime (imported before
    # "ready") uploads about ten seconds after its import unless it was told not to.
    threading.Event().wait(TELEMETRY_WINDOW_S)
    app[0].send_signal(signal.SIGTERM)  # the app quits cleanly; strace ends with it
    proc.communicate(timeout=60)
    events = network_events(log.read_text(errors="replace"))
    assert events == [], events[:3]
