"""The debug overlay: frame statistics drawn as text in the HUD's own GL pass (Qt-free)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from fhud_app.core.ring import RingReader
from fhud_app.render.pacing import Pace
from fhud_app.render.particles import ParticleModel, TextItem

OVERLAY_RGBA = (0.80, 0.95, 0.85, 0.95)
LINE_PX = 15.0


class FrameStats:
    """Rolling fps and GUI-thread CPU milliseconds over the last ``window`` frames."""

    def __init__(self, window: int = 60) -> None:
        self._times: deque[float] = deque(maxlen=window)
        self._cpu: deque[float] = deque(maxlen=window)

    def add(self, cpu_ms: float, at: float) -> None:
        self._cpu.append(cpu_ms)
        self._times.append(at)

    @property
    def fps(self) -> float:
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    @property
    def cpu_ms(self) -> float:
        return sum(self._cpu) / len(self._cpu) if self._cpu else 0.0

    @property
    def cpu_ms_max(self) -> float:
        return max(self._cpu, default=0.0)


def _fmt(value: object, unit: str = "", nd: int = 2) -> str:
    if isinstance(value, (int, float)):
        return f"{value:.{nd}f}{unit}"
    return "–" if value is None else str(value)


def overlay_lines(
    stats: FrameStats, model: ParticleModel, readers: Sequence[RingReader], pipeline: Mapping[str, object],
    pace: Pace | None = None,
) -> list[str]:
    m = model.stats()
    lines = [
        f"fps {stats.fps:5.1f}   frame cpu {stats.cpu_ms:5.2f} ms (max {stats.cpu_ms_max:.2f})",
        *([] if pace is None else _pace_lines(pace)),
        f"particles {int(m['particles'])}/{model.pool.capacity}   words {int(m['words'])}"
        f"   concepts {int(m['concepts'])}   dropped words {int(m['words_dropped'])}",
    ]
    for i, r in enumerate(readers):
        fill = r.available() / r.ring.capacity
        lines.append(f"ring {i}: fill {fill:4.0%}   drops {r.dropped}")
    drops, overflows, backlog = (pipeline.get(k) for k in ("drops", "overflows", "backlog_s"))
    if drops is not None or backlog is not None:
        dropped = _fmt(pipeline["dropped_s"], " s", 1) if "dropped_s" in pipeline else _fmt(drops, " samples", 0)
        lines.append(f"audio ring: dropped {dropped}   overflows {_fmt(overflows, '', 0)}"
                     f"   asr backlog {_fmt(backlog, ' s', 1)}")
    rtf, word_lat, concept_lat, rss = (_first(pipeline, names) for names in ALIASES)
    lines.append(
        f"asr rtf {_fmt(rtf)}   word latency {_fmt(word_lat, ' s')}   concept latency {_fmt(concept_lat, ' s')}"
    )
    lines.append(f"rss {_fmt(rss, ' MB', 0)}")
    return lines


ALIASES = (  # the figure, then the names the pipeline's signals use for it
    ("asr_rtf", "rtf"),
    ("word_latency_s", "latency_p50"),
    ("concept_latency_s", "concept_latency_p50", "concept_latency"),
    ("rss_mb",),
)


def _pace_lines(pace: Pace) -> list[str]:
    """The rate and why: what moves (and a cap), then whom the view yields to."""
    what, _, yielding = pace.reason.partition("; ")
    lines = [f"rate {pace.fps:g} fps: {what}"]
    if yielding:
        share = "" if pace.particles >= 1.0 else f", particles ×{pace.particles:g}"
        lines.append(f"  {yielding}{share}")
    return lines


def _first(stats: Mapping[str, object], names: tuple[str, ...]) -> object:
    for name in names:
        if name in stats:
            return stats[name]
    return None


def overlay_items(
    stats: FrameStats, model: ParticleModel, readers: Sequence[RingReader], pipeline: Mapping[str, object],
    pace: Pace | None = None,
) -> list[TextItem]:
    """Text items at the top-left corner, one per line."""
    lines = overlay_lines(stats, model, readers, pipeline, pace)
    return [TextItem("overlay", s, 10.0, 18.0 + i * LINE_PX, OVERLAY_RGBA) for i, s in enumerate(lines)]
