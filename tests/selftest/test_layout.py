"""The files a bundle must carry: a copy missing a shader, the Whisper model or the Qt xcb
plugin fails the files check with a message naming the missing file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from fhud_app.selftest import layout
from fhud_app.selftest.checks import CheckFailed, State, check_files


@pytest.fixture
def copied(tmp_path: Path) -> layout.Layout:
    """The source tree's files copied into a fake install (what a bundle would hold)."""
    here = layout.Layout.current()
    dest = layout.Layout(tmp_path / "shaders", tmp_path / "resources", tmp_path / "whisper",
                         tmp_path / "plugins")  # fmt: skip
    for src, dst in ((here.shaders, dest.shaders), (here.resources, dest.resources)):
        shutil.copytree(src, dst)
    dest.whisper.mkdir()
    for name in layout.WHISPER_FILES:  # a hard link: the 72 MB model is not copied
        (dest.whisper / name).hardlink_to(here.whisper / name)
    (dest.qt_plugins / "platforms").mkdir(parents=True)
    (tmp_path / "lib").symlink_to(here.qt_plugins.parent / "lib")  # the plugins' RPATH: ../../lib
    for name in layout.platform_plugins():
        shutil.copy2(here.qt_plugins / "platforms" / name, dest.qt_plugins / "platforms" / name)
    return dest


def test_the_source_tree_has_every_file():
    assert layout.missing(layout.Layout.current()) == []


def test_a_complete_copy_passes(copied):
    assert "5 shaders" in check_files(State(copied))


@pytest.mark.parametrize("part", ["shader", "whisper", "xcb"])
def test_a_removed_file_is_named(copied, part):
    target = {
        "shader": copied.shaders / "particles.glsl",
        "whisper": copied.whisper / "model.bin",
        "xcb": copied.qt_plugins / "platforms" / layout.platform_plugins()[0],
    }[part]
    target.unlink()
    with pytest.raises(CheckFailed) as err:
        check_files(State(copied))
    assert str(target) in str(err.value)
    assert "reinstall" in str(err.value)


def test_platform_plugin_names():
    assert layout.platform_plugins("linux")[0] == "libqxcb.so"
    assert layout.platform_plugins("darwin")[0] == "libqcocoa.dylib"
    assert layout.platform_plugins("win32")[0] == "qwindows.dll"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux's")
def test_the_xcb_plugin_loads_with_its_libraries():
    assert layout.load_platform_plugin(layout.Layout.current()) is None


def test_a_broken_plugin_file_gives_qt_reason(copied):
    (copied.qt_plugins / "platforms" / layout.platform_plugins()[0]).write_bytes(b"not a library")
    if sys.platform.startswith("linux"):
        with pytest.raises(CheckFailed, match="does not load"):
            check_files(State(copied))
