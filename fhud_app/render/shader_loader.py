"""The one loader for ``shaders/*.glsl`` program files.

A program file holds every stage, each inside ``#if defined VERTEX_SHADER`` /
``FRAGMENT_SHADER`` / ``GEOMETRY_SHADER``.  For each stage present the loader
inserts ``#define <STAGE>`` (and any extra defines) right after ``#version``
and compiles.  Driver errors quote line numbers of the source *it* saw; they are
mapped back through the inserted lines so the message names the file and line
a person should open.
"""

from __future__ import annotations

import re
from pathlib import Path

from fhud_app.core.errors import FhudError
from fhud_app.core.paths import shaders_dir

STAGES = {"VERTEX_SHADER": "vertex_shader", "FRAGMENT_SHADER": "fragment_shader", "GEOMETRY_SHADER": "geometry_shader"}

# Mesa "0:12(5): error", NVIDIA "0(12) : error", Apple/AMD "ERROR: 0:12: ...".
_LINE_PATTERNS = (
    re.compile(r"^(?P<pre>\s*(?:ERROR:\s*|WARNING:\s*)?)\d+:(?P<line>\d+)\(\d+\)(?P<post>:.*)$"),
    re.compile(r"^(?P<pre>\s*)\d+\((?P<line>\d+)\)(?P<post>\s*:.*)$"),
    re.compile(r"^(?P<pre>\s*(?:ERROR|WARNING):\s*)\d+:(?P<line>\d+)(?P<post>:.*)$"),
)


class ShaderError(FhudError):
    """A shader failed to compile or link; the message names ``file:line``."""


def stage_source(source: str, stage: str, defines: dict[str, object] | None = None) -> tuple[str, int]:
    """The source for one stage and how many lines were inserted after ``#version``."""
    lines = source.splitlines()
    if not lines or not lines[0].startswith("#version"):
        raise ShaderError("a shader file must start with a #version line.")
    extra = [f"#define {stage}"] + [f"#define {k} {v}" for k, v in (defines or {}).items()]
    return "\n".join([lines[0], *extra, *lines[1:]]) + "\n", len(extra)


def map_error(message: str, path: Path | str, inserted: int) -> str:
    """Rewrite driver line numbers as ``file:line`` of the shader file."""
    out = []
    for raw in str(message).splitlines():
        for pat in _LINE_PATTERNS:
            m = pat.match(raw)
            if m:
                line = int(m.group("line")) - inserted if int(m.group("line")) > 1 else 1
                raw = f"{path}:{line}{m.group('post')}"
                break
        out.append(raw.strip())
    return "\n".join(line for line in out if line)


def read_program(name: str, root: Path | None = None) -> tuple[Path, str]:
    path = (root or shaders_dir()) / f"{name}.glsl"
    try:
        return path, path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ShaderError(f"cannot read shader {path}: {exc.strerror}; reinstall fHUD.") from exc


def load_program(ctx, name: str, defines: dict[str, object] | None = None, root: Path | None = None):  # noqa: ANN001, ANN201
    """Compile and link ``shaders/<name>.glsl`` in ``ctx`` (a moderngl.Context)."""
    import moderngl

    path, source = read_program(name, root)
    kwargs: dict[str, str] = {}
    inserted = 1
    for stage, arg in STAGES.items():
        if f"defined {stage}" in source:
            kwargs[arg], inserted = stage_source(source, stage, defines)
    if "vertex_shader" not in kwargs:
        raise ShaderError(f"{path}: no '#if defined VERTEX_SHADER' section.")
    try:
        return ctx.program(**kwargs)
    except moderngl.Error as exc:
        raise ShaderError(map_error(str(exc), _display_path(path), inserted)) from None


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(shaders_dir().parent))
    except ValueError:
        return str(path)
