"""Render tests: GL ones need an X server with OpenGL (Xvfb + Mesa in CI)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from fhud_app.core.events import make_event

# The 4.1 core default format must be set before pytest-qt creates the QApplication.
if os.environ.get("DISPLAY"):
    from fhud_app.render.widget import set_default_surface_format

    set_default_surface_format()
else:  # no X server: Qt still works offscreen (atlas tests); GL tests skip
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class FakeClock:
    """Simulated seconds: tests advance time instead of waiting for it."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def events(*specs: tuple) -> np.ndarray:
    """``events((Kind.WORD, {"text": "hi"}), ...)`` as one EVENT_DTYPE array."""
    return np.concatenate([make_event(kind, **kw) for kind, kw in specs])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def display(qapp):
    from PySide6.QtGui import QGuiApplication

    if not os.environ.get("DISPLAY"):
        pytest.skip("no DISPLAY: GL widget tests need an X server (run under Xvfb + Mesa)")
    if QGuiApplication.platformName() != "xcb":
        pytest.skip(f"GL widget tests need the xcb platform, not {QGuiApplication.platformName()}")
    return os.environ["DISPLAY"]
