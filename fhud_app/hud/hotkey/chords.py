"""Global-hotkey chords: parse ``"Ctrl+Alt+Space"``, validate per platform, display.

Qt-free.  A chord is a set of modifiers plus one key.  Names follow the PC
keyboard (Ctrl, Alt, Shift, Meta); on macOS Ctrl is Control (⌃), Alt is
Option (⌥) and Meta is Command (⌘), so the default ``Ctrl+Alt+Space`` is
⌃⌥Space there.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Flag, auto

from fhud_app.core.errors import FhudError


class ChordError(FhudError):
    """A chord that cannot be parsed or registered on this platform."""


class Mod(Flag):
    NONE = 0
    CTRL = auto()
    ALT = auto()
    SHIFT = auto()
    META = auto()


_MOD_NAMES = {
    "ctrl": Mod.CTRL, "control": Mod.CTRL, "ctl": Mod.CTRL, "⌃": Mod.CTRL,
    "alt": Mod.ALT, "option": Mod.ALT, "opt": Mod.ALT, "⌥": Mod.ALT,
    "shift": Mod.SHIFT, "⇧": Mod.SHIFT,
    "meta": Mod.META, "cmd": Mod.META, "command": Mod.META, "super": Mod.META,
    "win": Mod.META, "⌘": Mod.META,
}  # fmt: skip
_MOD_ORDER = (Mod.CTRL, Mod.ALT, Mod.SHIFT, Mod.META)
_MAC_SYMBOLS = {Mod.CTRL: "⌃", Mod.ALT: "⌥", Mod.SHIFT: "⇧", Mod.META: "⌘"}
_PC_NAMES = {Mod.CTRL: "Ctrl", Mod.ALT: "Alt", Mod.SHIFT: "Shift", Mod.META: "Meta"}
_WIN_NAMES = {**_PC_NAMES, Mod.META: "Win"}

NAMED_KEYS = (
    "Space", "Tab", "Return", "Escape", "Backspace", "Delete", "Insert", "Home", "End",
    "PageUp", "PageDown", "Left", "Right", "Up", "Down",
)  # fmt: skip
_KEY_ALIASES = {"enter": "Return", "esc": "Escape", "del": "Delete", "pgup": "PageUp",
                "pgdown": "PageDown", "ins": "Insert"}  # fmt: skip
PUNCTUATION = ",.;'/[]-=`\\"


@dataclass(frozen=True)
class Chord:
    mods: Mod
    key: str  # canonical: "Space", "A".."Z", "0".."9", "F1".."F24", a named key or punctuation

    def mod_bits(self, table: Mapping[Mod, int], base: int = 0) -> int:
        """``base`` with the native bit of each of this chord's modifiers OR-ed in."""
        bits = base
        for mod, bit in table.items():
            if mod in self.mods:
                bits |= bit
        return bits

    def __str__(self) -> str:
        return "+".join([_PC_NAMES[m] for m in _MOD_ORDER if m in self.mods] + [self.key])


def _canonical_key(token: str) -> str:
    low = token.lower()
    if len(token) == 1 and (token.isalnum() and token.isascii()):
        return token.upper()
    if len(token) == 1 and token in PUNCTUATION:
        return token
    if low.startswith("f") and low[1:].isdigit() and 1 <= int(low[1:]) <= 24:
        return f"F{int(low[1:])}"
    if low in _KEY_ALIASES:
        return _KEY_ALIASES[low]
    for name in NAMED_KEYS:
        if low == name.lower():
            return name
    raise ChordError(f"unknown key {token!r} in the hotkey: use a letter, digit, F1-F24 or Space.")


def parse_chord(text: str) -> Chord:
    """``"Ctrl+Alt+Space"`` (also ``"⌃⌥Space"``, ``"ctrl + option + k"``) → a :class:`Chord`."""
    raw = text.strip()
    for symbol in _MAC_SYMBOLS.values():
        raw = raw.replace(symbol, symbol + "+")
    tokens = [t.strip() for t in raw.split("+") if t.strip()]
    if not tokens:
        raise ChordError("the hotkey is empty: type a chord such as Ctrl+Alt+Space.")
    mods = Mod.NONE
    for token in tokens[:-1]:
        mod = _MOD_NAMES.get(token.lower())
        if mod is None:
            raise ChordError(f"unknown modifier {token!r} in {text!r}: use Ctrl, Alt, Shift or Meta.")
        mods |= mod
    if tokens[-1].lower() in _MOD_NAMES:
        raise ChordError(f"the hotkey {text!r} has no key: end it with a key, e.g. +Space.")
    return Chord(mods, _canonical_key(tokens[-1]))


def macos_version() -> tuple[int, ...] | None:
    """The running macOS version, or None elsewhere."""
    if sys.platform != "darwin":
        return None
    release = platform.mac_ver()[0]
    return tuple(int(p) for p in release.split(".") if p.isdigit()) or None


def validate(chord: Chord, plat: str | None = None, mac_version: tuple[int, ...] | None = None) -> None:
    """Raise :class:`ChordError` when ``chord`` cannot work as a global hotkey on ``plat``."""
    plat = plat or sys.platform
    if chord.mods == Mod.NONE and not chord.key.startswith("F"):
        raise ChordError(
            f"{display(chord, plat)} has no modifier: a global hotkey needs Ctrl, Alt, Shift or Meta."
        )
    if plat == "darwin":
        version = mac_version if mac_version is not None else macos_version()
        option_shift_only = chord.mods != Mod.NONE and not (chord.mods & (Mod.CTRL | Mod.META))
        if version and version[:2] in ((15, 0), (15, 1)) and option_shift_only:
            raise ChordError(
                f"macOS {'.'.join(map(str, version[:2]))} refuses global hotkeys that use only "
                f"Option and Shift ({display(chord, plat)}): add Control or Command, e.g. ⌃⌥Space."
            )


def display(chord: Chord, plat: str | None = None) -> str:
    """How a person on ``plat`` would write the chord: ``⌃⌥Space`` or ``Ctrl+Alt+Space``."""
    plat = plat or sys.platform
    mods = [m for m in _MOD_ORDER if m in chord.mods]
    if plat == "darwin":
        return "".join(_MAC_SYMBOLS[m] for m in mods) + chord.key
    names = _WIN_NAMES if plat.startswith("win") else _PC_NAMES
    return "+".join([names[m] for m in mods] + [chord.key])
