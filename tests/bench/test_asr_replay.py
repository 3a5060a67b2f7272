from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fhud_app.asr.whisper_engine import WhisperEngine
from fhud_app.audio.file_source import load_audio
from fhud_app.bench.asr_replay import load, main, replay, replay_updates
from fhud_app.core.config import AsrConfig


def hop(now: float, text: str, start: float = 0.0) -> dict:
    words = [[t, start + 0.5 * i, start + 0.5 * i + 0.4, 0.9] for i, t in enumerate(text.split())]
    return {"kind": "hop", "now": now, "words": words}


def test_more_votes_wait_for_more_agreeing_decodes() -> None:
    log = [hop(2.0, "a b c"), hop(2.8, "a b c d"), hop(3.6, "a b c d e"), {"kind": "flush", "now": 3.6, "words": None}]
    two = replay(log, votes=2, edge_s=0.0)
    three = replay(log, votes=3, edge_s=0.0)
    assert [w.text for w, _ in two] == [w.text for w, _ in three] == list("abcde")
    assert [now for _, now in two][:3] == [2.8] * 3
    assert [now for _, now in three][:3] == [3.6] * 3  # the third agreeing decode


def test_edge_keeps_words_near_the_end_of_the_audio_out_of_the_agreement() -> None:
    log = [hop(1.5, "a b c"), hop(2.3, "a b c")]  # a, b, c end at 0.4, 0.9, 1.4
    assert [w.text for w, _ in replay(log, edge_s=0.0)] == ["a", "b", "c"]
    # 1 s edge: the first decode offers only "a", the second "a b": they agree on "a".
    assert [w.text for w, _ in replay(log, edge_s=1.0)] == ["a"]


@pytest.mark.slow
def test_replay_with_the_engines_settings_gives_the_engines_words(whisper_model, speech_wav: Path) -> None:
    audio = load_audio(speech_wav)[0]
    audio = np.concatenate([audio, np.zeros(16_000, np.float32), audio])  # two utterances
    engine = WhisperEngine(whisper_model, AsrConfig())
    decodes: list[dict] = []
    engine.on_decode = decodes.append
    out, revisions, ended = [], [], []
    for i in range(0, len(audio) + 1600, 1600):
        update = engine.feed(audio[i : i + 1600]) if i < len(audio) else engine.flush()
        out += [(w, engine.now_s) for w in update.final]
        revisions += update.revisions
        ended += update.ended
    assert len(out) > 20 and len(ended) >= 2 and ended == list(range(1, len(ended) + 1))
    assert len(decodes) == engine.decodes + sum(d["words"] is None for d in decodes)
    assert replay(decodes, votes=2, edge_s=engine.edge_s, hop_s=AsrConfig().whisper_hop_s) == out
    again = [u for _, u in replay_updates(decodes)]
    assert [r for u in again for r in u.revisions] == revisions
    assert [e for u in again for e in u.ended] == ended
    # A policy that never agrees finalizes the same speech only at the utterance's end: later.
    late = replay(decodes, votes=10_000, edge_s=engine.edge_s)
    assert min(now - w.end for w, now in late) >= 0 and len(late) > 20
    assert sum(now - w.end for w, now in late) > sum(now - w.end for w, now in out)


def test_main_prints_a_row_per_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = {"kind": "meta", "reference": "a b c d", "batch": "a b c x", "hop_s": 0.8}
    path = tmp_path / "decodes.jsonl"
    lines = [meta, hop(2.0, "a b c d"), hop(2.8, "a b c d"), {"kind": "utterance", "now": 3.4, "words": hop(0, "a b c d")["words"]}]
    path.write_text("".join(json.dumps(d) + "\n" for d in lines))
    assert load(path)[0] == meta
    assert main([str(path), "2:0.1", "3:0.1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 2") or line.startswith("| 3")]
    assert len(rows) == 2 and "| 0.0000 | 0.000 |" in rows[0]  # streaming got every word; batch missed one


def _run(engine: WhisperEngine, audio: np.ndarray) -> tuple[list, list]:
    """(every update, the audio seconds fed at each) of streaming ``audio`` then a flush."""
    updates, at = [], []
    for i in range(0, len(audio) + 1600, 1600):
        updates.append(engine.feed(audio[i : i + 1600]) if i < len(audio) else engine.flush())
        at.append(engine.now_s)
    return updates, at


def _final_text(updates: list) -> list[str]:
    by_utt: dict[int, list[str]] = {}
    for u in updates:
        for w in u.final:
            by_utt.setdefault(w.utterance, []).append(w.text)
        for r in u.revisions:
            by_utt[r.utterance] = [w.text for w in r.words]
    return [t for k in sorted(by_utt) for t in by_utt[k]]


@pytest.mark.slow
def test_the_second_pass_beside_the_stream_gives_the_inline_passes_words(whisper_model, speech_wav: Path) -> None:
    """The app decodes each utterance's second pass on a thread beside the stream (a minute-long
    utterance's pass once held the live words for seconds and the backlog cap dropped audio).
    The final text is the inline pass's; the next utterance's words may come before the
    revision; a log recorded so replays exactly."""
    audio = load_audio(speech_wav)[0]
    audio = np.concatenate([audio, np.zeros(16_000, np.float32), audio, np.zeros(8_000, np.float32), audio])
    inline, _ = _run(WhisperEngine(whisper_model, AsrConfig()), audio)
    engine = WhisperEngine(whisper_model, AsrConfig(), pass_beside=True)
    decodes: list[dict] = []
    engine.on_decode = decodes.append
    beside, _ = _run(engine, audio)
    engine.close()
    assert _final_text(beside) == _final_text(inline) and len(_final_text(beside)) > 40
    ended = [e for u in beside for e in u.ended]
    assert ended == [e for u in inline for e in u.ended] and len(ended) >= 3  # each once, in order
    words_of = [w.utterance for u in beside for w in u.final]
    assert words_of == sorted(words_of)  # each utterance's words in order, ids never reused
    passes = [d for d in decodes if d["kind"] == "pass"]
    assert [d["utterance"] for d in passes] == ended
    again = [u for _, u in replay_updates(decodes)]
    assert [w for u in again for w in u.final] == [w for u in beside for w in u.final]
    assert [r for u in again for r in u.revisions] == [r for u in beside for r in u.revisions]
    assert [e for u in again for e in u.ended] == ended
