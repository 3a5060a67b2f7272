"""The Qt-free particle model: pool, words, concepts, layout, absurd input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fhud_app.core.config import RenderConfig
from fhud_app.core.events import EVENT_DTYPE, Kind, make_event
from fhud_app.render import layout
from fhud_app.render.caption import clean_text, normalize
from fhud_app.render.particles import DRAFT_RGBA, ParticleModel
from fhud_app.render.pool import ParticlePool

from .conftest import events


def run(model: ParticleModel, seconds: float, fps: float = 30.0) -> None:
    for _ in range(int(seconds * fps)):
        model.update(model.now + 1.0 / fps)


def test_pool_reuses_freed_slots_and_never_grows():
    pool = ParticlePool(100)
    a = pool.allocate(60)
    assert len(set(a.tolist())) == 60 and pool.live == 60
    pool.write(a, np.ones((60, 8), np.float32), np.full(60, 1.0))
    assert pool.reclaim(now=2.0) == 60 and pool.live == 0
    b = pool.allocate(100)
    assert sorted(b.tolist()) == list(range(100))
    pool.write(b, np.ones((100, 8), np.float32), np.arange(100, dtype=float) + 10)
    c = pool.allocate(5)  # full: the five oldest are recycled
    assert sorted(c.tolist()) == [0, 1, 2, 3, 4] and pool.recycled == 5
    assert pool.data.shape == (100, 8) and pool.capacity == 100


def test_dirty_ranges_cover_only_written_slots():
    pool = ParticlePool(1000)
    pool.take_dirty()
    pool.write(np.arange(10, 20), np.zeros((10, 8), np.float32), np.ones(10))
    pool.write(np.array([500]), np.zeros((1, 8), np.float32), np.ones(1))
    assert pool.take_dirty() == [(10, 20), (500, 501)]
    assert pool.take_dirty() == []
    scattered = np.arange(0, 1000, 50)
    pool.touch(scattered)
    assert pool.take_dirty() == [(0, 951)]  # many runs: one covering upload


def test_word_dissolves_into_particles_that_target_its_concept():
    model = ParticleModel(RenderConfig(word_life_s=1.0), size=(800, 500))
    model.consume(events(
        (Kind.CONCEPT, {"id": 5, "text": "Neural Networks", "value": 2.0}),
        (Kind.CONCEPT, {"id": 6, "text": "weather", "value": 9.0}),
        (Kind.WORD, {"text": "network"}),
    ))
    assert [w.text for w in model.caption.words] == ["network"]
    bursts = set(model.pool.live_slots().tolist())  # each new concept's first mention
    run(model, 1.2)
    live = np.array([s for s in model.pool.live_slots() if s not in bursts])
    assert live.size >= 8
    slot = model.concepts.by_id[5].slot
    assert np.all(model.pool.data[live, 2] == slot)
    word_y = model.caption.baseline(0)
    assert np.all(model.pool.data[live, 1] <= word_y + 1)  # spawned where the word was


def test_late_concept_collects_recent_unmatched_words():
    model = ParticleModel(RenderConfig(word_life_s=0.5), size=(800, 500))
    model.consume(events((Kind.WORD, {"text": "gradients"})))
    run(model, 0.8)
    live = model.pool.live_slots()
    assert np.all(model.pool.data[live, 2] == -1)
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "gradient descent", "value": 1.0})))
    slot = model.concepts.by_id[1].slot
    assert np.all(model.pool.data[live, 2] == slot)


def test_matching_is_case_insensitive_with_light_plurals():
    assert normalize("Networks,") == normalize("network")
    assert normalize("Studies") == normalize("study")
    assert normalize("boxes") == normalize("box")
    assert normalize("glass") == "glass"


def test_no_growth_over_a_long_flooding_stream():
    cfg = RenderConfig(max_particles=3000, max_words=20)
    model = ParticleModel(cfg, size=(900, 500))
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "flood", "value": 1.0})))
    words = np.concatenate([make_event(Kind.WORD, text=f"flood{i % 7}") for i in range(200)])
    for _ in range(600):  # 20 simulated seconds at 30 fps, 6000 words per second
        model.consume(words)
        model.update(model.now + 1 / 30)
        assert model.pool.live <= cfg.max_particles
        assert len(model.caption.words) <= cfg.max_words * 2
    assert model.pool.data.shape == (3000, 8)
    assert model.words_dropped > 0 and model.pool.recycled > 0


def test_absurd_words_and_weights_are_sanitized():
    model = ParticleModel(size=(800, 500))
    model.consume(events(
        (Kind.WORD, {"text": ""}),
        (Kind.WORD, {"text": "   "}),
        (Kind.WORD, {"text": "x" * 500}),
        (Kind.WORD, {"text": "日本語"}),
        (Kind.WORD, {"text": "🚀✨"}),
        (Kind.WORD, {"text": "a\x00b\nc"}),
        (Kind.CONCEPT, {"id": 1, "text": "nan weight", "value": math.nan}),
        (Kind.CONCEPT, {"id": 2, "text": "inf weight", "value": math.inf}),
        (Kind.CONCEPT, {"id": 3, "text": "", "value": 1.0}),
        (Kind.LINK, {"a": 1, "b": 2, "value": math.nan}),
        (Kind.LINK, {"a": 1, "b": 999, "value": 1.0}),
    ))
    texts = [w.text for w in model.caption.words]
    assert texts[0].endswith("…") and len(texts[0]) <= 28
    assert "日本語" in texts and "🚀✨" in texts and "" not in texts
    assert "a b c" in texts or "abc" in texts or "ab c" in texts
    run(model, 6.0)
    geo, col = model.concepts.uniforms(model.now)
    assert np.isfinite(geo).all() and np.isfinite(col).all()
    assert 3 not in model.concepts.by_id  # a concept with no text is ignored
    assert np.isfinite(model.pool.data).all()


def test_consume_rejects_foreign_dtypes_and_accepts_empty():
    model = ParticleModel()
    model.consume(np.zeros(0, dtype=EVENT_DTYPE))
    with pytest.raises(TypeError):
        model.consume(np.zeros(3, dtype=np.float32))


def test_retired_concept_fades_frees_its_slot_and_its_particles():
    model = ParticleModel(RenderConfig(word_life_s=0.5), size=(800, 500))
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "topic", "value": 1.0}), (Kind.WORD, {"text": "topic"})))
    run(model, 2.0)
    slot = model.concepts.by_id[1].slot
    assert model.concepts.alpha[slot] > 0.9
    model.consume(events((Kind.RETIRE, {"id": 1})))
    run(model, 0.5)
    assert 0.0 < model.concepts.alpha[slot] < 0.9  # fading, not gone
    run(model, 4.0)
    assert 1 not in model.concepts.by_id and model.concepts.slots[slot] is None
    assert not ((model.pool.data[:, 2] == slot) & (model.pool.expires > model.now)).any()


def test_concept_slots_are_capped():
    model = ParticleModel(size=(800, 500), max_concepts=8)
    for i in range(40):
        model.consume(events((Kind.CONCEPT, {"id": i, "text": f"idea {i}", "value": float(i)})))
    assert len(model.concepts.by_id) == 8
    assert 39 in model.concepts.by_id  # the heaviest, newest stay


def test_layout_separates_labels_and_stays_inside_the_field():
    model = ParticleModel(size=(1000, 600))
    names = ["alpha beta", "gamma", "delta epsilon", "zeta", "eta theta iota", "kappa", "lambda mu", "nu"]
    model.consume(events(*[(Kind.CONCEPT, {"id": i, "text": n, "value": 1.0 + i % 3}) for i, n in enumerate(names)]))
    model.consume(events(*[(Kind.LINK, {"a": i, "b": (i + 1) % 8, "value": 0.9}) for i in range(8)]))
    run(model, 40.0, fps=20)
    cs = model.concepts
    idx = np.array([c.slot for c in cs.active()])
    label = np.stack([[cs.slots[s].label_w for s in idx], np.full(idx.size, cs.label_px * 1.3)], 1)
    b = layout.boxes(cs.pos[idx], cs.radius[idx], label)
    ox, oy = layout.overlaps(b)
    assert not ((ox > 0.5) & (oy > 0.5)).any(), "two cluster+label boxes overlap"
    x0, y0, x1, y1 = model.field()
    assert (b[:, 0] >= x0 - 1).all() and (b[:, 2] <= x1 + 1).all()
    assert (b[:, 1] >= y0 - 1).all() and (b[:, 3] <= y1 + 1).all()
    assert not model.animating  # it settles: the view can drop to the idle frame rate


def test_caption_wraps_and_older_lines_move_up():
    model = ParticleModel(RenderConfig(word_life_s=30.0), size=(400, 300))
    for i in range(12):
        model.consume(events((Kind.WORD, {"text": f"word{i}"})))
        run(model, 0.1)
    lines = {w.line for w in model.caption.words}
    assert 0 in lines and 1 in lines
    top = min(w.y for w in model.caption.words)
    assert top < model.caption.baseline(0) - 10
    assert all(w.x + w.width <= 400 for w in model.caption.words)


def test_clean_text():
    assert clean_text("") == ""
    assert clean_text("a" * 100, 10) == "a" * 9 + "…"
    assert clean_text("tab\there") == "tab here"


def test_overlay_lines_name_every_figure():
    from fhud_app.core.events import EVENT_DTYPE as DT
    from fhud_app.core.ring import Ring
    from fhud_app.render.overlay import FrameStats, overlay_lines

    stats = FrameStats()
    for i in range(10):
        stats.add(1.5, i / 60)
    ring = Ring(100, DT)
    ring.write(np.zeros(150, DT))
    reader = ring.reader(from_start=True)
    reader.read_into(np.zeros(10, DT))
    text = "\n".join(overlay_lines(stats, ParticleModel(), [reader],
                                   {"rtf": 0.1, "latency_p50": 0.8, "concept_latency_s": 2.0, "rss_mb": 300}))
    assert "fps  60.0" in text and "1.50 ms" in text
    assert "particles 0/20000" in text and "drops 50" in text
    assert "asr rtf 0.10" in text and "word latency 0.80 s" in text and "concept latency 2.00 s" in text
    assert "rss 300 MB" in text


def test_draft_tail_shows_after_the_words_then_goes_stale():
    model = ParticleModel(size=(800, 500))
    model.consume(events((Kind.WORD, {"text": "final"}), (Kind.DRAFT, {"text": "maybe this"})))
    run(model, 0.5)
    items = {i.text: i for i in model.text_items()}
    assert items["maybe this"].x > items["final"].x and items["maybe this"].rgba[3] < 1.0
    model.consume(events((Kind.WORD, {"text": "maybe"})))  # a final word replaces the draft
    assert "maybe this" not in {i.text for i in model.text_items()}
    model.consume(events((Kind.DRAFT, {"text": "stale"})))
    run(model, 8.0)
    assert "stale" not in {i.text for i in model.text_items()}
    assert not model.animating


def test_draft_never_runs_past_the_right_edge():
    model = ParticleModel(size=(400, 300))
    model.consume(events((Kind.WORD, {"text": "a fairly long line"}),
                         (Kind.DRAFT, {"text": "and a draft that is far too long to fit"})))
    run(model, 0.2)
    draft = [i for i in model.text_items() if i.rgba == DRAFT_RGBA]
    assert draft and draft[0].text.startswith("…") and draft[0].text.endswith("fit")
    shown = draft[0].text[1:].split()  # whole words: no fragment of a cut word
    assert set(shown) <= set("and a draft that is far too long to fit".split())
    assert draft[0].x + model.measure("word", draft[0].text) <= 400 - model.caption.margin + 0.5


def test_late_binding_with_several_pending_words():
    model = ParticleModel(RenderConfig(word_life_s=0.3), size=(800, 500))
    for text in ("garden", "gardens", "water", "soil"):
        model.consume(events((Kind.WORD, {"text": text})))
        run(model, 0.1)
    run(model, 0.5)
    model.consume(events((Kind.CONCEPT, {"id": 3, "text": "garden", "value": 1.0, "count": 0})))
    slot = model.concepts.by_id[3].slot
    targets = model.pool.data[model.pool.live_slots(), 2]
    assert (targets == slot).sum() >= 2 * 12 and (targets == -1).any()
    assert len(model._pending) == 2  # "water" and "soil" still wait for their concept


def test_new_mentions_rise_into_the_cluster():
    model = ParticleModel(size=(800, 500))
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "memory", "value": 1.0, "count": 2})))
    first = model.pool.live
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "memory", "value": 2.0, "count": 3})))
    model.consume(events((Kind.CONCEPT, {"id": 1, "text": "memory", "value": 2.0, "count": 3})))
    assert first == 20 and model.pool.live == 30  # a repeated count adds nothing
    assert (model.pool.data[model.pool.live_slots(), 1] > model.caption.top).all()  # from the caption


def test_only_as_many_concepts_as_the_field_holds_are_shown():
    model = ParticleModel(size=(720, 420))
    model.consume(events(*[(Kind.CONCEPT, {"id": i, "text": f"topic number {i}", "value": float(i)})
                           for i in range(40)]))
    model.consume(events(*[(Kind.LINK, {"a": i, "b": (i + 1) % 40, "value": 0.5}) for i in range(40)]))
    run(model, 30.0, fps=20)
    shown = model.concepts.on_screen()
    assert 4 <= len(shown) < 16
    assert {c.id for c in shown} == set(range(40 - len(shown), 40))  # the heaviest
    labels = [i for i in model.text_items() if i.role == "label"]
    assert len(labels) == len(shown)
    assert len(model.concepts.link_instances()) <= 1.5 * len(shown)
    cs = model.concepts
    idx = np.array([c.slot for c in shown])
    label = np.stack([[cs.slots[s].label_w for s in idx], np.full(idx.size, cs.label_px * 1.3)], 1)
    ox, oy = layout.overlaps(layout.boxes(cs.pos[idx], cs.radius[idx], label))
    assert not ((ox > 0.5) & (oy > 0.5)).any()


def test_empty_means_nothing_on_screen():
    model = ParticleModel(size=(800, 500))
    run(model, 0.5)
    assert model.empty
    model.consume(events((Kind.WORD, {"text": "fleeting"})))
    run(model, 1.0)
    assert not model.empty
    run(model, 15.0)  # the word dissolved and its particles died out
    assert model.empty
    model.consume(events((Kind.CONCEPT, {"id": 3, "text": "kept", "value": 1.0})))
    run(model, 60.0)
    assert not model.empty  # a cluster stays on screen (it breathes) until retired
    model.consume(events((Kind.RETIRE, {"id": 3})))
    run(model, 60.0)
    assert model.empty
