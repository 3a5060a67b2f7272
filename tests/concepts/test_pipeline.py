"""The concept stage inside the headless Pipeline (fake ASR engine, scripted LLM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fhud_app.app import build_pipeline
from fhud_app.asr.base import EngineUpdate, Word
from fhud_app.concepts.extractor import LlmExtractor
from fhud_app.core.config import Config
from fhud_app.core.events import Kind
from fhud_app.core.mlx_gate import MlxGate
from tests.concepts.fakes import FakeLlm

SCRIPT = "We should put solar panels on the barn roof. The batteries store energy for the night."


class ScriptedEngine:
    """Says one word of SCRIPT per 0.1 s of audio."""

    name = "scripted"

    def __init__(self, gate: MlxGate) -> None:
        self.words = SCRIPT.split()
        self.fed = 0
        self.closed = False

    def feed(self, samples: np.ndarray) -> EngineUpdate:
        t = self.fed / 16_000
        self.fed += len(samples)
        if not self.words:
            return EngineUpdate()
        return EngineUpdate([Word(self.words.pop(0), t, t + 0.08, 0.9)])

    def flush(self) -> EngineUpdate:
        t = self.fed / 16_000
        rest = [Word(w, t + i * 0.1, t + i * 0.1 + 0.08, 0.9) for i, w in enumerate(self.words)]
        self.words = []
        return EngineUpdate(rest)

    def close(self) -> None:
        self.closed = True


def respond(prompt: str) -> str:
    return " solar panels, barn roof" if "solar" in prompt else " batteries, energy"


def test_pipeline_waits_for_the_last_concepts_and_a_cpu_engine_is_not_gated(qtbot, silence_wav: Path) -> None:  # noqa: ANN001
    engines: list[ScriptedEngine] = []

    def engine_factory(config, gate, progress):  # noqa: ANN001, ANN202
        engines.append(ScriptedEngine(gate))
        return engines[-1], "test"

    config = Config()
    pipeline = build_pipeline(config, silence_wav, realtime=False, engine_factory=engine_factory,
                              extractor_factory=lambda c, g, p, w: LlmExtractor(FakeLlm(respond, g)))
    worker = pipeline.concept_worker
    assert pipeline.workers == [pipeline.asr, worker] and worker.gate is pipeline.gate
    with qtbot.waitSignal(pipeline.finished, timeout=60_000):
        pipeline.start()
    pipeline.stop()
    assert pipeline.error is None
    recs = worker.store.events.reader(from_start=True).read()
    texts = [r["text"].decode() for r in recs if int(r["kind"]) == Kind.CONCEPT]
    assert texts == ["solar panels", "barn roof", "batteries", "energy"]  # the last one too
    # A CPU engine (Whisper) decodes beside the LLM: it is not wrapped in the MLX gate,
    # and the worker closed it when it ended.
    assert len(engines) == 1 and pipeline.asr.engine_name == "scripted" and engines[0].closed
    assert pipeline.asr.engine is None
    assert worker.snapshot()["utterances"] == 2
