from __future__ import annotations

import subprocess
import sys

import pytest

from fhud_app.cli import chosen_command, main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], None),
        (["--demo"], None),
        (["transcribe", "a.wav"], "transcribe"),
        (["--engine", "whisper", "transcribe", "x"], "transcribe"),
        (["--source", "bench", "--exit-after", "3"], None),  # an option's value is not a command
        (["-v", "bench", "rings"], "bench"),
        (["unknown"], None),
    ],
)
def test_chosen_command(argv, expected):
    assert chosen_command(argv) == expected


def test_unknown_engine_is_one_line_and_exit_2(capsys):
    assert main(["--engine", "kaldi", "transcribe", "whatever.wav"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["fhud: error: unknown ASR engine 'kaldi': use auto, parakeet or whisper."]


def test_help_is_quick_and_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fhud_app", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    for name in ("transcribe", "snapshot", "bench"):
        assert name in out.stdout
    # --help must not import the heavy stacks
    for heavy in ("mlx", "faster_whisper", "moderngl", "PySide6"):
        assert f" {heavy}\n" not in out.stderr and f" {heavy}." not in out.stderr


def test_bench_ring_figures_meet_their_targets(capsys):
    # Small sizes: this checks the benchmark runs and judges; docs/benchmarks.md has full runs.
    code = main(["bench", "rings", "--calls", "3000", "--records", "20000", "--repeat", "1"])
    out = capsys.readouterr().out
    assert "audio callback p99" in out and "ring / queue throughput" in out
    assert code in (0, 1)
