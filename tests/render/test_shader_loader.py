"""The shader loader: stage sources and driver error lines mapped back to file:line."""

from __future__ import annotations

import pytest

from fhud_app.core.paths import shaders_dir
from fhud_app.render.shader_loader import ShaderError, map_error, read_program, stage_source

SRC = "#version 410 core\n// comment\n#if defined VERTEX_SHADER\nvoid main() {}\n#endif\n"


def test_define_is_inserted_after_version():
    out, inserted = stage_source(SRC, "VERTEX_SHADER", {"MAX_CONCEPTS": 64})
    lines = out.splitlines()
    assert lines[0] == "#version 410 core"
    assert lines[1:3] == ["#define VERTEX_SHADER", "#define MAX_CONCEPTS 64"]
    assert inserted == 2 and lines[3] == "// comment"


def test_source_without_version_is_refused():
    with pytest.raises(ShaderError):
        stage_source("void main() {}\n", "VERTEX_SHADER")


@pytest.mark.parametrize(
    "driver_line",
    [
        "0:14(5): error: `foo' undeclared",  # Mesa
        "0(14) : error C1008: undefined variable \"foo\"",  # NVIDIA
        "ERROR: 0:14: Use of undeclared identifier 'foo'",  # Apple / AMD
    ],
)
def test_driver_lines_map_back_to_the_file(driver_line):
    msg = map_error(f"GLSL Compiler failed\n\nfragment_shader\n================\n{driver_line}\n", "shaders/x.glsl", 3)
    assert "shaders/x.glsl:11" in msg and "foo" in msg


def test_every_shipped_program_has_both_stages():
    names = sorted(p.stem for p in shaders_dir().glob("*.glsl"))
    assert {"particles", "text", "glow", "filament", "field"} <= set(names)
    for name in names:
        _, src = read_program(name)
        assert src.startswith("#version 410 core")
        assert "#if defined VERTEX_SHADER" in src and "#if defined FRAGMENT_SHADER" in src


def test_missing_program_is_a_readable_error(tmp_path):
    with pytest.raises(ShaderError, match="cannot read shader"):
        read_program("nope", root=tmp_path)
