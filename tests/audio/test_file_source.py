from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fhud_app.audio.file_source import FileSource, load_audio
from fhud_app.core.errors import InputError
from fhud_app.core.ring import Ring


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8_000, 16_000, 44_100, 48_000])
def test_any_rate_is_resampled_to_16k(tmp_path: Path, rate: int) -> None:
    path = tmp_path / "a.wav"
    sf.write(path, tone(1.5, rate), rate)
    audio, error = load_audio(path)
    assert error is None
    assert audio.dtype == np.float32
    assert abs(len(audio) - 24_000) <= 2


def test_stereo_is_downmixed(tmp_path: Path) -> None:
    left = tone(0.5, 16_000)
    sf.write(tmp_path / "s.wav", np.stack([left, 0.5 * left], axis=1), 16_000)
    audio, _ = load_audio(tmp_path / "s.wav")
    np.testing.assert_allclose(audio, 0.75 * left, atol=1e-3)


@pytest.mark.parametrize("ext", ["flac", "ogg"])
def test_flac_and_ogg(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"a.{ext}"
    sf.write(path, tone(1.0, 22_050), 22_050)
    audio, error = load_audio(path)
    assert error is None and abs(len(audio) - 16_000) < 400


def _bytes_of(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_files_raise_one_sentence(tmp_path: Path) -> None:
    good = tmp_path / "good.wav"
    sf.write(good, tone(1.0, 16_000), 16_000)
    cases = {
        tmp_path / "missing.wav": "does not exist",
        _bytes_of(tmp_path, "empty.wav", b""): "is empty",
        _bytes_of(tmp_path, "notes.wav", b"these are my notes, not audio\n" * 20): "not an audio file",
        _bytes_of(tmp_path, "header.wav", good.read_bytes()[:30]): "truncated",
        tmp_path: "folder",
    }
    for path, words in cases.items():
        with pytest.raises(InputError) as info:
            load_audio(path)
        message = str(info.value)
        assert words in message and "\n" not in message and message.endswith(".")


def test_truncated_wav_keeps_the_readable_part(tmp_path: Path) -> None:
    full = tmp_path / "full.wav"
    sf.write(full, tone(2.0, 16_000), 16_000, subtype="PCM_16")
    data = full.read_bytes()
    cut = _bytes_of(tmp_path, "cut.wav", data[: len(data) // 2])
    audio, error = load_audio(cut)
    assert 0.9 < len(audio) / 16_000 < 1.1
    assert isinstance(error, InputError) and "truncated" in str(error)


def test_truncated_flac_keeps_the_readable_part(tmp_path: Path) -> None:
    full = tmp_path / "full.flac"
    rng = np.random.default_rng(0)
    sf.write(full, (0.1 * rng.standard_normal(64_000)).astype(np.float32), 16_000)
    data = full.read_bytes()
    audio, error = load_audio(_bytes_of(tmp_path, "cut.flac", data[: len(data) // 2]))
    assert 0 < len(audio) < 64_000 and error is not None


def test_fast_source_never_overwrites_unread_audio(tmp_path: Path) -> None:
    samples = np.random.default_rng(1).standard_normal(50_000).astype(np.float32)
    sf.write(tmp_path / "n.wav", samples, 16_000, subtype="FLOAT")
    ring = Ring(4_000, np.float32)  # far smaller than the file
    reader = ring.reader()
    src = FileSource(tmp_path / "n.wav", ring, reader=reader, realtime=False)
    src.start()
    got = []
    out = np.zeros(1_000, np.float32)
    while not (src.finished.is_set() and reader.available() == 0):
        n = reader.read_into(out)
        if n:
            got.append(out[:n].copy())
        else:
            src.finished.wait(0.001)
    src.stop()
    assert reader.dropped == 0
    np.testing.assert_array_equal(np.concatenate(got), samples)
    assert src.error is None


def test_realtime_source_is_paced(tmp_path: Path) -> None:
    sf.write(tmp_path / "t.wav", tone(0.6, 16_000), 16_000)
    ring = Ring(32_000, np.float32)
    now = [0.0]
    src = FileSource(tmp_path / "t.wav", ring, realtime=True, clock=lambda: now[0])
    src.start()
    # With the clock frozen at 0 only the first 20 ms block is due.
    assert not src.finished.wait(0.2)
    assert ring.count == 320
    now[0] = 0.3
    assert not src.finished.wait(0.2)
    assert ring.count == 320 * 16  # every block due by 0.3 s (and the next one)
    now[0] = 10.0
    assert src.finished.wait(5.0)
    assert ring.count == 9_600
    src.stop()


def test_stop_ends_a_paced_source_early(tmp_path: Path) -> None:
    sf.write(tmp_path / "long.wav", tone(30.0, 16_000), 16_000)
    src = FileSource(tmp_path / "long.wav", Ring(16_000, np.float32), realtime=True)
    src.start()
    src.stop()
    assert src.finished.is_set() and src.written < len(src.samples)


def _read_all(reader, src: FileSource, samples: int) -> np.ndarray:
    got, out = [], np.zeros(4_000, np.float32)
    total = 0
    while total < samples:
        n = reader.read_into(out)
        if n:
            got.append(out[:n].copy())
            total += n
        else:
            src.finished.wait(0.001)
    return np.concatenate(got)[:samples]


def test_loop_plays_the_file_again_without_decoding_it_again(tmp_path: Path, monkeypatch) -> None:
    clip = tone(0.25, 16_000)
    sf.write(tmp_path / "c.wav", clip, 16_000, subtype="FLOAT")
    ring = Ring(2_000, np.float32)
    reader = ring.reader()
    src = FileSource(tmp_path / "c.wav", ring, reader=reader, loop=True, loop_gap_s=0.05)
    monkeypatch.setattr("fhud_app.audio.file_source.load_audio", pytest.fail)  # decoded once only
    src.start()
    got = _read_all(reader, src, 3 * 4_800 + 100)
    assert not src.finished.is_set()  # a loop never ends by itself
    src.stop()
    cycle = np.concatenate([clip, np.zeros(800, np.float32)])
    np.testing.assert_array_equal(got, np.tile(cycle, 4)[: len(got)])
    assert reader.dropped == 0 and src.plays >= 3
    assert src.written >= len(got)  # the audio clock kept counting across plays
    assert src.finished.is_set() and src.error is None


def test_paced_loop_keeps_audio_time_increasing(tmp_path: Path) -> None:
    sf.write(tmp_path / "c.wav", tone(0.1, 16_000), 16_000)
    ring = Ring(64_000, np.float32)
    now = [0.0]
    src = FileSource(tmp_path / "c.wav", ring, realtime=True, loop=True, pace_s=0.1,
                     clock=lambda: now[0])  # fmt: skip
    src.start()
    assert not src.finished.wait(0.2)
    assert ring.count == 1_600  # the first wake writes up to the next one, 0.1 s ahead
    now[0] = 1.0
    for _ in range(500):  # at most ~5 s for the thread to notice the clock
        if ring.count >= 17_600 or src.finished.wait(0.01):
            break
    assert ring.count == 17_600 and src.plays == 11  # ten plays due by 1 s, and the next
    src.stop()


def test_a_file_that_cannot_be_read_is_not_called_a_non_audio_file(monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "locked.wav"
    path.write_bytes(b"RIFF" + b"\0" * 100)
    real_open = Path.open

    def denied(self: Path, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(InputError) as info:
        load_audio(path)
    assert str(info.value) == f"{path} cannot be read: permission denied (check the file's permissions)."
