"""Shared fixtures: generated speech (espeak-ng) and a tiny random Parakeet model.

Nothing here is committed as a blob: every file is generated into a temporary
folder once per test session.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import string
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

# Tests never write into the user's data folder (sessions) or settings.
os.environ.setdefault("FHUD_DATA_DIR", tempfile.mkdtemp(prefix="fhud-test-data-"))
os.environ.setdefault("FHUD_LOG_DIR", tempfile.mkdtemp(prefix="fhud-test-logs-"))  # the app's log file

if not os.environ.get("DISPLAY"):  # no X server: Qt runs offscreen (GL tests skip themselves)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SPEECH_TEXT = (
    "Seven pilots crossed the northern valley before sunrise. "
    "Their radios were silent, so they followed the river by hand. "
    "By noon the weather turned, and the small plane landed in a meadow."
)


def espeak(text: str, path: Path, *, speed: int = 150, voice: str = "en-us") -> Path:
    """Synthesize ``text`` to a WAV file with espeak-ng (22.05 kHz mono)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture(autouse=True)
def root_logger_level_restored():
    """``cli.main`` sets the root logger's level (INFO while it logs to a file): a test that
    runs it must not change which records the next test's ``caplog`` sees."""
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~10 s of English speech, WAV at 22.05 kHz (so resampling is exercised)."""
    return espeak(SPEECH_TEXT, tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.fixture(scope="session")
def silence_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("silence") / "silence.wav"
    sf.write(path, np.zeros(3 * 16_000, np.float32), 16_000)
    return path


TINY_VOCAB = [f"▁{c}" for c in string.ascii_lowercase] + list(string.ascii_lowercase) + ["▁", "'", ".", ","]
TINY_DURATIONS = [0, 1, 2, 3, 4]


def tiny_parakeet_config() -> dict:
    """A 14k-parameter TDT Parakeet (2 layers, d_model 16, 16 mel features, 56 pieces)."""
    vocab = TINY_VOCAB
    return {
        "target": "nemo.collections.asr.models.rnnt_bpe_models.EncDecRNNTBPEModel",
        "model_defaults": {"tdt_durations": TINY_DURATIONS},
        "preprocessor": {
            "sample_rate": 16000, "normalize": "per_feature", "window_size": 0.025,
            "window_stride": 0.01, "window": "hann", "features": 16, "n_fft": 512, "dither": 0.0,
        },
        "encoder": {
            "feat_in": 16, "n_layers": 2, "d_model": 16, "n_heads": 2, "ff_expansion_factor": 2,
            "subsampling_factor": 8, "self_attention_model": "rel_pos", "subsampling": "dw_striding",
            "conv_kernel_size": 9, "subsampling_conv_channels": 8, "pos_emb_max_len": 5000,
        },
        "decoder": {
            "blank_as_pad": True, "vocab_size": len(vocab),
            "prednet": {"pred_hidden": 16, "pred_rnn_layers": 1},
        },
        "joint": {
            "num_classes": len(vocab), "vocabulary": vocab, "num_extra_outputs": len(TINY_DURATIONS),
            "jointnet": {"joint_hidden": 16, "activation": "relu", "encoder_hidden": 16, "pred_hidden": 16},
        },
        "decoding": {"model_type": "tdt", "durations": TINY_DURATIONS, "greedy": {"max_symbols": 10}},
    }


@pytest.fixture(scope="session")
def tiny_parakeet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder (config.json + model.safetensors) with random weights, seeded.

    The joint's output bias favours word-initial pieces and short durations, so
    the random model emits a steady stream of tokens to group into words.
    """
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from parakeet_mlx.utils import from_config

    mx.random.seed(7)
    config = tiny_parakeet_config()
    model = from_config(config)
    weights = dict(tree_flatten(model.parameters()))
    bias = np.zeros(weights["joint.joint_net.2.bias"].shape, np.float32)
    n_vocab = len(TINY_VOCAB)
    bias[:26] = 2.0  # "▁a".."▁z": word starts
    bias[26:52] = 1.5  # "a".."z": word continuations
    bias[n_vocab + 1 :] = [3.0, 0.0, 0.0, 0.0, 0.0]  # prefer duration 0 ... then 1
    bias[n_vocab + 1 + 1] = 3.0
    weights["joint.joint_net.2.bias"] = mx.array(bias)
    folder = tmp_path_factory.mktemp("tiny-parakeet")
    mx.save_safetensors(str(folder / "model.safetensors"), weights)
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="session")
def whisper_model():
    """The embedded Whisper tiny.en (CTranslate2, CPU int8), loaded once per session."""
    from fhud_app.asr.whisper_engine import load_whisper
    from fhud_app.core.config import AsrConfig

    return load_whisper(AsrConfig())


# --- CI strictness: GUI and GL tests skip without an X server on a developer's laptop, but in CI
# (FHUD_REQUIRE_DISPLAY=1, set by .ci/run) such a skip means the X server is broken: fail the run.
_DISPLAY_SKIP_WORDS = ("X server", "xcb", "DISPLAY", "OpenGL")
_display_skips: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and os.environ.get("FHUD_REQUIRE_DISPLAY"):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if any(word in reason for word in _DISPLAY_SKIP_WORDS):
            _display_skips.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _display_skips:
        print("\nFHUD_REQUIRE_DISPLAY is set but these tests skipped for want of a display:")
        for line in _display_skips:
            print("  " + line)
        session.exitstatus = 1
