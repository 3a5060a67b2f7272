"""The configuration tree: frozen dataclasses, overridden by settings then CLI flags."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class AudioConfig:
    sample_rate: int = SAMPLE_RATE
    device: str | int | None = None  # name substring or index; None = system default
    block_ms: int = 20  # microphone callback block
    ring_seconds: float = 60.0  # audio ring capacity
    # A live stream (microphone, real-time file) that falls further behind than this drops its
    # oldest audio (counted): the words stay near real time and memory stays flat.
    max_backlog_s: float = 3.0


@dataclass(frozen=True)
class AsrConfig:
    engine: str = "auto"  # auto | parakeet | whisper
    parakeet_model: str = "mlx-community/parakeet-tdt-0.6b-v3"
    # Parakeet streaming context in encoder frames (80 ms each): left, right.
    # The right context is the draft tail: 16 frames = 1.28 s to finalization.
    parakeet_context: tuple[int, int] = (64, 16)
    parakeet_chunk_s: float = 1.0
    whisper_model: str | None = None  # None = the embedded tiny.en
    whisper_hop_s: float = 0.8  # decode every hop of new audio (latency vs CPU: see docs/benchmarks.md)
    whisper_window_s: float = 15.0  # at most this much uncommitted audio per decode
    # CTranslate2 threads for Whisper: one core for the ASR, the other for the concept LLM
    # (MLX's CPU backend runs on one thread); 0 lets CTranslate2 choose (4 threads).
    whisper_threads: int = 1
    language: str = "en"


@dataclass(frozen=True)
class LlmConfig:
    model: str = "auto"  # auto | embedded | none | <hub id or folder>
    hub_model: str = "mlx-community/gemma-3-1b-it-qat-4bit"
    max_new_tokens: int = 24
    context_words: int = 40  # recent transcript given with each utterance
    utterance_pause_s: float = 0.8  # a pause this long ends an utterance
    # The concept worker (and MLX's CPU thread, which it starts) runs this much nicer than the
    # rest of the app: on a free core it runs at full speed, under load the ASR and the GUI win.
    nice: int = 10


@dataclass(frozen=True)
class StoreConfig:
    max_concepts: int = 64
    half_life_s: float = 90.0  # weight halves after this long without a mention
    max_links: int = 256


@dataclass(frozen=True)
class RenderConfig:
    max_particles: int = 20_000
    max_words: int = 48
    word_life_s: float = 4.0
    fps: int = 60  # the display rate, while something moves visibly
    idle_fps: int = 4  # the settle rate, while only the slow drift remains
    software_fps: int = 30  # the cap on a software rasterizer (llvmpipe: no GPU)
    # A software rasterizer's threads run this much nicer than the GUI: there a frame costs the
    # CPU the models need, so the view gives way to them first (the concept worker is at +10).
    software_nice: int = 15


@dataclass(frozen=True)
class HudConfig:
    hotkey: str = "Ctrl+Alt+Space"  # the macOS default is Ctrl+Option+Space (same chord)
    pinned: bool = True
    click_through: bool = False
    opacity: float = 0.92
    debug_overlay: bool = False
    width: int = 720
    height: int = 420
    concept_memory: bool = False  # mark concepts said in earlier sessions (off for the demo)


@dataclass(frozen=True)
class Config:
    audio: AudioConfig = field(default_factory=AudioConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    render: RenderConfig = field(default_factory=RenderConfig)
    hud: HudConfig = field(default_factory=HudConfig)

    def with_(self, section: str, **changes: Any) -> Config:
        """A copy with fields of one section replaced (``None`` values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        return replace(self, **{section: replace(getattr(self, section), **changes)})
