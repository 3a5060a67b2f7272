"""A saved window geometry is made to fit the screens before it is restored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from fhud_app.hud.settings import Key, Settings
from fhud_app.hud.window import MIN_SIZE, fit_geometry, parse_geometry

SCREEN = QRect(0, 0, 1600, 1000)
RIGHT = QRect(1600, 0, 1280, 800)  # a second screen to the right


def test_a_huge_window_shrinks_to_its_screen() -> None:
    assert fit_geometry(QRect(0, 0, 100_000, 100_000), [SCREEN], 720, 420) == SCREEN


def test_a_window_partly_off_screen_is_moved_inside() -> None:
    assert fit_geometry(QRect(1500, 950, 400, 300), [SCREEN], 720, 420) == QRect(1200, 700, 400, 300)
    assert fit_geometry(QRect(-50, -20, 400, 300), [SCREEN], 720, 420) == QRect(0, 0, 400, 300)


def test_it_stays_on_the_screen_it_overlaps_most() -> None:
    fitted = fit_geometry(QRect(1500, 100, 900, 5000), [SCREEN, RIGHT], 720, 420)
    assert RIGHT.contains(fitted) and fitted.width() == 900 and fitted.height() == 800


def test_a_window_on_no_screen_goes_to_the_default_place() -> None:
    fitted = fit_geometry(QRect(50_000, 50_000, 400, 300), [SCREEN, RIGHT], 720, 420)
    assert fitted == QRect(440, 83, 720, 420)
    assert fit_geometry(None, [SCREEN], 720, 420) == fitted


def test_a_tiny_window_grows_to_the_minimum_size() -> None:
    fitted = fit_geometry(QRect(10, 10, 1, 1), [SCREEN], 720, 420)
    assert (fitted.width(), fitted.height()) == MIN_SIZE


@pytest.mark.parametrize("text", ["", "banana", "1,2,3", "0,0,-5,10", "0,0,99999999999,10", "nan,0,1,1"])
def test_unreadable_geometry_is_none(text: str) -> None:
    assert parse_geometry(text) is None


@pytest.mark.gl
def test_a_saved_huge_window_launches_and_is_saved_back_fitted(tmp_path: Path, silence_wav: Path) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (run under Xvfb)")
    ini = tmp_path / "settings.ini"
    Settings(ini).set(Key.GEOMETRY, "0,0,100000,100000")
    env = dict(os.environ, FHUD_SETTINGS=str(ini), FHUD_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="xcb")
    cmd = [sys.executable, "-m", "fhud_app", "--source", str(silence_wav), "--engine", "whisper",
           "--llm", "none", "--exit-after", "2"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    saved = parse_geometry(Settings(ini).get(Key.GEOMETRY))
    assert saved is not None and saved.width() <= 4096 and saved.height() <= 4096, saved
    assert "Framebuffer incomplete" not in proc.stderr
