"""``fhud transcribe``: the JSON Lines schema and every bad input, through ``fhud_app.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from fhud_app.audio import mic_source
from fhud_app.bench.asr_metrics import normalize
from fhud_app.cli import main
from tests.audio.fake_sounddevice import FakeSoundDevice
from tests.conftest import SPEECH_TEXT

WORD_KEYS = {"type", "text", "start", "end", "confidence", "emitted_at", "utterance"}
STATS_KEYS = {"type", "audio_s", "wall_s", "rtf", "latency_p50", "latency_p95", "drops", "overflows"}
ASR_ONLY = ["--engine", "whisper", "--llm", "none"]


def transcribe(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[str], str]:
    rc = main(["transcribe", *args, *ASR_ONLY])
    out, err = capsys.readouterr()
    return rc, out.splitlines(), err


def assert_one_error_line(err: str, words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fhud: error: "), err
    assert words in lines[0] and "Traceback" not in err


@pytest.mark.slow
def test_jsonl_schema(qapp, capsys, speech_wav: Path) -> None:
    rc, lines, err = transcribe(capsys, str(speech_wav), "--format", "jsonl", "--drafts")
    assert rc == 0, err
    objs = [json.loads(line) for line in lines]
    words = [o for o in objs if o["type"] == "word"]
    assert all(set(o) == WORD_KEYS for o in words)
    assert all(0 <= o["confidence"] <= 1 and o["start"] <= o["end"] <= o["emitted_at"] + 0.05 for o in words)
    assert all(set(o) == {"type", "text", "reaches", "emitted_at"} for o in objs if o["type"] == "draft")
    assert any(o["type"] == "draft" for o in objs)
    stats = objs[-1]
    assert stats["type"] == "stats" and STATS_KEYS <= set(stats)
    assert stats["audio_s"] == pytest.approx(len(sf.read(speech_wav)[0]) / 22_050, abs=0.1)
    text = " ".join(o["text"] for o in words)
    assert jiwer.wer(normalize(SPEECH_TEXT), normalize(text)) < 0.35, text


@pytest.mark.slow
def test_text_format_prints_the_words(qapp, capsys, speech_wav: Path) -> None:
    rc, lines, _ = transcribe(capsys, str(speech_wav))
    assert rc == 0
    text = " ".join(lines).lower()
    assert "river" in text and "sunrise" in text and "{" not in text


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind, words", [
    ("missing", "does not exist"), ("empty", "is empty"),
    ("non-audio", "not an audio file"), ("truncated header", "truncated"),
])
def test_bad_files(qapp, capsys, tmp_path: Path, speech_wav: Path, kind: str, words: str) -> None:
    path = {
        "missing": lambda: tmp_path / "nope.wav",
        "empty": lambda: _bad(tmp_path, "empty.wav", b""),
        "non-audio": lambda: _bad(tmp_path, "notes.wav", b"not audio at all\n" * 50),
        "truncated header": lambda: _bad(tmp_path, "cut.wav", speech_wav.read_bytes()[:40]),
    }[kind]()
    rc, lines, err = transcribe(capsys, str(path))
    assert rc != 0 and lines == []
    assert_one_error_line(err, words)


@pytest.mark.slow
def test_truncated_file_keeps_the_words_it_could_decode(qapp, capsys, tmp_path, speech_wav) -> None:
    data = speech_wav.read_bytes()
    cut = _bad(tmp_path, "cut.wav", data[: len(data) * 2 // 3])
    rc, lines, err = transcribe(capsys, str(cut), "--format", "jsonl")
    assert rc != 0
    assert_one_error_line(err, "truncated")
    words = [json.loads(line) for line in lines if '"word"' in line]
    assert len(words) > 5 and json.loads(lines[-1])["type"] == "stats"


def test_pure_silence_prints_no_words_and_succeeds(qapp, capsys, silence_wav: Path) -> None:
    rc, lines, err = transcribe(capsys, str(silence_wav), "--format", "jsonl")
    assert rc == 0, err
    objs = [json.loads(line) for line in lines]
    assert [o["type"] for o in objs if o["type"] in ("word", "stats")] == ["stats"]


def test_unknown_engine(capsys, silence_wav: Path) -> None:
    rc = main(["transcribe", str(silence_wav), "--engine", "vosk"])
    assert rc != 0
    assert_one_error_line(capsys.readouterr().err, "unknown ASR engine")


def test_uncached_model_while_offline(qapp, capsys, monkeypatch, tmp_path, silence_wav) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    rc = main(["transcribe", str(silence_wav), "--engine", "parakeet", "--llm", "none"])
    assert rc != 0
    assert_one_error_line(capsys.readouterr().err, "not cached")


def test_no_input_device(qapp, capsys, monkeypatch) -> None:
    none = FakeSoundDevice(devices=[{"name": "Speakers", "max_input_channels": 0, "default_samplerate": 48e3}])
    monkeypatch.setattr(mic_source, "_default_backend", lambda: none)
    rc, lines, err = transcribe(capsys, "mic")
    assert rc != 0 and lines == []
    assert_one_error_line(err, "no microphone")


@pytest.mark.slow
def test_device_vanishing_mid_stream_keeps_the_words(qapp, capsys, monkeypatch, speech_wav) -> None:
    from fhud_app.audio.file_source import load_audio

    speech = load_audio(speech_wav)[0]
    blocks = int(len(speech) * 0.8) // 320  # the device goes away 80% into the speech
    fake = FakeSoundDevice(signal=np.concatenate([speech, np.zeros(16_000, np.float32)]),
                           vanish_after=blocks)
    monkeypatch.setattr(mic_source, "_default_backend", lambda: fake)
    rc, lines, err = transcribe(capsys, "mic:usb", "--format", "jsonl")
    assert rc != 0
    assert_one_error_line(err, "stopped")
    words = [json.loads(line)["text"].lower() for line in lines if '"word"' in line]
    assert len(words) > 10 and "pilots" in " ".join(words)


def _revised_stream() -> np.ndarray:
    from fhud_app.core.events import Kind, make_event, make_revision

    def word(text: str, utt: int, t: float) -> np.ndarray:
        return make_event(Kind.WORD, text=text, start=t, end=t + 0.3, id=utt, emitted_at=t + 1)

    return np.concatenate([
        word("run", 1, 0.0), word("we", 1, 0.3), word("lights", 1, 0.6),
        make_revision(1, [("runway", 0.0, 0.5, 0.9), ("lights", 0.6, 0.9, 0.9)], emitted_at=2.0),
        make_event(Kind.UTTERANCE, id=1, emitted_at=2.0),
        word("just", 2, 3.0), make_revision(2, []), make_event(Kind.UTTERANCE, id=2),
        word("north", 3, 5.0),  # never closed: printed at the end
    ])


def test_text_format_prints_the_final_text_of_each_utterance() -> None:
    import io

    from fhud_app.commands.transcribe import Printer

    out = io.StringIO()
    printer = Printer("text", drafts=False, out=out)
    stream = _revised_stream()
    printer.records(stream[:5])
    assert out.getvalue() == ""  # utterance 1 is still open: its words may be revised
    printer.records(stream[5:])
    printer.close({"type": "stats"})
    assert out.getvalue() == "runway lights north\n"


def test_jsonl_carries_the_revision_and_applying_it_gives_the_final_text() -> None:
    import io

    from fhud_app.commands.transcribe import Printer
    from fhud_app.core.events import final_words

    out = io.StringIO()
    printer = Printer("jsonl", drafts=False, out=out)
    printer.records(_revised_stream())
    printer.close({"type": "stats"})
    objs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [o["type"] for o in objs].count("revision") == 2
    assert all(set(o) == WORD_KEYS for o in objs if o["type"] == "word")
    assert final_words(objs) == ["runway", "lights", "north"]
