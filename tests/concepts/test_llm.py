from __future__ import annotations

from pathlib import Path

import pytest

from fhud_app.concepts import loading as llm_module
from fhud_app.concepts.extractor import FEW_SHOT, LlmExtractor
from fhud_app.concepts.loading import load_llm, resolve_choice
from fhud_app.core.mlx_gate import MlxGate

UTTERANCE = "The telescope mirror has to be polished to a precision of a few nanometers."


def test_resolve_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm_module, "is_apple_silicon", lambda: False)
    assert resolve_choice("auto") == "embedded"
    monkeypatch.setattr(llm_module, "is_apple_silicon", lambda: True)
    assert resolve_choice("auto") == "hub"
    assert resolve_choice("none") == "none"
    assert resolve_choice("org/model") == "org/model"


def test_none_means_keyword_extraction() -> None:
    assert load_llm("none", MlxGate(), hub_model="x") is None


@pytest.mark.slow
def test_corrupt_folder_gives_one_clear_message_and_the_embedded_fallback(
    tmp_path: Path, embedded_folder: Path
) -> None:
    bad = tmp_path / "my-model"
    bad.mkdir()
    (bad / "config.json").write_text('{"model_type": "gemma3_text"}')
    (bad / "model.safetensors").write_bytes(b"\0" * 64)
    messages: list[str] = []
    llm = load_llm(str(bad), MlxGate(), hub_model="x", warn=messages.append)
    assert llm is not None and "embedded" in llm.name
    assert len(messages) == 1
    assert f"the model in {bad} cannot be loaded" in messages[0]
    assert "Using the embedded model instead." in messages[0]


@pytest.mark.slow
def test_failed_download_reports_progress_then_falls_back(
    monkeypatch: pytest.MonkeyPatch, embedded_folder: Path
) -> None:
    import huggingface_hub

    def offline(repo_id: str, **kw: object) -> str:
        bar = kw["tqdm_class"](total=200)
        bar.update(100)
        bar.close()
        raise OSError("network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    progress: list[tuple[float, str]] = []
    messages: list[str] = []
    llm = load_llm("mlx-community/some-model", MlxGate(), hub_model="x",
                   progress=lambda f, m: progress.append((f, m)), warn=messages.append)
    assert llm is not None and "embedded" in llm.name
    assert (0.5, "downloading mlx-community/some-model") in progress
    assert "could not download mlx-community/some-model" in messages[0]


@pytest.mark.slow
def test_prefix_cache_is_reused_and_saved(embedded_llm, tmp_path: Path) -> None:  # noqa: ANN001
    gate = embedded_llm.gate
    ex = LlmExtractor(embedded_llm)
    first = ex.extract(UTTERANCE)
    before = gate.acquisitions
    second = ex.extract(UTTERANCE)
    assert first.phrases == second.phrases and first.phrases
    assert all(p.lower() in UTTERANCE.lower() for p in first.phrases)
    # Taken per token: once per prompt token of the request and once per generated token.
    assert gate.acquisitions - before >= second.prompt_tokens + second.new_tokens - 1
    # A prefix computed afresh and one loaded from disk give the same answer.
    saved = tmp_path / "prefix.safetensors"
    embedded_llm.prime(FEW_SHOT, saved, tail=LlmExtractor.OPEN)
    fresh = ex.extract(UTTERANCE)
    embedded_llm.prime(FEW_SHOT, saved, tail=LlmExtractor.OPEN)  # now loaded from the file
    loaded = ex.extract(UTTERANCE)
    assert saved.is_file() and fresh.raw == loaded.raw == first.raw
