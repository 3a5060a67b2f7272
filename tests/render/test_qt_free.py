"""The particle model stays Qt-free (the import contract in pyproject.toml, checked here too)."""

from __future__ import annotations

import subprocess
import sys


def test_particle_model_imports_no_qt():
    code = (
        "import sys, fhud_app.render.particles, fhud_app.render.synthetic, fhud_app.render.overlay; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
