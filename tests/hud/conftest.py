from __future__ import annotations

import os
import shutil
import subprocess

import pytest


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file: nothing touches the user's."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("FHUD_SETTINGS", str(path))
    monkeypatch.setenv("FHUD_DATA_DIR", str(tmp_path / "data"))  # sessions land here
    return path


@pytest.fixture
def x11(qapp):
    """An X server under Qt's xcb platform (Xvfb in CI), else skip."""
    from PySide6.QtGui import QGuiApplication

    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs an X server (run under Xvfb)")
    return os.environ["DISPLAY"]


def xprop(window_id: int, prop: str) -> str:
    out = subprocess.run(["xprop", "-id", str(window_id), prop], capture_output=True, text=True, check=True)
    return out.stdout


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)
