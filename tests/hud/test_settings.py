from __future__ import annotations

import argparse

from fhud_app.core.config import Config
from fhud_app.hud.launch import config_from
from fhud_app.hud.settings import Key, Settings, default
from tests.hud.test_app_gui import harness  # noqa: F401 - the fixture


def test_defaults_come_from_the_config():
    s = Settings()
    assert s.get(Key.HOTKEY) == Config().hud.hotkey
    assert s.get(Key.PINNED) is True
    assert s.get(Key.INPUT_DEVICE) == ""
    assert s.get(Key.LISTENING) is True
    assert default(Key.OPACITY) == Config().hud.opacity


def test_round_trip_survives_a_new_instance(private_settings):
    s = Settings()
    s.set(Key.PINNED, False)
    s.set(Key.OPACITY, 0.5)
    s.set(Key.HOTKEY, "Ctrl+Shift+H")
    s.set(Key.INPUT_DEVICE, "USB Mic")
    s.set(Key.GEOMETRY, "10,20,300,200")
    s.sync()
    again = Settings(private_settings)
    assert again.get(Key.PINNED) is False
    assert again.get(Key.OPACITY) == 0.5
    assert again.get(Key.HOTKEY) == "Ctrl+Shift+H"
    assert again.get(Key.INPUT_DEVICE) == "USB Mic"
    assert again.get(Key.GEOMETRY) == "10,20,300,200"


def test_unreadable_value_falls_back_to_default(private_settings):
    private_settings.write_text("[hud]\nopacity=lots\n")
    assert Settings().get(Key.OPACITY) == Config().hud.opacity


def test_apply_folds_saved_choices_into_the_config():
    s = Settings()
    s.set(Key.CLICK_THROUGH, True)
    s.set(Key.ASR_ENGINE, "whisper")
    s.set(Key.INPUT_DEVICE, "")
    config = s.apply(Config())
    assert config.hud.click_through is True
    assert config.asr.engine == "whisper"
    assert config.audio.device is None


def test_cli_flags_override_saved_settings():
    s = Settings()
    s.set(Key.ASR_ENGINE, "whisper")
    s.set(Key.INPUT_DEVICE, "Saved Mic")
    s.set(Key.LLM_MODEL, "embedded")
    args = argparse.Namespace(engine="parakeet", llm=None, device="Flag Mic", debug_overlay=True)
    config = config_from(args, s)
    assert config.asr.engine == "parakeet"
    assert config.llm.model == "embedded"
    assert config.audio.device == "Flag Mic"
    assert config.hud.debug_overlay is True


GARBAGE = (
    "[audio]\nlistening=banana\n[hud]\nopacity=7\npinned=maybe\ngeometry=0,0,640,400\n"
    "[asr]\nengine=vosk\n[llm]\nmodel=/does/not/exist\n[zzz]\nnoise=1\n"
)


def test_each_invalid_value_falls_back_to_its_default_with_one_note(private_settings, caplog):
    private_settings.write_text(GARBAGE)
    s = Settings()
    assert s.get(Key.LISTENING) is True and s.get(Key.OPACITY) == Config().hud.opacity
    assert s.get(Key.PINNED) is True and s.get(Key.ASR_ENGINE) == "auto" and s.get(Key.LLM_MODEL) == "auto"
    assert s.get(Key.GEOMETRY) == "0,0,640,400"  # valid (read by QSettings as a list)
    assert s.note is not None and "\n" not in s.note
    assert "audio/listening='banana'" in s.note and "2 more" in s.note and ".bad" in s.note
    assert [r.getMessage() for r in caplog.records] == [s.note]
    assert Settings().note is None  # repaired on disk: said once, not at every launch


def test_a_garbage_file_is_not_written_back_as_it_was(private_settings):
    junk = bytes(range(256)) * 3 + b"\n[audio]\nlistening=banana\nnot a setting at all\n"
    private_settings.write_bytes(junk)
    s = Settings()
    s.set(Key.VISIBLE, True)
    s.sync()
    text = private_settings.read_bytes()
    assert b"banana" not in text and text != junk
    assert (private_settings.parent / "settings.ini.bad").read_bytes() == junk
    assert Settings().get(Key.LISTENING) is True


def test_a_clean_file_raises_no_note(private_settings):
    s = Settings()
    s.set(Key.OPACITY, 0.5)
    s.set(Key.LLM_MODEL, "mlx-community/gemma-3-1b-it-qat-4bit")
    s.sync()
    assert Settings().note is None and not (private_settings.parent / "settings.ini.bad").exists()


def test_the_note_is_shown_in_the_hud_at_start(qtbot, harness, private_settings):  # noqa: F811
    private_settings.write_text("[audio]\nlistening=banana\n")
    h = harness(settings=Settings())
    h.app.start()
    assert "Settings: ignored audio/listening='banana'" in h.app.window.status.text()
    qtbot.waitUntil(lambda: len(h.made) == 1 and h.made[0].running, timeout=3000)  # listening: the default
