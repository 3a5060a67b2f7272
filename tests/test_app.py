"""``fhud --demo`` end to end under an X server: the HUD maps, is on top, shows
words, toggles with the global hotkey, keeps its settings and exits cleanly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from fhud_app.hud.settings import Key, Settings

QT_WARNING = re.compile(r"^(QXcb|QOpenGL|QWidget|QPainter|QObject|QThread|qt\.|Qt:|QSocketNotifier|Warning:)", re.M)
EXIT_AFTER = 20.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def _hud_window(pid: int) -> int | None:
    """The visible HUD window of process ``pid`` (other runs may share the display)."""
    ids = _run(_tool("xdotool"), "search", "--onlyvisible", "--pid", str(pid), "--name", "^fHUD$").split()
    return int(ids[0]) if ids else None


def _map_state(window: int) -> str:
    match = re.search(r"Map State: (\w+)", _run(_tool("xwininfo"), "-id", str(window)))
    return match.group(1) if match else "gone"


def bright_pixels(window: int) -> int:
    """Pixels of the window's screenshot that are nearly white (text)."""
    png = subprocess.run([_tool("import"), "-window", str(window), "png:-"], capture_output=True, check=True).stdout
    image = QImage.fromData(png, "PNG").convertToFormat(QImage.Format.Format_Grayscale8)
    assert not image.isNull()
    ptr = image.constBits()
    data = bytes(ptr)[: image.sizeInBytes()]
    return sum(1 for b in data if b > 170)


@pytest.fixture
def demo(x11_display, tmp_path):
    settings = tmp_path / "settings.ini"
    env = dict(os.environ, FHUD_SETTINGS=str(settings), FHUD_DATA_DIR=str(tmp_path / "data"))
    cmd = [sys.executable, "-m", "fhud_app", "--demo", "--exit-after", str(EXIT_AFTER)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield proc, settings
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


@pytest.fixture
def x11_display(qapp):
    from PySide6.QtGui import QGuiApplication

    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs an X server (run under Xvfb)")
    return os.environ["DISPLAY"]


@pytest.mark.slow
def test_demo_end_to_end(qtbot, demo):
    proc, settings_file = demo
    found: list[int] = []
    qtbot.waitUntil(lambda: bool(found.append(_hud_window(proc.pid)) or found[-1]), timeout=15_000)
    window = found[-1]
    assert "_NET_WM_STATE_ABOVE" in _run(_tool("xprop"), "-id", str(window), "_NET_WM_STATE")
    blank = bright_pixels(window)
    # Words of the demo speech appear once the embedded model has loaded.
    qtbot.waitUntil(lambda: bright_pixels(window) > blank + 150, timeout=25_000)
    # The global hotkey hides the HUD, and shows it again.
    _run(_tool("xdotool"), "key", "ctrl+alt+space")
    qtbot.waitUntil(lambda: _map_state(window) == "IsUnMapped", timeout=5_000)
    _run(_tool("xdotool"), "key", "ctrl+alt+space")
    qtbot.waitUntil(lambda: _map_state(window) == "IsViewable", timeout=5_000)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=int(EXIT_AFTER * 1000) + 20_000)
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert not QT_WARNING.search(err), err
    assert "Traceback" not in err, err
    saved = Settings(settings_file)
    assert saved.get(Key.VISIBLE) is True
    assert saved.get(Key.GEOMETRY)  # the position is kept for the next launch


def test_bad_source_is_one_line(tmp_path):
    env = dict(os.environ, FHUD_SETTINGS=str(tmp_path / "s.ini"))
    missing = str(Path(tmp_path) / "nope.wav")
    proc = subprocess.run([sys.executable, "-m", "fhud_app", "--source", missing], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no such file" in proc.stderr


def test_sigterm_while_models_load_quits_at_once_and_keeps_settings(qtbot, x11_display, tmp_path):
    import signal
    import threading
    import time

    settings = tmp_path / "settings.ini"
    env = dict(os.environ, FHUD_SETTINGS=str(settings), FHUD_DATA_DIR=str(tmp_path / "data"), FHUD_TRACE="1")
    cmd = [sys.executable, "-m", "fhud_app", "--demo"]  # the speech and concept models load
    proc = subprocess.Popen(cmd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        qtbot.waitUntil(lambda: any("pipeline-started" in s for s in lines), timeout=30_000)
        assert not any("concepts-ready" in s for s in lines)  # the concept model is still loading
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=15_000)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        reader.join(5)
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0, err
    assert took < 3.0, f"quitting took {took:.1f} s"  # not the model load's ~25 s
    assert "Traceback" not in err and "QThread" not in err, err
    assert Settings(settings).get(Key.GEOMETRY)

class _CountingEngine:
    """One word per 0.1 s of audio fed, stamped on the audio clock the worker sees."""

    name = "counting"

    def __init__(self) -> None:
        self.total = 0
        self.emitted = 0

    def feed(self, samples):  # noqa: ANN001, ANN201
        from fhud_app.asr.base import EngineUpdate, Word

        self.total += len(samples)
        words = []
        while (self.emitted + 1) * 1_600 <= self.total:
            words.append(Word(f"w{self.emitted}", self.emitted * 0.1, self.emitted * 0.1 + 0.08, 0.9))
            self.emitted += 1
        return EngineUpdate(words, "")

    def flush(self):  # noqa: ANN201
        from fhud_app.asr.base import EngineUpdate

        return EngineUpdate([], "")

    def close(self) -> None:
        pass


def test_looping_file_plays_on_in_one_pipeline(qtbot, tmp_path):
    import numpy as np
    import soundfile as sf

    from fhud_app.app import SourceSpec, build_pipeline
    from fhud_app.core.config import Config
    from fhud_app.core.events import Kind

    sf.write(tmp_path / "clip.wav", np.full(4_000, 0.1, np.float32), 16_000)  # 0.25 s
    loads = []

    def factory(config, gate, progress):  # noqa: ANN001, ANN202
        loads.append(1)
        return _CountingEngine(), "test"

    spec = SourceSpec(tmp_path / "clip.wav", loop=True)
    pipeline = build_pipeline(Config(), spec, realtime=False, engine_factory=factory, concepts=False)
    reader = pipeline.words.reader(from_start=True)
    seen: list[float] = []

    def words_past(seconds: float) -> bool:
        recs = reader.read()
        seen.extend(recs[recs["kind"] == int(Kind.WORD)]["emitted_at"].tolist())  # the worker's clock
        return bool(seen) and seen[-1] > seconds

    try:
        with qtbot.assertNotEmitted(pipeline.finished):
            pipeline.start()
            qtbot.waitUntil(lambda: words_past(4 * (0.25 + 2.0)), timeout=20_000)  # four plays
    finally:
        pipeline.stop()
    assert pipeline.source.plays >= 4 and len(loads) == 1  # one model load for every play
    assert all(b >= a for a, b in zip(seen, seen[1:], strict=False))  # audio time never restarts
