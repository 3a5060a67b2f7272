"""The bundles' int8 copy of the embedded Whisper model: half the size, the same words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_module():
    spec = importlib.util.spec_from_file_location("whisper_int8", ROOT / "packaging" / "whisper_int8.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_int8_copy_is_smaller_and_hears_the_same(tmp_path):
    from fhud_app.asr.whisper_engine import embedded_model_path, load_whisper, transcribe_words
    from fhud_app.audio.file_source import load_audio
    from fhud_app.core.config import AsrConfig

    int8 = load_module()
    dest = int8.quantize(embedded_model_path(), tmp_path / "int8")
    src_size = (embedded_model_path() / "model.bin").stat().st_size
    assert (dest / "model.bin").stat().st_size < 0.6 * src_size
    name, variables, aliases = int8.read_model(dest / "model.bin")
    assert name == "WhisperSpec" and aliases  # the tied projection stays an alias
    assert variables["decoder/embeddings/weight"].dtype == np.int8
    audio, _ = load_audio(ROOT / "resources" / "demo" / "monologue.ogg")
    heard = []
    for path in (None, str(dest)):
        cfg = AsrConfig(whisper_model=path)
        heard.append([w.text for w in transcribe_words(load_whisper(cfg, cpu_threads=0), audio, 0.0, cfg)])
    assert heard[0] == heard[1] and len(heard[0]) > 150


def test_a_model_of_another_kind_is_refused(tmp_path):
    int8 = load_module()
    model = tmp_path / "model.bin"
    name = b"TransformerSpec"
    model.write_bytes(
        np.uint32(6).tobytes() + np.uint16(len(name) + 1).tobytes() + name + b"\0"
        + np.uint32(1).tobytes() + np.uint32(0).tobytes() + np.uint32(0).tobytes()
    )  # fmt: skip
    with pytest.raises(ValueError, match="not a Whisper model"):
        int8.quantize(tmp_path, tmp_path / "out")
