"""kill -9 during a session: how many seconds of words the session file loses.

:func:`child_main` is a real fHUD process in miniature: the app's own
:class:`~fhud_app.hud.session_pump.SessionPump` and
:class:`~fhud_app.store.session.SessionRecorder` on a Qt event loop, fed by a words ring
that a timer fills with a spoken-pace stream of words (``WORDS_PER_S``).  Each word is
printed (``seq monotonic``) the moment it enters the ring.  :func:`kill_trial` starts it,
sends SIGKILL after ``after_s`` seconds and compares what the child had said with what
reached the file: the loss is how long before the kill the oldest missing word was made.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_S = 3.0
TEXT = ("the garden keeps coming back because soil and water and patience make a place "
        "where ideas grow slowly into something we can name").split()  # fmt: skip


def child_main(folder: str) -> int:
    from PySide6.QtCore import QCoreApplication, QTimer

    from fhud_app.core.events import EVENT_DTYPE, Kind, make_event
    from fhud_app.core.ring import Ring
    from fhud_app.hud.session_pump import SessionPump
    from fhud_app.store.session import SessionRecorder

    app = QCoreApplication([])

    class Feed:  # what SessionPump.attach reads of a pipeline
        words = Ring(4096, EVENT_DTYPE)
        concepts = Ring(256, EVENT_DTYPE)
        session = SessionRecorder(Path(folder), source="kill-test")

    pump = SessionPump()
    pump.attach(Feed)
    t0 = time.monotonic()
    seq = [0]

    def say() -> None:
        i = seq[0]
        t = time.monotonic() - t0
        Feed.words.write(make_event(Kind.WORD, text=f"{TEXT[i % len(TEXT)]}{i}", start=t - 0.3, end=t,
                                    value=0.9, emitted_at=t))  # fmt: skip
        if i % 10 == 9:
            Feed.concepts.write(make_event(Kind.CONCEPT, id=1 + i % 3, text=TEXT[i % 3 + 1], value=1.0,
                                           count=i // 10, start=0.5, emitted_at=t))  # fmt: skip
        sys.stdout.write(f"{i} {time.monotonic():.6f}\n")
        sys.stdout.flush()
        seq[0] += 1

    QTimer(app, interval=round(1000 / WORDS_PER_S), timeout=say).start()
    sys.stdout.write(f"ready {Feed.session.path}\n")
    sys.stdout.flush()
    return app.exec()


@dataclass
class KillResult:
    path: Path
    said: int  # words the child made
    kept: int  # of them, in the file
    loss_s: float  # kill time − time the oldest missing word was made (0: none missing)
    prefix: bool  # the file holds exactly the first `kept` words, in order


def kill_trial(folder: Path, after_s: float, env: dict[str, str] | None = None) -> KillResult:
    cmd = [sys.executable, "-c", f"from fhud_app.bench.kill_session import child_main; child_main({str(folder)!r})"]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env or os.environ.copy())
    assert child.stdout is not None
    first = child.stdout.readline().split()
    if not first or first[0] != "ready":
        child.kill()
        child.wait()
        child.stdout.close()
        raise RuntimeError(f"the session child did not start: {first}")
    path = Path(first[1])
    made: dict[int, float] = {}
    deadline = time.monotonic() + after_s
    while time.monotonic() < deadline:
        line = child.stdout.readline().split()
        if len(line) == 2:
            made[int(line[0])] = float(line[1])
    os.kill(child.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    for line in child.stdout:  # words said before the kill, still in the pipe
        parts = line.split()
        if len(parts) == 2:
            made[int(parts[0])] = float(parts[1])
    child.wait()
    child.stdout.close()
    on_disk = _words_in(path)
    expected = [f"{TEXT[i % len(TEXT)]}{i}" for i in sorted(made)]
    kept = len(on_disk)
    missing = [i for i in sorted(made)[kept:]]
    loss = killed_at - made[missing[0]] if missing else 0.0
    return KillResult(path, len(made), kept, loss, on_disk == expected[:kept])


def _words_in(path: Path) -> list[str]:
    out = []
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return out
    for line in raw.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a torn last line
        if obj.get("type") == "word":
            out.append(obj["text"])
    return out
