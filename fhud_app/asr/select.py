"""``--engine auto|parakeet|whisper``: which ASR engine to load, and why.

``auto`` takes Parakeet on Apple Silicon (Metal) when its model is cached or
can be downloaded, else the embedded Whisper tiny.en (always available).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhud_app.asr.base import AsrEngine
from fhud_app.core.config import AsrConfig
from fhud_app.core.errors import FhudError, ModelError
from fhud_app.core.mlx_gate import MlxGate

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
PARAKEET_FILES = ["config.json", "model.safetensors"]


@dataclass(frozen=True)
class Choice:
    engine: str  # "parakeet" | "whisper"
    reason: str
    parakeet_source: str | None = None  # a local folder or a hub id (to download)


def hub_offline() -> bool:
    """The person's choice (``HF_HUB_OFFLINE``); read, never set: it is passed on explicitly."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def cached_parakeet(model: str) -> Path | None:
    """A local folder holding ``model`` (a folder path, or a hub id in the HF cache)."""
    p = Path(model).expanduser()
    if p.is_dir():
        return p if all((p / f).is_file() for f in PARAKEET_FILES) else None
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(model, allow_patterns=PARAKEET_FILES, local_files_only=True))
    except Exception:  # not in the cache (or no hub library): nothing cached
        log.debug("Parakeet %s is not cached", model, exc_info=True)
        return None
    return folder if all((folder / f).is_file() for f in PARAKEET_FILES) else None


def choose(cfg: AsrConfig, *, metal: bool | None = None, offline: bool | None = None) -> Choice:
    """Decide the engine for ``cfg.engine`` (auto | parakeet | whisper).

    ``offline``: the hub may not be asked (default: :func:`hub_offline`).
    """
    from fhud_app.asr.parakeet_engine import on_metal

    metal = on_metal() if metal is None else metal
    offline = hub_offline() if offline is None else offline
    if cfg.engine == "whisper":
        return Choice("whisper", "asked for with --engine whisper")
    local = cached_parakeet(cfg.parakeet_model)
    if cfg.engine == "parakeet":
        if local is not None:
            return Choice("parakeet", f"asked for; model found in {local}", str(local))
        if offline or Path(cfg.parakeet_model).expanduser().is_absolute():
            raise ModelError(
                f"the Parakeet model {cfg.parakeet_model} is not cached and the hub is offline: "
                "connect once (unset HF_HUB_OFFLINE) or use --engine whisper."
            )
        return Choice("parakeet", "asked for; the model will be downloaded", cfg.parakeet_model)
    if not metal:
        return Choice("whisper", "no Apple GPU (Metal): Parakeet would be slower than real time")
    if local is not None:
        return Choice("parakeet", f"Apple GPU and the model is cached in {local}", str(local))
    if offline:
        return Choice("whisper", "Parakeet is not cached and HF_HUB_OFFLINE is set")
    return Choice("parakeet", "Apple GPU; the model will be downloaded", cfg.parakeet_model)


def download_parakeet(repo_id: str, progress: Progress | None = None) -> Path:
    """Fetch the model files from the hub, reporting 0..1 progress."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import tqdm

    class _Report(tqdm):  # type: ignore[misc]
        """Counts bytes itself: the hub may disable the bar it would draw."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.done = 0.0

        def update(self, n: float | None = 1) -> bool | None:
            self.done += n or 0
            if progress is not None and self.total:
                progress(min(1.0, self.done / self.total))
            return super().update(n)

    try:
        return Path(snapshot_download(repo_id, allow_patterns=PARAKEET_FILES, tqdm_class=_Report))
    except Exception as exc:
        log.exception("downloading %s", repo_id)
        raise ModelError(
            f"could not download the Parakeet model {repo_id} ({type(exc).__name__}): "
            "check the network, or use --engine whisper."
        ) from None


def load_engine(
    cfg: AsrConfig, gate: MlxGate, progress: Progress | None = None
) -> tuple[AsrEngine, Choice]:
    """Choose and load the engine; ``progress`` gets 0..1 while downloading/loading."""
    choice = choose(cfg)
    log.info("ASR engine: %s (%s)", choice.engine, choice.reason)
    try:
        engine = _load(choice, cfg, gate, progress)
    except FhudError:
        raise
    except Exception as exc:  # an unexpected failure still gets one sentence
        log.exception("loading the %s engine", choice.engine)
        raise ModelError(f"the {choice.engine} engine failed to load ({exc}).") from None
    if progress is not None:
        progress(1.0)
    return engine, choice


def _load(choice: Choice, cfg: AsrConfig, gate: MlxGate, progress: Progress | None) -> Any:
    if choice.engine == "whisper":
        from fhud_app.asr.whisper_engine import WhisperEngine, load_whisper

        # The app's second pass decodes beside the stream: live words never wait for one.
        return WhisperEngine(load_whisper(cfg), cfg, pass_beside=True)
    from fhud_app.asr.parakeet_engine import ParakeetEngine, load_parakeet

    assert choice.parakeet_source is not None
    folder = Path(choice.parakeet_source)
    if not folder.is_dir():
        folder = download_parakeet(choice.parakeet_source, progress)
    return ParakeetEngine(load_parakeet(folder, gate), cfg, gate)
