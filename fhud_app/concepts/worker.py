"""ConceptWorker: the thread that owns the concept model and fills the concepts ring.

It reads the words ring (final words, revisions, utterance ends) through its own cursor and
hands the records to its :class:`~fhud_app.concepts.stage.ConceptStage`, which cuts
utterances, extracts their concepts (the LLM prefills each word as it arrives) and hands them
to the :class:`~fhud_app.store.concept_store.ConceptStore`, which writes CONCEPT / LINK /
RETIRE events.  It is a :class:`~fhud_app.workers.Worker` (the extractor is loaded and dropped
on its thread) and reports only through its signals; the store is built by the composition root.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from fhud_app.concepts.extractor import Extractor
from fhud_app.concepts.stage import ConceptStage
from fhud_app.core.config import Config
from fhud_app.core.errors import FhudError
from fhud_app.core.events import EVENT_DTYPE
from fhud_app.core.memory import HeapTrim
from fhud_app.core.mlx_gate import MlxGate
from fhud_app.core.priority import lower_current_thread
from fhud_app.core.ring import Ring
from fhud_app.store.concept_store import ConceptStore
from fhud_app.workers import Step, Worker

log = logging.getLogger(__name__)

ExtractorFactory = Callable[
    [Config, MlxGate, Callable[[float, str], None], Callable[[str], None]], Extractor
]


def default_extractor_factory(
    config: Config,
    gate: MlxGate,
    progress: Callable[[float, str], None],
    warn: Callable[[str], None],
) -> Extractor:
    """The extractor ``config.llm.model`` asks for; YAKE when it is ``none`` or nothing loads."""
    from fhud_app.concepts.extractor import LlmExtractor
    from fhud_app.concepts.keywords import KeywordExtractor
    from fhud_app.concepts.loading import load_llm

    llm = load_llm(
        config.llm.model, gate, hub_model=config.llm.hub_model, progress=progress, warn=warn
    )
    if llm is None:
        return KeywordExtractor()
    return LlmExtractor(llm, max_new_tokens=config.llm.max_new_tokens)


class ConceptWorker(Worker):
    """Words ring → :class:`ConceptStage` (extractor, :class:`ConceptStore`) → concepts ring.

    Its errors are warnings (``error``): a model that cannot load falls back to keyword
    extraction, a failing one gives keywords for that utterance, and a loop that stops
    still emits ``drained`` so the pipeline finishes.
    """

    ready = Signal(str)  # the active extractor ("llm:<model>" or "yake")
    # metrics: latency_p50, latency_p95, skipped, utterances, concepts, ...
    WAIT_S = 0.02  # wait on the stop event when no word is waiting

    def __init__(
        self,
        config: Config,
        words: Ring,
        store: ConceptStore,
        gate: MlxGate,
        extractor_factory: ExtractorFactory = default_extractor_factory,
        *,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.reader = words.reader(from_start=True)
        self.store = store
        self.gate = gate
        self.extractor_factory = extractor_factory
        self.input_done = threading.Event()
        self.stage = ConceptStage(config, store, live=live, warn=self._warn, stopped=self.stop_event.is_set)
        self._buf = np.zeros(256, EVENT_DTYPE)
        self._trim = HeapTrim()

    @property
    def extractor_name(self) -> str:
        return self.stage.extractor_name

    @property
    def latencies(self) -> deque[float]:
        return self.stage.latencies

    # ------------------------------------------------------------------ control (any thread)
    def finish_input(self) -> None:
        """No more words will come: extract what is left, emit ``drained``, end the loop."""
        self.input_done.set()

    # ------------------------------------------------------------------ worker hooks
    def load(self) -> None:
        lower_current_thread(self.config.llm.nice)  # before MLX starts its stream thread
        try:
            extractor = self.extractor_factory(
                self.config, self.gate, lambda f, _m: self.loading.emit(float(f)), self._warn
            )
        except Exception as exc:  # a model that cannot load must not stop the pipeline
            from fhud_app.concepts.keywords import KeywordExtractor

            if isinstance(exc, FhudError):
                msg = str(exc)
            else:
                log.exception("the concept model could not load")
                msg = f"{type(exc).__name__}: {exc}"
            self._warn(f"the concept model could not load ({msg}); using keyword extraction.")
            extractor = KeywordExtractor()
        self.stage.attach(extractor)
        self.ready.emit(self.extractor_name)

    def step(self) -> Step:
        stage = self.stage
        n = self.reader.read_into(self._buf)
        if n:
            stage.process(stage.take(self._buf[:n]), idle=lambda: self.reader.available() == 0)
            return Step.BUSY
        if self.input_done.is_set() and self.reader.available() == 0:
            stage.process([u for u in [stage.cutter.flush()] if u is not None])
            self.emit_metrics()
            self.drained.emit()
            return Step.DONE
        idle = stage.cutter.poll(time.monotonic())
        if idle is None:
            self._trim.maybe()  # nothing to do: hand the heap's freed pages back now and then
            return Step.IDLE
        stage.process([idle])
        return Step.BUSY

    def close(self) -> None:
        self.stage.extractor = None

    def describe(self, exc: BaseException) -> str:
        return f"the concept stage stopped ({type(exc).__name__}: {str(exc)[:100]})."

    def failed(self, message: str, exc: BaseException) -> None:
        self._warn(message)
        self.drained.emit()  # the pipeline must still finish

    def _warn(self, message: str) -> None:
        self.error.emit(message)

    def snapshot(self) -> dict[str, Any]:
        return {**self.stage.figures(), "words_dropped": int(self.reader.dropped)}
