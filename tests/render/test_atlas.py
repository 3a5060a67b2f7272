"""The Qt glyph atlas (no GL): crisp sizes at DPR 1 and 2, halo channel, odd text."""

from __future__ import annotations

import numpy as np
import pytest

from fhud_app.render.atlas import GlyphAtlas


@pytest.fixture
def atlas(qapp) -> GlyphAtlas:
    return GlyphAtlas(1.0)


def test_layout_has_one_quad_per_visible_glyph(atlas):
    q = atlas.layout("word", "a b")
    assert q.shape == (2, 8)
    assert (q[:, 2] > 0).all() and (q[:, 3] > 0).all()
    assert q[1, 0] > q[0, 0]  # the pen advances
    assert atlas.measure("word", "a b") > 0


def test_dpr_2_doubles_the_texels_not_the_layout(qapp):
    one, two = GlyphAtlas(1.0), GlyphAtlas(2.0)
    w1, w2 = one.measure("label", "concept"), two.measure("label", "concept")
    assert abs(w1 - w2) / w1 < 0.1  # logical widths agree
    q1, q2 = one.layout("label", "M"), two.layout("label", "M")
    texels1 = (q1[0, 6] - q1[0, 4]) * one.image.shape[1]
    texels2 = (q2[0, 6] - q2[0, 4]) * two.image.shape[1]
    assert texels2 == pytest.approx(2 * texels1, rel=0.25)
    # a quad is exactly its texels / dpr: drawn 1:1, never resampled
    assert q2[0, 2] * 2.0 == pytest.approx(texels2, abs=0.01)


def test_coverage_and_halo_channels(atlas):
    q = atlas.layout("word", "W")[0]
    side = atlas.image.shape[0]
    x0, y0, x1, y1 = (int(round(v * side)) for v in q[4:8])
    cell = atlas.image[y0:y1, x0:x1]
    assert cell[..., 0].max() > 200
    halo_only = (cell[..., 1] > 0) & (cell[..., 0] == 0)
    assert halo_only.any()  # the halo reaches beyond the glyph


def test_odd_text_never_crashes(atlas):
    for text in ["", " ", "日本語", "🚀✨", "Ωμέγα", "مرحبا", "x" * 300, "\u200d"]:
        q = atlas.layout("word", text)
        assert q.ndim == 2 and q.shape[1] == 8 and np.isfinite(q).all()


def test_full_atlas_starts_over(qapp):
    small = GlyphAtlas(1.0, size=64)
    gen = small.generation
    q = small.layout("word", "abcdefghijklmnopqrstuvwxyz")
    assert small.generation > gen
    assert np.isfinite(q).all() and (q[:, 4:8] <= 1.0).all()
