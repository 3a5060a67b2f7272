"""One GUI per data folder: a lock file, and a request file that shows the first one's HUD."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fhud_app.app_gui import Feed
from fhud_app.hud.single_instance import ALREADY_RUNNING, SingleInstance
from tests.hud.test_app_gui import FakeDevices, harness  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]


def test_the_second_instance_is_refused_and_its_request_reaches_the_first(qtbot, tmp_path: Path) -> None:
    first, second = SingleInstance(tmp_path), SingleInstance(tmp_path)
    assert first.acquire()
    assert not second.acquire() and second.owner() == os.getpid()
    with qtbot.waitSignal(first.show_requested, timeout=3000):
        assert second.ask_to_show()
    qtbot.waitUntil(lambda: not first.request.exists(), timeout=1000)  # taken: said once
    first.release()
    assert SingleInstance(tmp_path).acquire()  # released: the next launch runs


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    code = ("import sys, os; from PySide6.QtCore import QLockFile; "
            f"l = QLockFile({str(tmp_path / 'fhud.lock')!r}); assert l.tryLock(0); os._exit(0)")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert (tmp_path / "fhud.lock").exists()  # left behind, as after kill -9
    assert SingleInstance(tmp_path).acquire()


def test_an_unwritable_folder_runs_unguarded(tmp_path: Path, caplog) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert SingleInstance(blocked / "data").acquire()
    assert "no single-instance lock" in caplog.text


def test_a_show_request_shows_a_hidden_hud(qtbot, harness, tmp_path: Path) -> None:  # noqa: F811
    h = harness(Feed(device=""), FakeDevices("Built-in"))
    first = SingleInstance(tmp_path)
    assert first.acquire()
    first.show_requested.connect(h.app.show_hud)
    h.app.window.hide()
    SingleInstance(tmp_path).ask_to_show()
    qtbot.waitUntil(h.app.window.isVisible, timeout=3000)
    first.release()


@pytest.mark.gl
def test_two_launches_at_once_run_one_gui(tmp_path: Path, silence_wav: Path) -> None:
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (run under Xvfb)")
    env = dict(os.environ, PYTHONPATH=str(ROOT), FHUD_SETTINGS=str(tmp_path / "settings.ini"),
               FHUD_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="xcb")  # fmt: skip
    cmd = [sys.executable, "-m", "fhud_app", "--source", str(silence_wav), "--engine", "whisper",
           "--llm", "none", "--exit-after", "8"]  # fmt: skip
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    said = [e for e in errs if ALREADY_RUNNING in e]
    assert len(said) == 1, errs
    assert said[0].strip().startswith(f"fhud: {ALREADY_RUNNING} (process ") and "its HUD is shown" in said[0]
    sessions = list((tmp_path / "data" / "sessions").glob("*.jsonl"))
    assert len(sessions) <= 1  # silence writes no file; never two instances in one
