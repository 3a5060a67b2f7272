"""The frame pacer: display rate only while something moves, a cap on software
rasterizers, and the view yielding to the models under pressure (Qt-free)."""

from __future__ import annotations

import pytest

from fhud_app.core.config import RenderConfig
from fhud_app.core.events import Kind
from fhud_app.render.pacing import RELAX_S, FramePacer, is_software_renderer
from fhud_app.render.particles import ARRIVE_S, ParticleModel

from .conftest import events

CFG = RenderConfig(fps=60, idle_fps=4, software_fps=30)


@pytest.mark.parametrize("motion", ["word arriving", "word dissolving", "particles in flight", "cluster forming"])
def test_motion_draws_at_the_display_rate(motion):
    pace = FramePacer(CFG).decide(motion, pending=False)
    assert pace.fps == 60 and pace.moving and pace.reason == motion and pace.particles == 1.0


def test_slow_drift_settles_and_an_empty_field_dozes():
    pacer = FramePacer(CFG)
    drift = pacer.decide("slow drift", pending=False)
    assert drift.fps == 4 and not drift.moving and "settle" in drift.reason
    assert pacer.decide("", pending=False).fps == 0.0
    assert pacer.decide("", pending=True).fps == 60  # an event waits in a ring: draw it now


def test_software_rasterizer_is_capped_and_says_so():
    pacer = FramePacer(CFG, software=True)
    pace = pacer.decide("word arriving", pending=False)
    assert pace.fps == 30 and "software rasterizer" in pace.reason
    assert pacer.decide("slow drift", pending=False).fps == 4


@pytest.mark.parametrize(
    ("renderer", "software"),
    [("llvmpipe (LLVM 15.0.6, 256 bits)", True), ("softpipe", True), ("Google SwiftShader", True),
     ("NVIDIA H200/PCIe/SSE2", False), ("Apple M2", False), ("AMD Radeon RX 7900 (radeonsi)", False)],
)
def test_software_renderer_names(renderer, software):
    assert is_software_renderer(renderer) is software


def test_pressure_lowers_the_rate_first_then_the_particles():
    pacer = FramePacer(CFG)
    levels = []
    for backlog in (0.3, 1.3, 2.2, 3.5):
        pacer.set_pressure(backlog, 0, now=0.0)
        levels.append(pacer.decide("word arriving", pending=False))
    assert [p.fps for p in levels] == [60, 20, 18, 18]  # never under 15 while words move (a margin)
    assert [p.particles for p in levels] == [1.0, 1.0, 0.5, 0.25]
    assert "ASR backlog 3.5 s" in levels[-1].reason and "yielding to the models" in levels[-1].reason


def test_a_growing_concept_queue_also_yields():
    pacer = FramePacer(CFG)
    pacer.set_pressure(0.2, 100, now=0.0)
    pace = pacer.decide("particles in flight", pending=False)
    assert pace.fps == 18 and pace.particles == 0.5 and "concept queue 100" in pace.reason


def test_pressure_falls_back_only_after_it_stayed_low():
    pacer = FramePacer(CFG)
    pacer.set_pressure(3.5, 0, now=0.0)
    assert pacer.level == 3
    pacer.set_pressure(0.1, 0, now=1.0)
    pacer.set_pressure(0.1, 0, now=1.0 + RELAX_S * 0.5)
    assert pacer.level == 3  # a moment of calm is not recovery
    t = 1.0
    while pacer.level:
        t += 0.5
        pacer.set_pressure(0.1, 0, now=t)
    assert t >= 1.0 + 3 * RELAX_S  # one level per RELAX_S of calm
    assert pacer.decide("word arriving", pending=False).fps == 60
    pacer.set_pressure(2.5, 0, now=t)  # pressure returns: at once
    assert pacer.level == 2


def test_the_model_names_what_moves(clock):
    model = ParticleModel(RenderConfig(word_life_s=2.0), size=(800, 500))
    model.update(clock())
    assert model.motion() == ""
    model.consume(events((Kind.WORD, {"text": "hello"})))
    assert model.motion() == "word arriving"
    model.update(clock() + ARRIVE_S + 0.1)
    assert model.motion() == "slow drift"  # a word at rest: nothing moves
    assert 1.0 < model.next_motion_in() <= 2.0  # ... until it dissolves
    model.update(clock() + 2.05)
    assert model.motion() == "word dissolving"
    model.update(clock() + 2.0 + 0.75)
    assert model.motion() == "particles in flight"
    model.update(clock() + 30.0)
    assert model.motion() == ""


def test_yielding_spawns_fewer_particles(clock):
    counts = []
    for share in (1.0, 0.25):
        model = ParticleModel(RenderConfig(word_life_s=0.5), size=(800, 500))
        model.particle_share = share
        model.update(clock())
        model.consume(events((Kind.WORD, {"text": "crystallize"})))
        model.update(clock() + 0.6)
        counts.append(model.pool.live)
    assert counts[0] > 0 and counts[1] == pytest.approx(counts[0] * 0.25, abs=1)
