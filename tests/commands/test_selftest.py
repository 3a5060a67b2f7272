"""``fhud --selftest`` in the source tree: every check passes, one line each, within the minute."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(PASS|FAIL)  (.{16}) +(\d+\.\d\d) s  (.+)$")


@pytest.mark.slow
def test_selftest_passes_in_the_source_tree():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)  # the self-test picks its own (offscreen for glyphs)
    res = subprocess.run([sys.executable, "-m", "fhud_app", "--selftest"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    lines = [m for m in map(LINE.match, res.stdout.splitlines()) if m]
    names = [m.group(2).strip() for m in lines]
    assert names == ["files", "speech model", "concept model", "HUD frame (EGL)", "sound library",
                     "global hotkey", "no network"], res.stdout + res.stderr  # fmt: skip
    failed = [m.group(0) for m in lines if m.group(1) == "FAIL"]
    if failed and all("EGL" in line for line in failed):
        pytest.skip(f"no headless EGL here: {failed}")
    assert res.returncode == 0 and not failed, res.stdout + res.stderr
    assert "7/7 checks passed" in res.stdout
    assert "garden" in res.stdout  # heard, and extracted as a concept
