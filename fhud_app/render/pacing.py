"""How fast the HUD draws, and why (Qt-free).

The view asks :class:`FramePacer` once per frame.  The answer depends on:

- **what moves** (:meth:`ParticleModel.motion`): a word arriving, particles in
  flight or a cluster forming draw at the display rate; the slow drift of
  orbiting particles and breathing clusters settles to a low rate; an empty field
  draws nothing (the view dozes);
- **the rasterizer**: a software one (llvmpipe, no GPU) is capped, because there
  every frame costs CPU the models need;
- **pressure from the models**: when the ASR backlog or the concept worker's
  queue grows, the view gives way first: a lower rate, then fewer particles.  The
  ASR never gives way.  Pressure rises at once and falls only after it has stayed
  low for ``RELAX_S`` (no flicker between levels).
"""

from __future__ import annotations

from dataclasses import dataclass

from fhud_app.core.config import RenderConfig

SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "swiftshader",
                      "microsoft basic render", "lavapipe")
RASTERIZER_THREADS = ("llvmpipe", "softpipe")  # the worker threads Mesa's software drivers start
# (ASR backlog seconds, words waiting for the concept stage) at which each level starts.
PRESSURE_LEVELS = ((1.2, 40), (2.0, 90), (3.0, 160))
# The rate cap per level (None: no cap).  It never goes under MIN_MOVING_FPS, the least a word
# arriving may be drawn at (below it motion stutters): beyond that the view spawns fewer particles.
MIN_MOVING_FPS = 18  # 15 with the timer's slack: a 15 fps cap measured 14.9
PRESSURE_FPS = (None, 20, MIN_MOVING_FPS, MIN_MOVING_FPS)
PRESSURE_PARTICLES = (1.0, 1.0, 0.5, 0.25)  # the share of particles spawned per level
RELAX_S = 3.0  # a level is left only after pressure stayed below it this long


def is_software_renderer(renderer: str) -> bool:
    """True for a CPU rasterizer (Mesa llvmpipe/softpipe, SwiftShader, WARP)."""
    name = renderer.casefold()
    return any(s in name for s in SOFTWARE_RENDERERS)


MOVING = ("word arriving", "word dissolving", "particles in flight", "cluster forming", "new events")


@dataclass(frozen=True)
class Pace:
    fps: float  # 0: draw nothing (doze)
    reason: str  # for the debug overlay
    particles: float = 1.0  # share of particles to spawn (backpressure)

    @property
    def moving(self) -> bool:
        """The display-rate tier: something moves visibly (what fps figures are judged on)."""
        return self.reason.startswith(MOVING)




class FramePacer:
    """Chooses the frame rate from motion, the renderer and the models' pressure."""

    def __init__(self, config: RenderConfig, software: bool = False) -> None:
        self.config = config
        self.software = software
        self.backlog_s = 0.0
        self.concept_queue = 0
        self.level = 0
        self._calm_since: float | None = None
        self.pace = Pace(float(config.fps), "starting")

    @property
    def display_fps(self) -> float:
        fps = float(self.config.fps)
        return min(fps, float(self.config.software_fps)) if self.software else fps

    def set_pressure(self, backlog_s: float, concept_queue: int, now: float) -> None:
        """The ASR's audio backlog and the words waiting for the concept stage, as last seen."""
        self.backlog_s, self.concept_queue = float(backlog_s), int(concept_queue)
        wanted = sum(1 for b, q in PRESSURE_LEVELS if self.backlog_s >= b or self.concept_queue >= q)
        if wanted >= self.level:
            self.level, self._calm_since = wanted, None
        elif self._calm_since is None:
            self._calm_since = now
        elif now - self._calm_since >= RELAX_S:
            self.level, self._calm_since = self.level - 1, now

    def decide(self, motion: str, pending: bool) -> Pace:
        """``motion``: the model's answer ('' = empty field); ``pending``: events wait in a ring."""
        if pending and motion not in MOVING:
            motion = "new events"
        if not motion:
            pace = Pace(0.0, "empty field: dozing")
        elif motion in MOVING:
            capped = self.software and self.config.software_fps < self.config.fps
            cap = f" (software rasterizer: {self.config.software_fps} fps cap)" if capped else ""
            pace = Pace(self.display_fps, motion + cap)
        else:
            pace = Pace(float(min(self.config.idle_fps, self.display_fps)), motion + ": settle rate")
        self.pace = self._yield(pace)
        return self.pace

    def _yield(self, pace: Pace) -> Pace:
        if self.level == 0 or pace.fps == 0.0:
            return pace
        cap = PRESSURE_FPS[self.level]
        why = self.why_pressed()
        fps = pace.fps if cap is None else min(pace.fps, float(cap))
        return Pace(fps, f"{pace.reason}; {why}", PRESSURE_PARTICLES[self.level])

    def why_pressed(self) -> str:
        parts = []
        if self.backlog_s >= PRESSURE_LEVELS[0][0]:
            parts.append(f"ASR backlog {self.backlog_s:.1f} s")
        if self.concept_queue >= PRESSURE_LEVELS[0][1]:
            parts.append(f"concept queue {self.concept_queue}")
        what = ", ".join(parts) or "recovering"
        return f"yielding to the models: {what} (level {self.level})"
