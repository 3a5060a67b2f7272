"""The picture of a session's concept field: ``fhud sessions picture ID --out PNG``.

The same rendering path as ``fhud snapshot`` (a ParticleModel replayed on a simulated clock,
drawn headless by :class:`~fhud_app.render.headless.OffscreenHud`), fed from the session file
instead of audio.  A long session is told in brief: its heaviest concepts (and their links)
arrive over at most :data:`CONCEPTS_S` seconds in the order they were first said, then its
last words, so the frame is the field as the session ended without replaying hours.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from fhud_app.core.events import EVENT_DTYPE, Kind, make_event
from fhud_app.store.session_file import SessionData

CONCEPTS_S = 20.0
MAX_CONCEPTS = 40
LAST_WORDS = 40


def session_events(data: SessionData, max_concepts: int = MAX_CONCEPTS) -> np.ndarray:
    """Ring records that rebuild ``data``'s concept field, then show its last words."""
    chosen = sorted(data.top_concepts(max_concepts), key=lambda c: c.first_seen)
    span = max(data.duration, 1e-6)
    recs: list[np.ndarray] = []
    ids: dict[str, int] = {}
    for i, c in enumerate(chosen):
        ids[c.key] = i + 1
        t = 0.5 + CONCEPTS_S * min(1.0, c.first_seen / span)
        recs.append(make_event(Kind.CONCEPT, id=i + 1, text=c.text, value=c.weight or 1.0, count=c.mentions,
                               start=t, emitted_at=t))  # fmt: skip
        for (a, b), strength in data.links.items():
            other = b if a == c.key else a if b == c.key else None
            if other is not None and other in ids and other != c.key:
                recs.append(make_event(Kind.LINK, a=ids[a], b=ids[b], value=strength, emitted_at=t))
    words = data.words[-LAST_WORDS:]
    if words:
        shift = CONCEPTS_S + 1.0 - words[0].start
        for w in words:
            recs.append(make_event(Kind.WORD, text=w.text, start=w.start + shift, end=w.end + shift,
                                   value=w.confidence, emitted_at=w.end + shift))  # fmt: skip
    return np.concatenate(recs) if recs else np.zeros(0, EVENT_DTYPE)


def render_picture(data: SessionData, out: Path, size: tuple[int, int] = (960, 540)) -> Path:
    """Draw the field as the session ended into ``out`` (PNG, over the dark desktop backdrop)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fhud_app.commands.snapshot import event_times, replay, write_png
    from fhud_app.core.config import Config
    from fhud_app.render.headless import OffscreenHud, ensure_gui_app
    from fhud_app.render.particles import ParticleModel

    ensure_gui_app()
    recs = session_events(data)
    until = float(np.nanmax(event_times(recs))) + 1.5 if len(recs) else 1.0
    model = ParticleModel(Config().render, size=(float(size[0]), float(size[1])))
    hud = OffscreenHud(model, size)
    try:
        replay(model, recs, until)
        hud.render()
        write_png(hud.read_rgba(), Path(out), transparent=False)
    finally:
        hud.release()
    return Path(out)
