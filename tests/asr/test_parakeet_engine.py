from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from fhud_app.asr.base import AsrEngine
from fhud_app.asr.parakeet_engine import ParakeetEngine, group_words
from fhud_app.asr.select import choose, load_engine
from fhud_app.core.config import AsrConfig
from fhud_app.core.errors import ModelError
from fhud_app.core.mlx_gate import MlxGate


def tok(text: str, start: float, end: float, conf: float = 0.9) -> SimpleNamespace:
    return SimpleNamespace(text=text, start=start, end=end, confidence=conf)


def test_tokens_group_into_words_on_the_leading_marker() -> None:
    tokens = [tok("▁hel", 0.0, 0.1), tok("lo", 0.1, 0.2, 0.5), tok("▁wor", 0.3, 0.4),
              tok("ld", 0.4, 0.5), tok(".", 0.5, 0.52), tok(" again", 0.6, 0.8)]
    words = group_words(tokens, offset_s=10.0)
    assert [w.text for w in words] == ["hello", "world.", "again"]
    assert (words[0].start, words[0].end, words[0].confidence) == (10.0, 10.2, 0.5)
    assert words[1].start == pytest.approx(10.3) and words[1].end == pytest.approx(10.52)


def test_grouping_edge_cases() -> None:
    assert group_words([]) == []
    assert [w.text for w in group_words([tok("ing", 0, 0.1), tok("▁so", 0.2, 0.3)])] == ["ing", "so"]
    assert group_words([tok("▁", 0, 0.1)]) == []


@pytest.fixture()
def tiny_cfg(tiny_parakeet_dir: Path) -> AsrConfig:
    return AsrConfig(engine="parakeet", parakeet_model=str(tiny_parakeet_dir), parakeet_chunk_s=0.5)


def test_tiny_model_streams_words_with_absolute_monotonic_times(tiny_cfg: AsrConfig) -> None:
    gate = MlxGate()
    engine, choice = load_engine(tiny_cfg, gate)  # the app's own loading code
    assert isinstance(engine, ParakeetEngine) and isinstance(engine, AsrEngine)
    assert choice.engine == "parakeet" and os.environ.get("HF_HUB_OFFLINE") == "1"
    audio = (0.1 * np.random.default_rng(3).standard_normal(16_000 * 5)).astype(np.float32)
    words, per_feed = [], []
    for i in range(0, len(audio), 3_000):  # chunks that do not match the engine's 0.5 s
        update = engine.feed(audio[i : i + 3_000])
        words += update.final
        per_feed.append(len(update.final))
    words += engine.flush().final
    engine.close()
    assert len(words) > 10 and sum(1 for n in per_feed if n) >= 3  # words across several chunks
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(a.end <= b.start + 1e-3 for a, b in zip(words, words[1:], strict=False))
    assert words[-1].end > 3.5 and words[-1].end <= 5.0 + 0.1  # absolute, up to the audio's end
    assert gate.acquisitions > 10  # every MLX call went through the gate


def test_parakeet_not_cached_while_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(ModelError, match="not cached") as info:
        choose(AsrConfig(engine="parakeet"))
    assert "\n" not in str(info.value)
    auto = choose(AsrConfig(engine="auto"), metal=True)
    assert auto.engine == "whisper" and "not cached" in auto.reason


def test_auto_choice(tiny_parakeet_dir: Path) -> None:
    local = AsrConfig(engine="auto", parakeet_model=str(tiny_parakeet_dir))
    assert choose(local, metal=False).engine == "whisper"
    on_mac = choose(local, metal=True)
    assert on_mac.engine == "parakeet" and on_mac.parakeet_source == str(tiny_parakeet_dir)
    assert choose(AsrConfig(engine="whisper"), metal=True).engine == "whisper"


def test_a_broken_model_folder_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"nope")
    with pytest.raises(ModelError, match="could not be loaded"):
        load_engine(AsrConfig(engine="parakeet", parakeet_model=str(tmp_path)), MlxGate())


def test_download_reports_progress_then_loads(monkeypatch, tmp_path, tiny_parakeet_dir) -> None:
    import huggingface_hub

    def fake_snapshot(repo_id, *, allow_patterns=None, local_files_only=False, tqdm_class=None, **kw):
        if local_files_only:
            raise FileNotFoundError("not cached")
        bar = tqdm_class(total=200, disable=True)
        bar.update(50)
        bar.update(150)
        bar.close()
        return str(tiny_parakeet_dir)

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot)
    cfg = AsrConfig(engine="parakeet", parakeet_model="someone/parakeet-tiny")
    progress: list[float] = []
    engine, choice = load_engine(cfg, MlxGate(), progress.append)
    engine.close()
    assert "downloaded" in choice.reason and isinstance(engine, ParakeetEngine)
    assert progress[:2] == [0.25, 1.0] and progress[-1] == 1.0


def test_tiny_model_keeps_the_event_contract(tiny_cfg: AsrConfig) -> None:
    """Every word carries its utterance id; ids grow; each is ended once, after its words;
    Parakeet makes one pass, so it never revises."""
    engine, _ = load_engine(tiny_cfg, MlxGate())
    rng = np.random.default_rng(5)
    speech = (0.1 * rng.standard_normal(16_000 * 2)).astype(np.float32)
    audio = np.concatenate([speech, np.zeros(16_000 * 3, np.float32), speech])
    updates = [engine.feed(audio[i : i + 4_000]) for i in range(0, len(audio), 4_000)]
    updates.append(engine.flush())
    engine.close()
    ended: list[int] = []
    for u in updates:
        assert u.revisions == []
        assert all(w.utterance >= 1 and w.utterance not in ended for w in u.final)
        ended += u.ended
    ids = [w.utterance for u in updates for w in u.final]
    assert ids and ids == sorted(ids) and sorted(set(ids)) == ended == sorted(ended)
