"""The app's live figures, written as JSON Lines for ``fhud bench soak`` (``FHUD_METRICS_FILE``).

Every ``FHUD_METRICS_EVERY`` seconds (default 10) one line: the pipeline's merged
metrics (ASR: rtf, backlog, drops, overflows; concepts: ``concept_*``), the view's
frame counters and pace, and the latencies of the words and concepts that came
since the previous line (each word's ``emitted_at - end``, in audio seconds; each
concept extraction's seconds after its utterance's last word).  Off unless the
variable is set: a person's run writes nothing.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer

from fhud_app.core.events import EVENT_DTYPE, Kind

ENV_FILE = "FHUD_METRICS_FILE"
ENV_EVERY = "FHUD_METRICS_EVERY"


class MetricsSink(QObject):
    """Follows one pipeline at a time (:meth:`attach`); writes a line every ``every_s``."""

    def __init__(self, path: Path, view: Any, parent: QObject | None = None, every_s: float = 10.0) -> None:
        super().__init__(parent)
        self.path, self.view = path, view
        self.stats: dict[str, Any] = {}
        self._file = path.open("a", encoding="utf-8")
        self._reader: Any = None
        self._buf = np.zeros(4096, EVENT_DTYPE)
        self._latencies: list[float] = []
        self._concepts_seen = 0
        self._concept_source: Any = None
        self._timer = QTimer(self, interval=max(100, int(every_s * 1000)), timeout=self.write)
        self._timer.start()

    @classmethod
    def from_env(cls, view: Any, parent: QObject | None = None) -> MetricsSink | None:
        path = os.environ.get(ENV_FILE)
        if not path:
            return None
        return cls(Path(path), view, parent, float(os.environ.get(ENV_EVERY, "10")))

    def set_stats(self, stats: dict) -> None:
        """The pipeline's merged figures, as the debug overlay gets them."""
        self.stats = dict(stats)

    def attach(self, pipeline: Any) -> None:
        self._reader = pipeline.words.reader()
        self._concept_source = getattr(pipeline, "concept_worker", None)
        self._concepts_seen = self._concept_count()

    def _concept_count(self) -> int:
        worker = self._concept_source
        return 0 if worker is None else int(getattr(worker, "latency_count", len(worker.latencies)))

    def _take_words(self) -> None:
        reader = self._reader
        if reader is None:
            return
        while n := reader.read_into(self._buf):
            recs = self._buf[:n]
            recs = recs[recs["kind"] == Kind.WORD]
            self._latencies.extend((recs["emitted_at"] - recs["end"]).tolist())

    def _new_concept_latencies(self) -> list[float]:
        worker = self._concept_source
        if worker is None:
            return []
        total = self._concept_count()
        fresh = total - self._concepts_seen
        self._concepts_seen = total
        lat = list(worker.latencies)
        return lat[len(lat) - fresh :] if 0 < fresh <= len(lat) else []

    def write(self) -> None:
        self._take_words()
        view = self.view
        pace = getattr(view, "pace", None)
        line = {
            "t": time.time(),
            "stats": {k: v for k, v in self.stats.items() if isinstance(v, (int, float, str))},
            "frames": getattr(view, "frames", 0),
            "moving_frames": getattr(view, "moving_frames", 0),
            "moving_s": getattr(view, "moving_s", 0.0),
            "pace_fps": getattr(pace, "fps", None),
            "pace_reason": getattr(pace, "reason", None),
            "particles": getattr(getattr(view, "model", None), "pool", None) and view.model.pool.live,
            "word_latencies": [round(x, 4) for x in self._latencies],
            "concept_latencies": [round(x, 4) for x in self._new_concept_latencies()],
        }
        self._latencies = []
        self._file.write(json.dumps(line) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        self._timer.stop()
        self.write()
        self._file.close()
