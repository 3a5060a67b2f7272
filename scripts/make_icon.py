"""Generate the app icon: ``resources/icon.svg`` and ``resources/icon.png`` (256 px).

A dark rounded square holding a glowing cluster of concept particles joined by
soft filaments.  Deterministic: run it again and the files are identical.
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

RES = Path(__file__).resolve().parents[1] / "resources"
NODES = [(128, 118, 30), (78, 82, 14), (182, 86, 16), (92, 178, 12), (176, 172, 13), (130, 52, 9)]


def _filaments() -> list[str]:
    cx, cy, _ = NODES[0]
    out = []
    for x, y, _r in NODES[1:]:
        mx, my = (cx + x) / 2 + (y - cy) * 0.15, (cy + y) / 2 - (x - cx) * 0.15
        out.append(
            f'<path d="M{cx},{cy} Q{mx:.1f},{my:.1f} {x},{y}" stroke="#7fd8ff" '
            'stroke-opacity="0.45" stroke-width="3" fill="none"/>'
        )
    return out


def _dust() -> list[str]:
    out = []
    for i in range(28):
        a = i * 2.39996  # golden angle: an even, calm scatter
        r = 20 + 86 * math.sqrt((i + 0.5) / 28)
        x, y = 128 + r * math.cos(a), 124 + r * math.sin(a)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="#bfeaff" fill-opacity="0.55"/>')
    return out


def svg() -> str:
    nodes = [
        f'<circle cx="{x}" cy="{y}" r="{r * 2}" fill="url(#glow)"/><circle cx="{x}" cy="{y}" '
        f'r="{r * 0.45:.1f}" fill="#ffffff"/>'
        for x, y, r in NODES
    ]
    body = "\n  ".join(_filaments() + _dust() + nodes)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <radialGradient id="bg" cx="50%" cy="45%" r="70%">
      <stop offset="0" stop-color="#1b2a44"/><stop offset="1" stop-color="#070b14"/>
    </radialGradient>
    <radialGradient id="glow">
      <stop offset="0" stop-color="#e8f8ff" stop-opacity="0.95"/>
      <stop offset="0.35" stop-color="#7fd8ff" stop-opacity="0.5"/>
      <stop offset="1" stop-color="#3a7bff" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>
  {body}
</svg>
"""


def main() -> int:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    text = svg()
    (RES / "icon.svg").write_text(text, encoding="utf-8")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(256, 256, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(QByteArray(text.encode())).render(painter)
    painter.end()
    image.save(str(RES / "icon.png"))
    del app
    print(RES / "icon.svg", RES / "icon.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
