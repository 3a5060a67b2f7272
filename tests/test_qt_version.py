"""Guard against the PySide6 release that corrupts the refcount of True on Signal.emit."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    value = Signal(float)
e = Emitter()
got = []
e.value.connect(got.append)
before = sys.getrefcount(True)
for _ in range(50_000):
    e.value.emit(1.0)
assert len(got) == 50_000
print(sys.getrefcount(True) - before)
"""


def test_fifty_thousand_signal_emits_leave_true_alone():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert abs(int(out.stdout.strip())) < 100
