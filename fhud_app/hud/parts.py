"""The parts the GUI is built from, as protocols: what the root hands in and the tests fake.

:func:`fhud_app.app.make_pipeline` builds a :class:`Pipeline`,
:func:`fhud_app.app.make_view` a :class:`HudView`; the GUI (:mod:`fhud_app.app_gui`,
:mod:`fhud_app.hud.controller`) relies on nothing else of them.  The signal
attributes are Qt ``SignalInstance`` objects (class-level ``Signal`` on a ``QObject``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from fhud_app.audio.source import AudioSource
from fhud_app.core.config import Config
from fhud_app.core.ring import Ring, RingReader
from fhud_app.hud.launch import Feed
from fhud_app.store.session import SessionRecorder


@runtime_checkable
class SpeechStage(Protocol):
    """The ASR worker as the GUI sees it."""

    loading: object  # Signal(float), 0..1
    ready: object  # Signal(str, str): engine name, why that engine
    notice: object  # Signal(str): one sentence (the engine was reloaded); listening goes on
    error: object  # Signal(str): one line
    metrics: object  # Signal(dict)


@runtime_checkable
class ConceptStage(Protocol):
    """The concept worker as the GUI sees it."""

    loading: object  # Signal(float), 0..1
    ready: object  # Signal(str): "llm:<model>" or "yake"
    error: object  # Signal(str): a warning; extraction goes on
    metrics: object  # Signal(dict)


@runtime_checkable
class Pipeline(Protocol):
    """One run: source → rings → workers; built, then started once and stopped once."""

    finished: object  # Signal(): drained or failed; ``error`` says why when it failed
    error: str | None
    source: AudioSource
    audio: Ring  # float32 samples (the level watch reads it)
    words: Ring  # WORD / DRAFT events
    concepts: Ring  # CONCEPT / LINK / RETIRE events
    asr: SpeechStage
    concept_worker: ConceptStage | None
    session: SessionRecorder | None  # the session file to fill, or None (the demo)

    def start(self) -> None: ...

    def pressure(self) -> tuple[float, int]:
        """(ASR audio backlog in seconds, records waiting for the concept stage)."""
        ...

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop and join; False when a worker outlived ``timeout_s`` (left to the exit)."""
        ...


@runtime_checkable
class HudView(Protocol):
    """The widget inside the HUD window (a ``QWidget``; the GL particle view in the app)."""

    gl_unsupported: object  # Signal(str): the view cannot draw; one line for the person

    def set_readers(self, readers: Sequence[RingReader]) -> None: ...

    def set_debug_overlay(self, on: bool) -> None: ...

    def set_pipeline_stats(self, stats: dict) -> None: ...

    def set_pressure(self, backlog_s: float, concept_queue: int) -> None:
        """How far behind the models are: the view draws slower, then lighter."""
        ...

    def set_concept_recall(self, counts: dict[str, int]) -> None: ...

    def start_fresh(self) -> None: ...


PipelineFactory = Callable[[Config, Feed], Pipeline]
ViewFactory = Callable[[Config], HudView]
