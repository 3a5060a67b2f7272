from __future__ import annotations

import pytest

from fhud_app.hud.hotkey.chords import Chord, ChordError, Mod, display, parse_chord, validate


@pytest.mark.parametrize(
    ("text", "mods", "key"),
    [
        ("Ctrl+Alt+Space", Mod.CTRL | Mod.ALT, "Space"),
        ("ctrl + option + k", Mod.CTRL | Mod.ALT, "K"),
        ("⌃⌥Space", Mod.CTRL | Mod.ALT, "Space"),
        ("Cmd+Shift+f12", Mod.META | Mod.SHIFT, "F12"),
        ("Super+Esc", Mod.META, "Escape"),
        ("Alt+/", Mod.ALT, "/"),
        ("F9", Mod.NONE, "F9"),
    ],
)
def test_parse(text, mods, key):
    assert parse_chord(text) == Chord(mods, key)


@pytest.mark.parametrize("text", ["", "Ctrl+Alt", "Hyper+Space", "Ctrl+Alt+Spaace", "Ctrl+F25"])
def test_parse_rejects_with_a_sentence(text):
    with pytest.raises(ChordError) as info:
        parse_chord(text)
    assert str(info.value).endswith(".")


def test_round_trip_through_str():
    chord = parse_chord("shift+ctrl+meta+a")
    assert str(chord) == "Ctrl+Shift+Meta+A"
    assert parse_chord(str(chord)) == chord


def test_display_per_platform():
    chord = parse_chord("Ctrl+Alt+Space")
    assert display(chord, "darwin") == "⌃⌥Space"
    assert display(chord, "linux") == "Ctrl+Alt+Space"
    assert display(parse_chord("Meta+Shift+K"), "win32") == "Shift+Win+K"
    assert display(parse_chord("Meta+Shift+K"), "darwin") == "⇧⌘K"


def test_bare_key_is_refused_but_function_keys_are_allowed():
    with pytest.raises(ChordError, match="no modifier"):
        validate(Chord(Mod.NONE, "Space"), "linux")
    validate(Chord(Mod.NONE, "F9"), "linux")


@pytest.mark.parametrize("version", [(15, 0), (15, 1, 1)])
@pytest.mark.parametrize("text", ["Alt+Space", "Shift+Alt+K", "Shift+Space"])
def test_macos_15_0_and_15_1_refuse_option_shift_only(text, version):
    with pytest.raises(ChordError, match="Option and Shift"):
        validate(parse_chord(text), "darwin", version)


@pytest.mark.parametrize(
    ("text", "version"),
    [("Alt+Space", (14, 6)), ("Alt+Space", (15, 2)), ("Ctrl+Alt+Space", (15, 0)), ("Cmd+Shift+K", (15, 1))],
)
def test_macos_accepts_other_chords(text, version):
    validate(parse_chord(text), "darwin", version)


def test_option_only_is_fine_off_macos():
    validate(parse_chord("Alt+Space"), "linux")
