"""build_macos.spec, run with PyInstaller's build objects replaced by recorders."""

from __future__ import annotations

import plistlib
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _recorder(kind: str, seen: dict):
    def make(*args, **kwargs):
        seen[kind] = (args, kwargs)
        return types.SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[])

    return make


def run_spec(monkeypatch, mlx_dir: Path) -> dict:
    seen: dict = {}
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda pkg: []
    hooks.collect_submodules = lambda pkg: [pkg]
    hooks.get_package_paths = lambda pkg: (str(mlx_dir.parent), str(mlx_dir))
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    namespace = {"SPECPATH": str(ROOT), "__name__": "spec"}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = _recorder(kind, seen)
    exec(compile((ROOT / "build_macos.spec").read_text(), "build_macos.spec", "exec"), namespace)
    return seen


def test_bundle_is_a_menu_bar_app_that_may_record(monkeypatch, tmp_path):
    mlx = tmp_path / "mlx"
    (mlx / "lib").mkdir(parents=True)
    (mlx / "lib" / "libmlx.dylib").write_bytes(b"")
    (mlx / "lib" / "mlx.metallib").write_bytes(b"")
    seen = run_spec(monkeypatch, mlx)
    plist = seen["BUNDLE"][1]["info_plist"]
    assert plist["LSUIElement"] is True
    assert "never leaves" in plist["NSMicrophoneUsageDescription"]
    analysis = seen["Analysis"][1]
    assert {"glcontext", "_moderngl"} <= set(analysis["hiddenimports"])
    dylib = [dest for src, dest in analysis["binaries"] if src.endswith("libmlx.dylib")]
    metallib = [dest for src, dest in analysis["datas"] if src.endswith("mlx.metallib")]
    assert dylib == metallib == ["mlx/lib"]
    dests = {dest for _src, dest in analysis["datas"]}
    assert {"shaders", "resources"} <= dests
    entitlements = Path(seen["EXE"][1]["entitlements_file"])
    granted = plistlib.loads(entitlements.read_bytes())
    assert granted["com.apple.security.device.audio-input"] is True
