"""The self-test's checks one by one, with fakes where the machine lacks the real thing."""

from __future__ import annotations

import sys

import pytest

from fhud_app.commands.selftest import run_check
from fhud_app.selftest import checks
from fhud_app.selftest.layout import Layout
from tests.audio.fake_sounddevice import FakeSoundDevice


def test_word_error_rate():
    assert checks.word_error_rate("a garden of memory", "A garden of memory.") == 0.0
    assert checks.word_error_rate("a garden of memory", "a garden memory") == 0.25
    assert checks.word_error_rate("a garden", "") == 1.0


def test_zero_input_devices_is_a_pass_with_a_note(monkeypatch):
    fake = FakeSoundDevice(devices=[{"name": "speakers", "max_input_channels": 0}])
    fake.get_portaudio_version = lambda: (1, "PortAudio V19, revision x")
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    assert "no input device" in checks.check_sound(None)


def test_missing_portaudio_fails_with_what_to_install(monkeypatch):
    def fail(name, *args, **kwargs):
        raise OSError("PortAudio library not found")

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr("builtins.__import__", _importer(fail))
    with pytest.raises(checks.CheckFailed, match="libportaudio2"):
        checks.check_sound(None)


def _importer(fail):
    real = __import__

    def imp(name, *args, **kwargs):
        if name == "sounddevice":
            fail(name)
        return real(name, *args, **kwargs)

    return imp


def test_hotkey_backend_without_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform != "linux":
        pytest.skip("the X11 backend is Linux's")
    assert "no display here" in checks.check_hotkey(None)


def test_concepts_need_words():
    with pytest.raises(checks.CheckFailed, match="nothing was heard"):
        checks.check_concepts(checks.State(Layout.current()))


def test_a_failing_check_is_one_line(capsys):
    def boom(_state):
        raise KeyError("shaders")

    assert run_check("broken", boom, None) is False
    assert run_check("fine", lambda _s: "ok", None) is True
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FAIL  broken") and "KeyError" in out[0] and "test_checks.py" in out[0]
    assert out[1].startswith("PASS  fine") and out[1].endswith("ok")
