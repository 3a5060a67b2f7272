"""kill -9 of a real process in the middle of a session (the app's SessionPump and recorder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fhud_app.bench.kill_session import kill_trial

MAX_LOSS_S = 2.0


def _fhud(folder, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "fhud_app", "sessions", "--folder", str(folder), *argv],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip


@pytest.mark.parametrize("after_s", [3.2, 4.6])
def test_kill_9_loses_at_most_2_s_and_the_session_still_lists_shows_searches_exports(tmp_path, after_s):
    folder = tmp_path / "sessions"
    result = kill_trial(folder, after_s)
    assert result.said >= 8 and result.prefix
    assert result.loss_s <= MAX_LOSS_S, result
    sid = result.path.stem
    listed = _fhud(folder, "list")
    assert listed.returncode == 0 and sid in listed.stdout and "Traceback" not in listed.stderr
    shown = _fhud(folder, "show", sid)
    assert shown.returncode == 0 and "the0 garden1" in shown.stdout
    last_kept = json.loads([x for x in result.path.read_text().splitlines() if '"word"' in x][-1])["text"]
    found = _fhud(folder, "search", last_kept)
    assert found.returncode == 0 and f"[{last_kept}]" in found.stdout
    exported = _fhud(folder, "export", sid, "--format", "vtt")
    assert exported.returncode == 0 and exported.stdout.startswith("WEBVTT") and last_kept in exported.stdout
