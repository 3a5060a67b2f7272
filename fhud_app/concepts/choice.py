"""What ``--llm`` names, decided before anything loads: a keyword, a model folder or a hub id.

The Hugging Face hub is contacted only for a hub id the person typed (``owner/name``), or for
``auto`` on a machine whose default is a hub model (Apple Silicon).  A value that is none of
these (a typo, a folder that does not exist) is an error with one sentence, never a hub lookup.
No Qt and no model library is imported here: the command line checks ``--llm`` with it.
"""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fhud_app.core.errors import ModelError

KEYWORDS = ("auto", "embedded", "none")
EXAMPLE_HUB_ID = "mlx-community/gemma-3-1b-it-qat-4bit"
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_HUB_ID = re.compile(rf"^{_NAME}/{_NAME}$")


@dataclass(frozen=True)
class LlmChoice:
    kind: str  # "none" | "embedded" | "folder" | "hub"
    target: str = ""  # the folder, or the hub id


def is_apple_silicon() -> bool:
    return sys.platform == "darwin" and platform.machine() == "arm64"


def looks_like_path(spec: str) -> bool:
    """Typed as a path (``/x``, ``~/x``, ``./x``, ``C:\\x``), not as a hub id."""
    return spec.startswith(("/", "~", ".", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", spec))


def is_hub_id(spec: str) -> bool:
    return bool(_HUB_ID.match(spec)) and ".." not in spec and "--" not in spec and not spec.endswith(".git")


def unknown_message(spec: str) -> str:
    return (f"unknown concept model {spec!r}: use auto, embedded, none, a model folder, "
            f"or a hub id such as {EXAMPLE_HUB_ID}.")  # fmt: skip


def parse_llm(spec: str | None, *, hub_model: str, apple_silicon: bool | None = None) -> LlmChoice:
    """The choice ``spec`` names; :class:`ModelError` (one sentence) when it names nothing usable."""
    text = (spec or "auto").strip()
    if text == "auto":
        silicon = is_apple_silicon() if apple_silicon is None else apple_silicon
        return LlmChoice("hub", hub_model) if silicon else LlmChoice("embedded")
    if text in ("embedded", "none"):
        return LlmChoice(text)
    folder = Path(text).expanduser()
    if folder.is_dir():
        return LlmChoice("folder", str(folder))
    if folder.exists():
        raise ModelError(f"--llm {text}: this is a file; give the folder that holds an mlx-lm model.")
    if looks_like_path(text):
        raise ModelError(f"--llm {text}: no such folder; give a folder that holds an mlx-lm model, "
                         "or auto, embedded or none.")  # fmt: skip
    if is_hub_id(text):
        return LlmChoice("hub", text)
    raise ModelError(unknown_message(text))
