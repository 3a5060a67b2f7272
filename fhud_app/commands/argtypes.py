"""argparse types for numbers a person types: finite, in range, or one clear sentence.

``float("nan")`` and ``float("inf")`` parse, and a value past what a timer or a buffer can
hold ends in a traceback far from the flag; these types refuse them where they are typed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def number(unit: str, *, high: float, zero_ok: bool = False, high_note: str = "") -> Callable[[str], float]:
    """A type accepting finite numbers above 0 (or from 0, ``zero_ok``) up to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {unit}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of {unit}")
        if value < 0 or (value == 0 and not zero_ok):
            kind = "a non-negative" if zero_ok else "a positive"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind} number of {unit}")
        if value > high:
            note = f" {high_note}" if high_note else ""
            raise argparse.ArgumentTypeError(f"{text} {unit} is too many: at most {high:g}{note}")
        return value

    return parse
