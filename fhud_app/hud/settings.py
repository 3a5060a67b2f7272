"""User preferences: one ``QSettings`` wrapper keyed by an enum.

Precedence: the defaults in :mod:`fhud_app.core.config`, then these saved
choices, then command-line flags (applied by the composition root).  The file
lives where Qt puts user settings unless ``FHUD_SETTINGS`` (or ``path``)
names an INI file, which is how tests keep their own.
"""

from __future__ import annotations

import os
from dataclasses import replace
from enum import Enum
from typing import Any

from PySide6.QtCore import QSettings

from fhud_app.core.config import Config
from fhud_app.hud.settings_check import as_bool, as_float, as_text, repair


class Key(Enum):
    """Each setting: its INI path, its Python type and the config field it feeds."""

    HOTKEY = ("hud/hotkey", str, ("hud", "hotkey"))
    PINNED = ("hud/pinned", bool, ("hud", "pinned"))
    CLICK_THROUGH = ("hud/click_through", bool, ("hud", "click_through"))
    OPACITY = ("hud/opacity", float, ("hud", "opacity"))
    DEBUG_OVERLAY = ("hud/debug_overlay", bool, ("hud", "debug_overlay"))
    GEOMETRY = ("hud/geometry", str, None)  # "x,y,w,h"; empty = centre-top of the screen
    VISIBLE = ("hud/visible", bool, None)
    LISTENING = ("audio/listening", bool, None)
    INPUT_DEVICE = ("audio/device", str, ("audio", "device"))  # "" = system default
    ASR_ENGINE = ("asr/engine", str, ("asr", "engine"))
    WHISPER_MODEL = ("asr/whisper_model", str, ("asr", "whisper_model"))  # "" = embedded
    PARAKEET_MODEL = ("asr/parakeet_model", str, ("asr", "parakeet_model"))
    LLM_MODEL = ("llm/model", str, ("llm", "model"))
    CONCEPT_MEMORY = ("hud/concept_memory", bool, ("hud", "concept_memory"))

    @property
    def path(self) -> str:
        return self.value[0]

    @property
    def type(self) -> type:
        return self.value[1]

    @property
    def field(self) -> tuple[str, str] | None:
        return self.value[2]


DEFAULTS: dict[Key, Any] = {Key.GEOMETRY: "", Key.VISIBLE: True, Key.LISTENING: True}


def default(key: Key) -> Any:
    """The value used when nothing is saved: the config default, or :data:`DEFAULTS`."""
    if key.field is None:
        return DEFAULTS[key]
    section, name = key.field
    value = getattr(getattr(Config(), section), name)
    return "" if value is None else value


def _convert(key: Key, raw: Any) -> Any:
    if key.type is bool:
        return as_bool(raw)
    if key.type is float:
        return as_float(raw)
    return as_text(raw)


class Settings:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        path = path or os.environ.get("FHUD_SETTINGS")
        if path:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "fhud", "fhud")
        # Invalid values and unknown keys are dropped (not written back), and said once.
        self._qs.allKeys()  # parses the file: status() tells whether it was INI text
        unreadable = self._qs.status() == QSettings.Status.FormatError
        self.note = repair(self._qs, ((key.path, key.type) for key in Key), unreadable=unreadable)

    @property
    def file(self) -> str:
        return self._qs.fileName()

    def get(self, key: Key) -> Any:
        if not self._qs.contains(key.path):
            return default(key)
        try:
            return _convert(key, self._qs.value(key.path))
        except (TypeError, ValueError):
            return default(key)  # edited since this run started: repair() said so at start

    def set(self, key: Key, value: Any) -> None:
        self._qs.setValue(key.path, _convert(key, "" if value is None else value))

    def saved(self, key: Key) -> bool:
        return self._qs.contains(key.path)

    def sync(self) -> None:
        self._qs.sync()

    def apply(self, config: Config) -> Config:
        """``config`` with every saved choice folded in (unsaved keys keep the config value)."""
        for key in Key:
            if key.field is None or not self.saved(key):
                continue
            section, name = key.field
            value = self.get(key)
            if value == "" and name in ("device", "whisper_model"):
                value = None
            config = _replace(config, section, name, value)
        return config


def _replace(config: Config, section: str, name: str, value: Any) -> Config:
    return replace(config, **{section: replace(getattr(config, section), **{name: value})})
