"""Where fHUD keeps its files: the platform's conventions through platformdirs (no Qt).

Linux: ``~/.cache/fhud``, ``~/.local/share/fhud``, ``~/.local/state/fhud/log`` (the XDG
variables are honoured); macOS: ``~/Library/Caches/fhud``, ``~/Library/Application
Support/fhud``, ``~/Library/Logs/fhud``; Windows: under ``%LOCALAPPDATA%\\fhud``.
``FHUD_CACHE_DIR``, ``FHUD_DATA_DIR`` and ``FHUD_LOG_DIR`` override each.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "fhud"


def _override(env: str) -> Path | None:
    value = os.environ.get(env)
    return Path(value) if value else None


def cache_dir() -> Path:
    """Converted models and other re-creatable files (``FHUD_CACHE_DIR`` overrides)."""
    return _override("FHUD_CACHE_DIR") or Path(platformdirs.user_cache_dir(APP, appauthor=False))


def data_dir() -> Path:
    """Sessions the user keeps (``FHUD_DATA_DIR`` overrides)."""
    return _override("FHUD_DATA_DIR") or Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """Log files (``FHUD_LOG_DIR`` overrides); not created here."""
    return _override("FHUD_LOG_DIR") or Path(platformdirs.user_log_dir(APP, appauthor=False))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def _bundle() -> Path | None:
    """The PyInstaller bundle's folder, when running from one."""
    bundle = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader only
    return Path(bundle) if bundle else None


def repo_resources() -> Path:
    """The ``resources/`` folder (source tree, or the PyInstaller bundle)."""
    return (_bundle() or Path(__file__).resolve().parents[2]) / "resources"


def shaders_dir() -> Path:
    return (_bundle() or Path(__file__).resolve().parents[2]) / "shaders"
