"""Streaming Parakeet through parakeet-mlx ``transcribe_stream``.

parakeet-mlx returns tokens whose times restart at the start of the mel
buffer it decoded in each ``add_audio`` call; this engine makes them absolute,
groups sentencepiece tokens into words on the leading "▁"/space, and serializes
every MLX call through the :class:`~fhud_app.core.mlx_gate.MlxGate` (ASR priority).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.asr.base import EngineUpdate, Word
from fhud_app.core.config import SAMPLE_RATE, AsrConfig
from fhud_app.core.errors import ModelError
from fhud_app.core.mlx_gate import MlxGate, Priority

PAUSE_S = 0.5  # a word starting this long after the previous one's end begins a new utterance
END_AFTER_S = 2.0  # an utterance with nothing pending ends after this long without a word


def on_metal() -> bool:
    """True when MLX runs on an Apple GPU (Metal)."""
    try:
        import mlx.core as mx

        return bool(mx.metal.is_available())
    except Exception:
        return False


def load_parakeet(folder: str | Path, gate: MlxGate) -> Any:
    """Load a Parakeet model from a local folder (config.json + model.safetensors)."""
    folder = Path(folder).resolve()
    if not (folder / "config.json").is_file() or not (folder / "model.safetensors").is_file():
        raise ModelError(f"{folder} is not a Parakeet model folder (config.json, model.safetensors).")
    os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder must not trigger hub retries
    from parakeet_mlx import from_pretrained

    try:
        with gate.hold(Priority.HIGH), warnings.catch_warnings():
            # parakeet-mlx leaves config.json open (a ResourceWarning): not ours to fix
            warnings.simplefilter("ignore", ResourceWarning)
            return from_pretrained(str(folder))
    except Exception as exc:
        raise ModelError(f"the Parakeet model in {folder} could not be loaded ({exc}).") from None


def group_words(tokens: Sequence[Any], offset_s: float = 0.0) -> list[Word]:
    """Group tokens (``.text``, ``.start``, ``.end``, ``.confidence``) into words.

    A token whose text starts with "▁" or a space begins a new word; the others
    continue the current one.  Times are shifted by ``offset_s``; a word's
    confidence is the lowest of its tokens'.
    """
    words: list[Word] = []
    parts: list[str] = []
    start = end = 0.0
    conf = 1.0
    for tok in tokens:
        text = tok.text.replace("▁", " ")
        if text[:1].isspace() and parts:
            words.append(Word("".join(parts).strip(), start, end, conf))
            parts = []
        if not parts:
            start, conf = offset_s + tok.start, 1.0
        parts.append(text)
        end = offset_s + tok.end
        conf = min(conf, float(getattr(tok, "confidence", 1.0)))
    if parts and "".join(parts).strip():
        words.append(Word("".join(parts).strip(), start, end, conf))
    return [w for w in words if w.text]


class ParakeetEngine:
    """A streaming :class:`~fhud_app.asr.base.AsrEngine` over a Parakeet model."""

    name = "parakeet"

    def __init__(self, model: Any, cfg: AsrConfig, gate: MlxGate) -> None:
        self.model = model
        self.gate = gate
        self.chunk = max(1, int(cfg.parakeet_chunk_s * SAMPLE_RATE))
        with gate.hold(Priority.HIGH):
            self.stream = model.transcribe_stream(
                context_size=tuple(cfg.parakeet_context),
                keep_original_attention=not on_metal(),
            )
            self.stream.__enter__()
        self.hop_length = int(model.preprocessor_config.hop_length)
        self.pending = np.zeros(0, np.float32)
        self.total = 0  # samples fed
        self.consumed = 0  # samples handed to parakeet-mlx
        self.mel_total = 0  # mel frames parakeet-mlx computed
        self.calls: list[tuple[int, int, int, int]] = []  # (mel0, sample0, n_mel, n_samples)
        self.n_final_tokens = 0
        self.tail: list[Any] = []  # final tokens of a word that may still continue
        self.draft_tokens: list[Any] = []
        self.utterance = 1  # the id of the open utterance (no revisions: one pass only)
        self.utterance_words = 0
        self.last_end = 0.0

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        self.pending = np.concatenate([self.pending, np.asarray(samples, np.float32).reshape(-1)])
        self.total += len(samples)
        final: list[Word] = []
        while len(self.pending) >= self.chunk:
            chunk, self.pending = self.pending[: self.chunk], self.pending[self.chunk :]
            final += self._add(chunk)
        update = self._number(final)
        quiet = not self.tail and not self.draft_tokens
        if quiet and self.utterance_words and self.total / SAMPLE_RATE - self.last_end >= END_AFTER_S:
            update.ended.append(self._end())
        update.draft = self._draft()
        tokens = self.tail + self.draft_tokens
        update.draft_end = tokens[-1].end if tokens else 0.0
        return update

    def flush(self) -> EngineUpdate:
        final: list[Word] = []
        if len(self.pending):
            final += self._add(self.pending)
            self.pending = np.zeros(0, np.float32)
        tokens, self.tail = self.tail + self.draft_tokens, []
        self.draft_tokens = []
        update = self._number(final + group_words(tokens))
        if self.utterance_words:
            update.ended.append(self._end())
        return update

    def _number(self, words: list[Word]) -> EngineUpdate:
        """Stamp each word with its utterance id; a pause before a word ends the utterance."""
        update = EngineUpdate()
        for w in words:
            if self.utterance_words and w.start - self.last_end >= PAUSE_S:
                update.ended.append(self._end())
            update.final.append(replace(w, utterance=self.utterance))
            self.utterance_words += 1
            self.last_end = w.end
        return update

    def _end(self) -> int:
        done, self.utterance, self.utterance_words = self.utterance, self.utterance + 1, 0
        return done

    def close(self) -> None:
        with self.gate.hold(Priority.HIGH):
            self.stream.__exit__(None, None, None)

    def _mel_to_s(self, frame: float) -> float:
        """Audio seconds of absolute mel frame ``frame``.

        parakeet-mlx computes each call's mel frames separately: a call with
        ``n`` samples (a multiple of the hop) yields ``n / hop + 1`` frames, so
        mel time runs ahead of audio time; map it back call by call.
        """
        for mel0, s0, n_mel, n_s in reversed(self.calls):
            if frame >= mel0 or (mel0, s0) == self.calls[0][:2]:
                return (s0 + (frame - mel0) * n_s / n_mel) / SAMPLE_RATE
        return 0.0

    def _add(self, chunk: np.ndarray) -> list[Word]:
        import mlx.core as mx

        chunk = np.pad(chunk, (0, -len(chunk) % self.hop_length))  # whole hops only
        n_mel = len(chunk) // self.hop_length + 1
        with self.gate.hold(Priority.HIGH):
            s = self.stream
            kept = 0 if s.mel_buffer is None else int(s.mel_buffer.shape[1])
            first = self.mel_total - kept  # absolute mel frame of the decoded buffer's start
            self.calls = (self.calls + [(self.mel_total, self.consumed, n_mel, len(chunk))])[-64:]
            s.add_audio(mx.array(chunk))
            new = s.finalized_tokens[self.n_final_tokens :]
            self.n_final_tokens = len(s.finalized_tokens)
            draft = list(s.draft_tokens)
            kept_after = int(s.mel_buffer.shape[1])
        # The draft is decoded from the kept tail on: its times start there.
        draft_first = first + max(0, kept + n_mel - kept_after)
        self.mel_total += n_mel
        self.consumed += len(chunk)
        self.draft_tokens = [self._absolute(t, draft_first) for t in draft]
        tokens = self.tail + [self._absolute(t, first) for t in new]
        # The last final word may go on in the draft: hold it back unless the
        # draft begins a new word.
        cut = len(tokens) if _starts_word(self.draft_tokens) else _last_word_start(tokens)
        self.tail = tokens[cut:]
        return group_words(tokens[:cut])

    def _absolute(self, tok: Any, first_frame: int) -> _Tok:
        f0 = first_frame + tok.start * SAMPLE_RATE / self.hop_length
        f1 = first_frame + tok.end * SAMPLE_RATE / self.hop_length
        return _Tok(tok.text, self._mel_to_s(f0), self._mel_to_s(f1), float(tok.confidence))

    def _draft(self) -> str:
        return " ".join(w.text for w in group_words(self.tail + self.draft_tokens))


class _Tok:
    __slots__ = ("text", "start", "end", "confidence")

    def __init__(self, text: str, start: float, end: float, confidence: float) -> None:
        self.text, self.start, self.end, self.confidence = text, start, end, confidence


def _starts_word(tokens: Sequence[Any]) -> bool:
    return bool(tokens) and tokens[0].text.replace("▁", " ")[:1].isspace()


def _last_word_start(tokens: Sequence[Any]) -> int:
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].text.replace("▁", " ")[:1].isspace():
            return i
    return 0
