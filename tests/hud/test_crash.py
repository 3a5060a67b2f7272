"""Unhandled exceptions reach the GUI thread as one sentence, from any thread, Qt's included."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QThread, QTimer

from fhud_app.core import logs
from fhud_app.hud.crash import CrashBridge, fatal


@pytest.fixture
def bridge(qapp, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    logs.install_excepthooks()
    said: list[tuple[str, bool]] = []
    gui = QThread.currentThread()
    b = CrashBridge(lambda text: said.append((text, QThread.currentThread() is gui)))
    yield b, said
    b.close()


class Boom(QThread):
    def run(self) -> None:
        raise RuntimeError("decoder state lost")


@pytest.mark.qt_no_exception_capture
def test_a_qthread_exception_is_said_on_the_gui_thread(bridge, qtbot):
    b, said = bridge
    worker = Boom()
    worker.start()
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    worker.wait()
    text, on_gui = said[0]
    assert "RuntimeError: decoder state lost" in text and on_gui


@pytest.mark.qt_no_exception_capture
def test_a_python_thread_exception_is_said(bridge, qtbot):
    b, said = bridge
    threading.Thread(target=lambda: 1 / 0, name="concepts").start()
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert "in concepts (ZeroDivisionError" in said[0][0] and said[0][1]


@pytest.mark.qt_no_exception_capture
def test_a_gui_slot_exception_is_said(bridge, qtbot):
    b, said = bridge

    def slot() -> None:
        raise ValueError("bad geometry")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert "ValueError: bad geometry" in said[0][0]


def test_fatal_shows_one_sentence():
    shown: list[str] = []
    try:
        raise OSError("no GL")
    except OSError as exc:
        text = fatal(exc, show=shown.append)
    assert shown == [text] and text.startswith("fHUD hit an unexpected error (OSError: no GL).")
