from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fhud_app.core import paths


@pytest.mark.parametrize(("env", "fn"), [("FHUD_CACHE_DIR", paths.cache_dir),
                                          ("FHUD_DATA_DIR", paths.data_dir),
                                          ("FHUD_LOG_DIR", paths.log_dir)])  # fmt: skip
def test_the_environment_overrides_each_folder(monkeypatch, tmp_path, env, fn):
    monkeypatch.setenv(env, str(tmp_path / "x"))
    assert fn() == tmp_path / "x"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG conventions are Linux's")
def test_linux_folders_follow_xdg(monkeypatch, tmp_path):
    for env in ("FHUD_CACHE_DIR", "FHUD_DATA_DIR", "FHUD_LOG_DIR"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.cache_dir() == tmp_path / "cache" / "fhud"
    assert paths.sessions_dir() == tmp_path / "data" / "fhud" / "sessions"
    assert paths.log_dir() == tmp_path / "state" / "fhud" / "log"


def test_resources_and_shaders_are_found():
    assert (paths.repo_resources() / "icon.png").is_file()
    assert any(Path(paths.shaders_dir()).glob("*.glsl"))
