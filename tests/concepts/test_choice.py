"""``--llm``: what each value means, and that only a hub model the person chose reaches the hub."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from fhud_app.cli import main
from fhud_app.concepts import loading as llm_module
from fhud_app.concepts.choice import LlmChoice, parse_llm
from fhud_app.concepts.loading import download_failure, load_llm
from fhud_app.core.errors import ModelError
from fhud_app.core.mlx_gate import MlxGate

HUB = "mlx-community/gemma-3-1b-it-qat-4bit"


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hub download attempt is recorded (and fails, as it would offline)."""
    import huggingface_hub

    asked: list[str] = []

    def download(repo_id: str, **_: object) -> str:
        asked.append(repo_id)
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", download)
    return asked


def test_keywords_folders_and_hub_ids(tmp_path: Path) -> None:
    assert parse_llm("auto", hub_model=HUB, apple_silicon=False) == LlmChoice("embedded")
    assert parse_llm("auto", hub_model=HUB, apple_silicon=True) == LlmChoice("hub", HUB)
    assert parse_llm(None, hub_model=HUB, apple_silicon=False) == LlmChoice("embedded")
    assert parse_llm("none", hub_model=HUB) == LlmChoice("none")
    assert parse_llm(" embedded ", hub_model=HUB) == LlmChoice("embedded")
    assert parse_llm(str(tmp_path), hub_model=HUB) == LlmChoice("folder", str(tmp_path))
    assert parse_llm("org/model-1.5", hub_model=HUB) == LlmChoice("hub", "org/model-1.5")


@pytest.mark.parametrize("spec, words", [
    ("bogus", "unknown concept model 'bogus'"),
    ("embeded", "unknown concept model 'embeded'"),
    ("org/model/extra", "unknown concept model"),
    ("org/../model", "unknown concept model"),
    ("/does/not/exist", "--llm /does/not/exist: no such folder"),
    ("./my-model", "no such folder"),
    ("~/nowhere-fhud-model", "no such folder"),
])
def test_a_mistyped_value_is_an_error_not_a_hub_id(spec: str, words: str) -> None:
    with pytest.raises(ModelError) as info:
        parse_llm(spec, hub_model=HUB, apple_silicon=False)
    assert words in str(info.value) and str(info.value).endswith(".")


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"\0")
    with pytest.raises(ModelError, match="this is a file"):
        parse_llm(str(file), hub_model=HUB)


@pytest.mark.parametrize("spec", ["bogus", "/does/not/exist"])
def test_the_command_line_says_what_is_wrong_and_never_asks_the_hub(
    capsys: pytest.CaptureFixture, no_hub: list[str], silence_wav: Path, spec: str
) -> None:
    assert main(["transcribe", str(silence_wav), "--llm", spec]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fhud: error: ") and "\n" not in err
    assert "HFValidationError" not in err and "An error happened" not in err
    assert no_hub == []


def test_a_saved_mistyped_value_falls_back_without_the_hub(monkeypatch: pytest.MonkeyPatch,
                                                           no_hub: list[str]) -> None:  # fmt: skip
    monkeypatch.setattr(llm_module, "is_apple_silicon", lambda: False)
    monkeypatch.setattr(llm_module, "load_embedded", lambda gate, progress=None: "embedded model")
    said: list[str] = []
    assert load_llm("bogus", MlxGate(), hub_model=HUB, warn=said.append) == "embedded model"
    assert no_hub == [] and len(said) == 1 and "unknown concept model 'bogus'" in said[0]


def test_auto_reaches_the_hub_only_on_apple_silicon(monkeypatch: pytest.MonkeyPatch, no_hub: list[str]) -> None:
    monkeypatch.setattr(llm_module, "load_embedded", lambda gate, progress=None: "embedded model")
    monkeypatch.setattr(llm_module, "is_apple_silicon", lambda: False)
    assert load_llm("auto", MlxGate(), hub_model=HUB) == "embedded model" and no_hub == []
    monkeypatch.setattr(llm_module, "is_apple_silicon", lambda: True)
    said: list[str] = []
    assert load_llm("auto", MlxGate(), hub_model=HUB, warn=said.append) == "embedded model"
    assert no_hub == [HUB] and f"could not download {HUB}:" in said[0]


@pytest.mark.parametrize("name, words", [
    ("RepositoryNotFoundError", "the hub has no such model"),
    ("LocalEntryNotFoundError", "cannot be reached"),
    ("ConnectError", "cannot be reached"),
    ("GatedRepoError", "gated"),
])
def test_download_failures_are_named(name: str, words: str) -> None:
    exc = type(name, (Exception,), {})("404 Client Error.\n\nRepository Not Found for url: https://x")
    assert words in download_failure(exc)


def test_an_unknown_download_failure_keeps_a_whole_first_line() -> None:
    text = download_failure(ValueError("An error happened while trying to locate the file (long detail)\nmore"))
    assert text == "ValueError: An error happened while trying to locate the file (long detail)"
