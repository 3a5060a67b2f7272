"""The log file and unhandled exceptions: traceback in the file, one sentence for the person."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from fhud_app.core import logs


@pytest.fixture
def log_to(tmp_path, monkeypatch):
    """A fresh log file in ``tmp_path`` (the module keeps one per process: reset it after)."""
    monkeypatch.setenv("FHUD_LOG_DIR", str(tmp_path))
    monkeypatch.setitem(logs._state, "file", None)
    root = logging.getLogger()
    before = list(root.handlers)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield tmp_path / logs.LOG_NAME
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    import faulthandler

    faulthandler.disable()


def test_the_log_file_rotates_in_the_log_folder(log_to):
    assert logs.setup() == log_to == logs.log_file()
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(log_to))
    assert handler.maxBytes == logs.MAX_BYTES and handler.backupCount == logs.BACKUPS
    logging.getLogger("fhud.test").info("speech engine whisper: embedded")
    handler.flush()
    assert "speech engine whisper: embedded" in log_to.read_text()


def test_an_unwritable_log_folder_is_said_not_fatal(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("FHUD_LOG_DIR", str(blocker / "logs"))
    monkeypatch.setitem(logs._state, "file", None)
    assert logs.setup() is None


def test_a_thread_exception_reaches_log_and_listeners(log_to):
    logs.setup()
    heard: list[str] = []
    stop = logs.on_unhandled(heard.append)
    logs.install_excepthooks()
    try:
        t = threading.Thread(target=lambda: {}["model"], name="asr-worker")
        t.start()
        t.join()
    finally:
        stop()
    assert len(heard) == 1
    assert heard[0].startswith("fHUD hit an unexpected error in asr-worker (KeyError: 'model').")
    assert str(log_to) in heard[0]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_to.read_text()
    assert "Traceback" in text and "KeyError: 'model'" in text and "asr-worker" in text


def test_the_main_thread_hook_logs_and_tells(log_to, capsys):
    logs.setup()
    heard: list[str] = []
    stop = logs.on_unhandled(heard.append)
    logs.install_excepthooks()
    try:
        try:
            raise ValueError("bad shader")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        stop()
    assert heard == [logs.sentence(ValueError("bad shader"))]
    assert "fHUD hit an unexpected error (ValueError: bad shader)" in capsys.readouterr().err


def test_sentence_is_one_line():
    text = logs.sentence(RuntimeError("first line\nsecond line"), "Thread-3")
    assert "\n" not in text and "second" not in text and "in Thread-3" in text
