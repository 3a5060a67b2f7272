"""``fhud transcribe`` where a hostile but fair user pushes: pipes, odd files, odd flag values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jiwer
import numpy as np
import pytest
import soundfile as sf

from fhud_app.bench.asr import normalize
from fhud_app.cli import main
from tests.conftest import SPEECH_TEXT

ROOT = Path(__file__).resolve().parents[2]
ASR_ONLY = ["--engine", "whisper", "--llm", "none"]


def run_main(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, list[str], str]:
    rc = main(["transcribe", *args])
    out, err = capsys.readouterr()
    return rc, out.splitlines(), err


# ---------------------------------------------------------------- 5. a reader that goes away
@pytest.mark.slow
@pytest.mark.parametrize("llm", ["none", "auto"])  # auto: the concept model may still be loading
def test_a_closed_pipe_ends_the_run_at_once_and_quietly(tmp_path: Path, speech_wav: Path, llm: str) -> None:
    cmd = [sys.executable, "-m", "fhud_app", "transcribe", str(speech_wav), "--format", "jsonl",
           "--engine", "whisper", "--llm", llm]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, env=env)
        lines = [proc.stdout.readline() for _ in range(3)]  # what `| head -3` reads
        proc.stdout.close()
        closed = time.monotonic()
        rc = proc.wait(timeout=60)
    waited = time.monotonic() - closed
    err = log.read_text()
    assert all(b'"word"' in line for line in lines), lines
    assert rc == 141, err  # 128 + SIGPIPE, as a shell reports a Unix tool cut off by head
    assert "Traceback" not in err and "BrokenPipe" not in err and err.strip() == "", err
    assert waited < 5.0, f"{waited:.1f} s after the pipe closed"


def test_any_command_cut_off_by_its_reader_exits_quietly(monkeypatch, capsys) -> None:
    from fhud_app.commands import transcribe

    def reader_gone(_args) -> int:  # noqa: ANN001
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(transcribe, "run", reader_gone)
    assert main(["transcribe", "x.wav"]) == 141
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- 8. nothing to hear
@pytest.mark.parametrize("kind", ["0.1 s", "all NaN", "silence"])
def test_no_speech_found_is_said_on_stderr_and_in_the_stats(qapp, capsys, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "quiet.wav"
    samples = {"0.1 s": np.zeros(1_600, np.float32), "all NaN": np.full(32_000, np.nan, np.float32),
               "silence": np.zeros(48_000, np.float32)}[kind]  # fmt: skip
    sf.write(path, samples, 16_000, subtype="FLOAT")
    rc, lines, err = run_main(capsys, str(path), "--format", "jsonl", *ASR_ONLY)
    assert rc == 0, err
    stats = json.loads(lines[-1])
    assert stats["type"] == "stats" and stats["note"] == "no speech found" and stats["words"] == 0
    said = [line for line in err.splitlines() if "no speech found" in line]
    assert said == [f"fhud: no speech found in {path} ({len(samples) / 16_000:.1f} s of audio)."]
    assert ("NaN" in err) == (kind == "all NaN")


@pytest.mark.slow
def test_speech_keeps_its_words(qapp, capsys, speech_wav: Path) -> None:
    rc, lines, err = run_main(capsys, str(speech_wav), "--format", "jsonl", *ASR_ONLY)
    assert rc == 0 and "no speech found" not in err
    assert "note" not in json.loads(lines[-1]) and json.loads(lines[-1])["nonfinite"] == 0


# ---------------------------------------------------------------- 3. NaN and Inf in a file
@pytest.mark.slow
def test_16_ms_of_nan_costs_no_transcript_and_is_said_once(qapp, capsys, tmp_path: Path, speech_wav: Path) -> None:
    speech, rate = sf.read(speech_wav, dtype="float32")
    at = int(2.0 * rate)
    speech[at : at + int(0.016 * rate)] = np.nan
    speech[at + 5_000] = np.inf
    path = tmp_path / "nan.wav"
    sf.write(path, speech, rate, subtype="FLOAT")
    rc, lines, err = run_main(capsys, str(path), "--format", "jsonl", *ASR_ONLY)
    assert rc == 0, err
    objs = [json.loads(line) for line in lines]
    text = " ".join(o["text"] for o in objs if o["type"] == "word")
    assert jiwer.wer(normalize(SPEECH_TEXT), normalize(text)) < 0.35, text
    notes = [line for line in err.splitlines() if "NaN" in line]
    assert notes == [f"fhud: note: {path}: 353 samples (16 ms) were not numbers (NaN or infinite) "
                     "and were replaced with silence."]  # fmt: skip
    assert objs[-1]["nonfinite"] == 353


# ---------------------------------------------------------------- 10. an unreadable file
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads files whatever their mode (test_file_source covers the message)")
def test_a_file_without_read_permission_is_called_unreadable(capsys, tmp_path: Path, speech_wav: Path) -> None:
    path = tmp_path / "locked.wav"
    path.write_bytes(speech_wav.read_bytes())
    path.chmod(0)
    try:
        rc, lines, err = run_main(capsys, str(path), *ASR_ONLY)
    finally:
        path.chmod(0o644)
    assert rc != 0 and lines == []
    assert err.strip() == f"fhud: error: {path} cannot be read: permission denied (check the file's permissions)."


# ---------------------------------------------------------------- 9. flag values
@pytest.mark.parametrize("value, words", [
    ("nan", "'nan' is not a finite number of seconds"),
    ("inf", "'inf' is not a finite number of seconds"),
    ("3000000", "3000000 seconds is too many: at most 604800 (a week)"),
    ("0", "'0' is not a positive number of seconds"),
    ("-5", "'-5' is not a positive number of seconds"),
    ("soon", "'soon' is not a number of seconds"),
])
def test_exit_after_is_checked_by_the_parser(capsys, value: str, words: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([f"--exit-after={value}"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"fhud: error: argument --exit-after: {words}" in err and "Traceback" not in err


@pytest.mark.parametrize("flag, value, words", [
    ("--dpr", "nan", "'nan' is not a finite number of pixels per point"),
    ("--dpr", "1e9", "1e9 pixels per point is too many: at most 8"),
    ("--at", "-3", "'-3' is not a non-negative number of seconds"),
    ("--at", "inf", "'inf' is not a finite number of seconds"),
])
def test_snapshot_numbers_are_checked_by_the_parser(capsys, flag: str, value: str, words: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["snapshot", "talk.wav", f"{flag}={value}"])
    assert info.value.code == 2
    assert f"error: argument {flag}: {words}" in capsys.readouterr().err
