"""Where fHUD keeps its files (no Qt: platform conventions by hand)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _base(env: str, mac: str, default: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    if sys.platform == "darwin":
        return Path.home() / mac
    return Path.home() / default


def cache_dir() -> Path:
    """Converted models and other re-creatable files (``FHUD_CACHE_DIR`` overrides)."""
    if os.environ.get("FHUD_CACHE_DIR"):
        return Path(os.environ["FHUD_CACHE_DIR"])
    return _base("XDG_CACHE_HOME", "Library/Caches", ".cache") / "fhud"


def data_dir() -> Path:
    """Sessions the user keeps (``FHUD_DATA_DIR`` overrides)."""
    if os.environ.get("FHUD_DATA_DIR"):
        return Path(os.environ["FHUD_DATA_DIR"])
    return _base("XDG_DATA_HOME", "Library/Application Support", ".local/share") / "fhud"


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def repo_resources() -> Path:
    """The ``resources/`` folder (source tree, or the PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def shaders_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "shaders"
    return Path(__file__).resolve().parents[2] / "shaders"


def log_dir() -> Path:
    """The rotating log file's folder (``FHUD_LOG_DIR`` overrides): ``~/.local/state/fhud/log``
    on Linux, ``~/Library/Logs/fhud`` on macOS."""
    if os.environ.get("FHUD_LOG_DIR"):
        return Path(os.environ["FHUD_LOG_DIR"])
    import platformdirs

    return Path(platformdirs.user_log_dir("fhud", appauthor=False))
