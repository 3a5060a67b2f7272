"""Which concept model to use and loading it: the embedded Gemma (converted once), a folder, or
a hub model downloaded with progress; every failure is one line and the next fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from fhud_app.concepts.choice import LlmChoice, is_apple_silicon, parse_llm
from fhud_app.concepts.llm import ConceptLlm, Progress
from fhud_app.core.errors import ModelError
from fhud_app.core.memory import release_heap
from fhud_app.core.mlx_gate import MlxGate, Priority

log = logging.getLogger(__name__)


def resolve_choice(spec: str) -> str:
    """``auto`` → ``hub`` on Apple Silicon, else ``embedded``; other values pass through."""
    spec = (spec or "auto").strip()
    if spec == "auto":
        return "hub" if is_apple_silicon() else "embedded"
    return spec


def _load_folder(folder: Path, gate: MlxGate, name: str) -> ConceptLlm:
    from mlx_lm import load

    try:
        with gate.hold(Priority.LOW):
            model, tokenizer = load(str(folder))
        release_heap()
    except Exception as exc:  # mlx-lm raises many kinds for a bad folder
        raise ModelError(
            f"the model in {folder} cannot be loaded ({type(exc).__name__}: {str(exc)[:120]}); "
            "delete it or choose another with --llm."
        ) from exc
    return ConceptLlm(model, tokenizer, gate, name=name, source=folder)


def load_embedded(gate: MlxGate, progress: Progress | None = None) -> ConceptLlm:
    """The embedded Gemma 3 270M, converting it on first use; a broken copy is rebuilt once."""
    import shutil

    from fhud_app.concepts.gemma_convert import ensure_embedded_model

    folder = ensure_embedded_model(progress=progress)
    try:
        return _load_folder(folder, gate, "gemma-3-270m (embedded, 8-bit)")
    except ModelError as exc:
        log.warning("%s Converting it again.", exc)
        shutil.rmtree(folder, ignore_errors=True)
        folder = ensure_embedded_model(progress=progress)
        return _load_folder(folder, gate, "gemma-3-270m (embedded, 8-bit)")


def download_hub_model(repo_id: str, progress: Progress | None = None) -> Path:
    """Download (or find cached) an mlx-lm model from the Hugging Face hub, reporting progress."""
    from huggingface_hub import snapshot_download
    from tqdm.auto import tqdm

    say = progress or (lambda _f, _m: None)

    class _Report(tqdm):  # type: ignore[misc]
        def update(self, n: float | None = 1) -> bool | None:
            result = super().update(n)
            if self.total:
                say(min(1.0, self.n / self.total), f"downloading {repo_id}")
            return result

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja"]
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns, tqdm_class=_Report))
    except Exception as exc:  # offline, cancelled, missing repo, disk full
        raise ModelError(f"could not download {repo_id}: {download_failure(exc)}.") from exc


def download_failure(exc: BaseException) -> str:
    """Why a hub download failed, in words (hub errors carry multi-line HTTP detail)."""
    import errno

    name = type(exc).__name__
    if name in ("RepositoryNotFoundError", "RevisionNotFoundError", "EntryNotFoundError"):
        return "the hub has no such model (check the name)"
    if name == "GatedRepoError":
        return "the model is gated: accept its licence on the hub and log in first"
    unreachable = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.ETIMEDOUT)
    if (name in ("LocalEntryNotFoundError", "OfflineModeIsEnabled") or "Connect" in name or "Timeout" in name
            or isinstance(exc, OSError) and exc.errno in unreachable):
        return "the hub cannot be reached and the model is not in the local cache"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "the disk is full"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{name}: {first}" if len(first) <= 100 else f"{name}: {first[:99]}…"


def load_llm(
    spec: str,
    gate: MlxGate,
    *,
    hub_model: str,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> ConceptLlm | None:
    """The model ``--llm`` asks for, falling back to the embedded one; ``None`` means use YAKE.

    Raises nothing: every failure is reported to ``warn`` as one line (and logged), and the
    next fallback is tried.
    """

    def report(message: str) -> None:
        log.warning("%s", message)
        if warn is not None:
            warn(message)

    try:
        choice = parse_llm(spec, hub_model=hub_model, apple_silicon=is_apple_silicon())
    except ModelError as exc:  # a mistyped value: said, and never looked up on the hub
        report(f"{exc} Using the embedded model instead.")
        choice = LlmChoice("embedded")
    if choice.kind == "none":
        return None
    if choice.kind in ("folder", "hub"):
        try:
            folder = Path(choice.target)
            if choice.kind == "hub":
                folder = download_hub_model(choice.target, progress)
            return _load_folder(folder, gate, choice.target)
        except ModelError as exc:
            report(f"{exc} Using the embedded model instead.")
    try:
        return load_embedded(gate, progress)
    except ModelError as exc:
        report(f"{exc} Falling back to keyword extraction (YAKE).")
        return None
