"""A settings file read with suspicion: each invalid value falls back to its default.

Settings are hand-editable INI text.  A value that is not what its key holds (``listening =
banana``, ``opacity = 7``, an engine that does not exist) is removed, so its default is used
and it is not written back; keys fHUD does not know are removed too.  The file as it was is
kept beside it (``<name>.bad``) and one line says what was dropped, once: the repaired file
raises no note at the next launch.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})
ENGINES = ("auto", "parakeet", "whisper")
_GEOMETRY = re.compile(r"^-?\d{1,7},-?\d{1,7},\d{1,7},\d{1,7}$")
MAX_SHOWN = 4  # invalid entries named in the note; the rest are counted


def as_text(raw: Any) -> str:
    """QSettings reads ``a,b,c`` (unquoted) as a list: the text as written."""
    return ",".join(str(v) for v in raw) if isinstance(raw, list) else str(raw)


def as_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = as_text(raw).strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValueError(f"{raw!r} is not on or off")


def as_float(raw: Any) -> float:
    value = float(as_text(raw))
    if not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a finite number")
    return value


def _opacity(value: float) -> bool:
    return 0.1 <= value <= 1.0


def _geometry(value: str) -> bool:
    return value == "" or bool(_GEOMETRY.match(value.replace(" ", "")))


def _llm(value: str) -> bool:
    from fhud_app.concepts.choice import parse_llm
    from fhud_app.core.errors import ModelError

    try:
        parse_llm(value, hub_model="", apple_silicon=False)
    except ModelError:
        return False
    return True


# Extra checks by INI path, after the value converted to its key's type.
CHECKS: dict[str, Callable[[Any], bool]] = {
    "hud/opacity": _opacity,
    "hud/geometry": _geometry,
    "asr/engine": lambda v: v in ENGINES,
    "llm/model": _llm,
}


def valid(path: str, kind: type, raw: Any) -> bool:
    """Whether ``raw`` (as QSettings read it) is a usable value for the key at ``path``."""
    try:
        value = as_bool(raw) if kind is bool else as_float(raw) if kind is float else as_text(raw)
    except (TypeError, ValueError):
        return False
    check = CHECKS.get(path)
    return check is None or check(value)


def repair(qs: Any, keys: Iterable[tuple[str, type]], *, unreadable: bool = False) -> str | None:
    """Drop every invalid or unknown entry of the QSettings ``qs``; one line saying so, or None.

    ``keys`` are the known (INI path, type) pairs; ``unreadable``: the file was not all INI
    text (Qt's format error), so it is rewritten from the valid entries alone.  The file as it
    was is kept as ``.bad``.
    """
    known = dict(keys)
    entries = {p: qs.value(p) for p in qs.allKeys()}
    bad = [(p, v) for p, v in entries.items() if p not in known or not valid(p, known[p], v)]
    if not bad and not unreadable:
        return None
    kept = _keep_copy(Path(qs.fileName()))
    qs.clear()  # rewritten from scratch: nothing of the old text survives but valid entries
    for path, value in entries.items():
        if (path, value) not in bad:
            qs.setValue(path, value)
    qs.sync()
    parts = []
    if unreadable:
        parts.append("parts of the file were not settings text")
    if bad:
        named = ", ".join(f"{p}={as_text(v)[:24]!r}" for p, v in bad[:MAX_SHOWN])
        more = f" and {len(bad) - MAX_SHOWN} more" if len(bad) > MAX_SHOWN else ""
        parts.append(f"ignored {named}{more}")
    where = f"; the old file is kept as {kept}" if kept else ""
    note = f"Settings: {'; '.join(parts)} (defaults used instead){where}."
    log.warning("%s", note)
    return note


def _keep_copy(file: Path) -> Path | None:
    if not file.is_file():
        return None
    copy = file.with_name(file.name + ".bad")
    try:
        shutil.copyfile(file, copy)
    except OSError:
        return None
    return copy
