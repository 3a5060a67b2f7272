"""The real app under an X server: SIGTERM and SIGINT flush the session and exit 0 within 2 s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXIT_WITHIN_S = 2.0


@pytest.fixture
def x11_display(qapp):
    from PySide6.QtGui import QGuiApplication

    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs an X server (run under Xvfb)")
    return os.environ["DISPLAY"]


def session_words(data: Path) -> list[str]:
    words = []
    for path in sorted((data / "sessions").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # a line still being written
            if rec.get("type") == "word":
                words.append(rec["text"])
    return words


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_flushes_the_session_and_exits_0_within_2_s(qtbot, x11_display, tmp_path, speech_wav, sig):
    data = tmp_path / "data"
    env = dict(os.environ, FHUD_SETTINGS=str(tmp_path / "settings.ini"), FHUD_DATA_DIR=str(data))
    cmd = [sys.executable, "-m", "fhud_app", "--source", str(speech_wav), "--llm", "none"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: len(session_words(data)) >= 3 or proc.poll() is not None, timeout=90_000)
        assert proc.poll() is None, "the app ended before it wrote words"
        sent = time.monotonic()
        proc.send_signal(sig)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=15_000)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert took <= EXIT_WITHIN_S, f"exit took {took:.2f} s"
    assert "Traceback" not in err, err
    assert len(session_words(data)) >= 3
