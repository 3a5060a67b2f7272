"""The soak's figures from its samples: fps while moving, RSS slope, the judged table."""

from __future__ import annotations

import math

from fhud_app.bench.soak_report import Sample, figures, summary, write_csv, write_plot

BASE = {"word_latencies": [1.0, 1.2, 1.4, 2.0], "concept_p50": 2.0}


def run_of(n: int, *, rss_per_sample: float = 0.0, drops: int = 0, moving_fps: float = 30.0) -> list[Sample]:
    samples: list[Sample] = []
    frames = moving = moving_s = 0.0
    for i in range(1, n + 1):
        frames += 250
        moving += moving_fps * 8
        moving_s += 8.0
        line = {"stats": {"drops": drops, "overflows": 0, "backlog_s": 0.4}, "frames": frames,
                "moving_frames": moving, "moving_s": moving_s, "pace_reason": "word arriving",
                "word_latencies": [1.1, 1.3, 1.9], "concept_latencies": [2.4]}
        s = Sample(t=10.0 * i, rss_mb=900.0 + rss_per_sample * i, thread_cpu={"AsrWorker": 3.0 * i}, lines=[line])
        s.derive(samples[-1] if samples else None)
        samples.append(s)
    return samples


def test_fps_and_cpu_come_from_differences_between_samples():
    s = run_of(3)
    assert math.isclose(s[1].fps, 30.0) and math.isclose(s[1].fps_all, 25.0)
    assert math.isclose(s[2].cpu_pct["AsrWorker"], 30.0)


def test_a_steady_run_meets_its_figures(tmp_path):
    samples = run_of(40)
    r = summary(samples, BASE, warmup_s=120.0)
    r.update(exit_code=0, exit_s=0.8)
    assert r["rss_slope_mb_per_10min"] == 0.0 and "after 2 min" in r["rss_slope_over"]
    assert r["fps_min"] == 30.0 and r["concept_p50_gui"] == 2.4 and r["concept_p50_headless"] == 2.0
    assert figures(r) == 0
    write_csv(tmp_path / "soak.csv", samples)
    assert len((tmp_path / "soak.csv").read_text().splitlines()) == 41
    if write_plot(tmp_path / "soak.png", samples, "test"):
        assert (tmp_path / "soak.png").stat().st_size > 1000


def test_a_leak_drops_a_slow_view_or_a_late_exit_fail():
    for samples, change in ((run_of(40, rss_per_sample=0.1), {}), (run_of(40, drops=320), {}),
                            (run_of(40, moving_fps=12.0), {}), (run_of(40), {"exit_code": None})):
        r = summary(samples, BASE, warmup_s=120.0)
        r.update({"exit_code": 0, "exit_s": 0.8, **change})
        assert figures(r) == 1, r
