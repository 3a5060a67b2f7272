"""The soak's samples, figures, CSV and plot (see :mod:`fhud_app.bench.soak`)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fhud_app.bench.common import Figure, percentile, report

TARGET_CONCEPT_RATIO = 1.5  # GUI concept latency p50 / headless, same run
TARGET_WORD_P95_EXTRA_S = 0.3  # GUI word p95 - headless word p95
TARGET_SLOPE_MB = 2.0  # RSS MB per 10 min after the warm-up
TARGET_P95_DRIFT = 0.20  # last-10-min word p95 vs first 10 min
TARGET_FPS_MIN = 15.0
TARGET_RSS_MB = 1300.0
TARGET_EXIT_S = 2.0
SPAN_S = 600.0  # "first/last 10 minutes"
MIN_MOVING_S = 2.0  # a sample's fps is judged only when it drew this long at the display rate
THREADS_PLOTTED = 6


@dataclass
class Sample:
    t: float  # seconds since the models were ready
    rss_mb: float
    thread_cpu: dict[str, float]  # CPU seconds so far, by thread name
    lines: list[dict[str, Any]]  # the app's metrics lines since the last sample
    stats: dict[str, Any] = field(default_factory=dict)
    cpu_pct: dict[str, float] = field(default_factory=dict)  # % of a core since the last sample
    fps: float = math.nan  # frames per second while something moved (display-rate tier)
    fps_all: float = math.nan  # every frame, settle rate included
    word_latencies: list[float] = field(default_factory=list)
    concept_latencies: list[float] = field(default_factory=list)
    pace: str = ""
    _frames: tuple[float, float, float] = (0.0, 0.0, 0.0)  # frames, moving_frames, moving_s

    def derive(self, last: Sample | None) -> None:
        for line in self.lines:
            self.word_latencies += line.get("word_latencies", [])
            self.concept_latencies += line.get("concept_latencies", [])
        prev = last._frames if last is not None else (0.0, 0.0, 0.0)
        if self.lines:
            end = self.lines[-1]
            self.stats, self.pace = end.get("stats", {}), str(end.get("pace_reason") or "")
            self._frames = (end.get("frames", 0), end.get("moving_frames", 0), end.get("moving_s", 0.0))
        else:
            self.stats, self._frames = (last.stats if last else {}), prev
        d_frames, d_moving, d_moving_s = (a - b for a, b in zip(self._frames, prev, strict=True))
        dt = self.t - (last.t if last is not None else 0.0)
        if last is not None and dt > 0:
            self.fps_all = d_frames / dt
            self.cpu_pct = {k: 100.0 * (v - last.thread_cpu.get(k, 0.0)) / dt for k, v in self.thread_cpu.items()}
        if d_moving_s >= MIN_MOVING_S:
            self.fps = d_moving / d_moving_s

    def line(self) -> str:
        w = percentile(self.word_latencies, 95)
        return (f"t {self.t:6.0f} s  rss {self.rss_mb:6.1f} MB  fps {self.fps:5.1f} (all {self.fps_all:5.1f})  "
                f"word p95 {w:5.2f} s  backlog {self.stats.get('backlog_s', math.nan):4.2f} s  "
                f"drops {self.stats.get('drops', 0)}  [{self.pace}]")


def _slope_mb_per_10min(samples: list[Sample], warmup_s: float) -> tuple[float, str]:
    after = [s for s in samples if s.t >= warmup_s]
    where = f"after {warmup_s / 60:g} min"
    if len(after) < 3:
        after, where = samples, "whole run (shorter than the warm-up)"
    if len(after) < 2:
        return math.nan, where
    t = np.array([s.t for s in after])
    rss = np.array([s.rss_mb for s in after])
    return float(np.polyfit(t, rss, 1)[0] * 600.0), where


def _window_p95(samples: list[Sample], first: bool) -> float:
    span = min(SPAN_S, samples[-1].t / 3.0)
    if first:
        chosen = [s for s in samples if s.t <= span]
    else:
        chosen = [s for s in samples if s.t >= samples[-1].t - span]
    return percentile([x for s in chosen for x in s.word_latencies], 95)


def summary(samples: list[Sample], base: dict[str, Any], warmup_s: float) -> dict[str, Any]:
    slope, where = _slope_mb_per_10min(samples, warmup_s)
    fps = [s.fps for s in samples if not math.isnan(s.fps)]
    words = [x for s in samples for x in s.word_latencies]
    concepts = [x for s in samples for x in s.concept_latencies]
    end = samples[-1].stats
    r = {
        "minutes": round(samples[-1].t / 60.0, 2),
        "rss_mb_start": round(samples[0].rss_mb, 1),
        "rss_mb_end": round(samples[-1].rss_mb, 1),
        "rss_mb_max": round(max(s.rss_mb for s in samples), 1),
        "rss_slope_mb_per_10min": round(slope, 3),
        "rss_slope_over": where,
        "drops": int(end.get("drops", 0)),
        "overflows": int(end.get("overflows", 0)),
        "word_p95_first": round(_window_p95(samples, True), 3),
        "word_p95_last": round(_window_p95(samples, False), 3),
        "word_p95_gui": round(percentile(words, 95), 3),
        "word_p95_headless": round(percentile(base["word_latencies"], 95), 3),
        "concept_p50_gui": round(percentile(concepts, 50), 3),
        "concept_p50_headless": round(float(base["concept_p50"]), 3),
        "fps_min": round(min(fps), 1) if fps else math.nan,
        "fps_median": round(float(np.median(fps)), 1) if fps else math.nan,
        "backlog_max_s": round(max(float(s.stats.get("backlog_s", 0.0)) for s in samples), 2),
        "words": len(words),
        "concepts": len(concepts),
    }
    return r


def figures(r: dict[str, Any]) -> int:
    """The judged table; 0 when every figure meets its target."""
    long_run = r["minutes"] >= 2 * SPAN_S / 60.0
    ratio = r["concept_p50_gui"] / r["concept_p50_headless"] if r["concept_p50_headless"] > 0 else math.nan
    drift = r["word_p95_last"] / r["word_p95_first"] - 1.0 if r["word_p95_first"] > 0 else math.nan
    slope_target = TARGET_SLOPE_MB if "after" in r["rss_slope_over"] else None
    rows = [
        Figure("concept latency p50, GUI / headless (same run)", ratio, TARGET_CONCEPT_RATIO, "×"),
        Figure("word latency p95, GUI − headless", r["word_p95_gui"] - r["word_p95_headless"],
               TARGET_WORD_P95_EXTRA_S, " s"),
        Figure(f"RSS slope, MB per 10 min ({r['rss_slope_over']})", r["rss_slope_mb_per_10min"], slope_target),
        Figure("audio ring drops + overflows", r["drops"] + r["overflows"], 0),
        Figure("word p95, last vs first 10 min", drift, TARGET_P95_DRIFT if long_run else None),
        Figure("fps while something moves, minimum", r["fps_min"], TARGET_FPS_MIN, higher_is_better=True),
        Figure("fps while something moves, median", r["fps_median"], None),
        Figure("RSS of the GUI app, max", r["rss_mb_max"], TARGET_RSS_MB, " MB"),
        Figure("exit after SIGTERM", r["exit_s"] if r["exit_code"] == 0 else math.inf, TARGET_EXIT_S, " s"),
    ]
    return report(f"Soak ({r['minutes']:g} min, fhud bench soak)", rows)


def write_csv(path: Path, samples: list[Sample]) -> None:
    threads = _top_threads(samples, 12)
    cols = ["t_s", "rss_mb", "fps_moving", "fps_all", "word_p50_s", "word_p95_s", "concept_p50_s",
            "backlog_s", "drops", "overflows", "pace"] + [f"cpu_{t}" for t in threads]  # fmt: skip
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for s in samples:
            w.writerow([round(s.t, 1), round(s.rss_mb, 2), _r(s.fps), _r(s.fps_all),
                        _r(percentile(s.word_latencies, 50)), _r(percentile(s.word_latencies, 95)),
                        _r(percentile(s.concept_latencies, 50)), _r(s.stats.get("backlog_s", math.nan)),
                        s.stats.get("drops", ""), s.stats.get("overflows", ""), s.pace]
                       + [_r(s.cpu_pct.get(t, math.nan)) for t in threads])  # fmt: skip


def _r(x: Any) -> Any:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 3)


def _top_threads(samples: list[Sample], n: int) -> list[str]:
    total: dict[str, float] = {}
    for s in samples:
        for k, v in s.cpu_pct.items():
            total[k] = total.get(k, 0.0) + v
    return [k for k, _ in sorted(total.items(), key=lambda kv: -kv[1])[:n]]


def write_plot(path: Path, samples: list[Sample], title: str) -> bool:
    """A PNG of the series a person judges a soak by; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    m = np.array([s.t for s in samples]) / 60.0
    fig, ax = plt.subplots(3, 2, figsize=(11, 8.5), sharex=True)
    ax[0, 0].plot(m, [s.rss_mb for s in samples])
    ax[0, 0].set_ylabel("RSS (MB)")
    ax[0, 1].plot(m, [s.fps for s in samples], label="while moving")
    ax[0, 1].plot(m, [s.fps_all for s in samples], label="all frames", alpha=0.6)
    ax[0, 1].axhline(TARGET_FPS_MIN, color="r", lw=0.8, ls="--")
    ax[0, 1].set_ylabel("fps")
    ax[0, 1].legend(fontsize=7)
    for t in _top_threads(samples, THREADS_PLOTTED):
        ax[1, 0].plot(m, [s.cpu_pct.get(t, np.nan) for s in samples], label=t)
    ax[1, 0].set_ylabel("CPU (% of a core)")
    ax[1, 0].legend(fontsize=6, ncol=2)
    ax[1, 1].plot(m, [percentile(s.word_latencies, 50) for s in samples], label="word p50")
    ax[1, 1].plot(m, [percentile(s.word_latencies, 95) for s in samples], label="word p95")
    ax[1, 1].plot(m, [percentile(s.concept_latencies, 50) for s in samples], ".", label="concept p50")
    ax[1, 1].set_ylabel("latency (s)")
    ax[1, 1].legend(fontsize=7)
    ax[2, 0].plot(m, [s.stats.get("backlog_s", np.nan) for s in samples])
    ax[2, 0].set_ylabel("ASR backlog (s)")
    ax[2, 1].plot(m, [s.stats.get("drops", np.nan) for s in samples], label="audio drops")
    ax[2, 1].plot(m, [s.stats.get("overflows", np.nan) for s in samples], label="overflows")
    ax[2, 1].set_ylabel("count")
    ax[2, 1].legend(fontsize=7)
    for a in ax[2]:
        a.set_xlabel("minutes after the models were ready")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return True
