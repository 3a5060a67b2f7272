"""Small helpers shared by the benchmarks: percentiles, target checks, a report table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Figure:
    name: str
    value: float
    target: float | None  # None: reported, not judged
    unit: str = ""
    higher_is_better: bool = False

    @property
    def ok(self) -> bool:
        if self.target is None or not np.isfinite(self.value):
            return self.target is None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def row(self) -> str:
        if self.target is None:
            goal, verdict = "", "info"
        else:
            goal = f"{'≥' if self.higher_is_better else '≤'} {self.target:g}{self.unit}"
            verdict = "PASS" if self.ok else "FAIL"
        return f"| {self.name} | {self.value:.4g}{self.unit} | {goal} | {verdict} |"


def percentile(values, q: float) -> float:
    arr = np.asarray(list(values), dtype=np.float64)
    return float(np.percentile(arr, q)) if arr.size else float("nan")


def report(title: str, figures: list[Figure]) -> int:
    """Print a Markdown table; return 0 when every judged figure meets its target."""
    print(f"\n### {title}\n")
    print("| figure | measured | target | verdict |")
    print("|---|---|---|---|")
    for f in figures:
        print(f.row())
    failed = [f.name for f in figures if not f.ok]
    if failed:
        print(f"\nMISSED: {', '.join(failed)}")
    return 1 if failed else 0
