"""``fhud snapshot`` end to end (headless EGL, in a subprocess: EGL and Qt GL never share a process)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fhud_app.commands.snapshot import event_times, parse_size
from fhud_app.core.events import Kind
from fhud_app.render.synthetic import events_of, monologue_words, recurring_concepts

RUN = textwrap.dedent(
    """
    import argparse, sys
    from fhud_app.commands import snapshot
    from fhud_app.core.errors import FhudError
    p = argparse.ArgumentParser(); snapshot.add_arguments(p)
    try:
        sys.exit(snapshot.run(p.parse_args(sys.argv[1:])))
    except FhudError as exc:
        print(exc, file=sys.stderr); sys.exit(2)
    """
)
TEXT = (
    "Gardens are a way of thinking about memory. A garden remembers what you plant. "
    "Memory grows where attention goes, and attention is the water of the garden. "
    "Forgetting prunes memory so the garden can breathe."
)


def snapshot(*args: str):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.gl
def test_snapshot_writes_a_readable_png(tmp_path, qapp):
    from PySide6.QtGui import QImage

    src = tmp_path / "talk.txt"
    src.write_text(TEXT)
    out = tmp_path / "hud.png"
    res = snapshot(str(src), "--synthetic", "--out", str(out), "--size", "640x360")
    if res.returncode == 2 and "EGL" in res.stderr:
        pytest.skip(f"no headless EGL here: {res.stderr.strip()}")
    assert res.returncode == 0, res.stderr[-2000:]
    img = QImage(str(out))
    assert (img.width(), img.height()) == (640, 360)
    light = [img.pixelColor(x, y).lightness() for x in range(0, 640, 4) for y in range(0, 360, 4)]
    assert max(light) > 200  # crisp text and cluster cores
    assert np.mean(light) < 60  # a dark, calm field
    assert "concepts" in res.stderr and "0 concepts" not in res.stderr


def test_missing_file_is_one_sentence(tmp_path):
    res = snapshot(str(tmp_path / "nope.ogg"), "--out", str(tmp_path / "x.png"))
    assert res.returncode == 2
    assert "does not exist" in res.stderr and "Traceback" not in res.stderr


def test_size_argument():
    assert parse_size("1280x720") == (1280, 720)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size("big")


def test_event_times_follow_audio_and_fill_gaps():
    recs = events_of(
        (Kind.WORD, {"text": "a", "start": 1.0, "end": 1.5}),
        (Kind.CONCEPT, {"id": 1, "text": "a", "emitted_at": 3.0}),
        (Kind.LINK, {"a": 1, "b": 2}),
    )
    assert event_times(recs).tolist() == [1.5, 3.0, 3.0]


def test_recurring_words_stand_in_for_concepts():
    recs = recurring_concepts(monologue_words(TEXT))
    texts = {r["text"].decode() for r in recs if r["kind"] == Kind.CONCEPT}
    assert {"garden", "memory", "attention"} <= texts
    assert (recs["kind"] == Kind.LINK).any()


def test_late_concepts_are_timed_near_their_first_mention():
    recs = events_of(
        (Kind.WORD, {"text": "garden", "start": 1.0, "end": 1.4}),
        (Kind.CONCEPT, {"id": 1, "text": "garden", "start": 1.0, "emitted_at": 55.0}),
        (Kind.CONCEPT, {"id": 2, "text": "soon", "start": 50.0, "emitted_at": 51.0}),
    )
    assert event_times(recs).tolist() == [1.4, 3.0, 51.0]
