"""A gentle force layout for concept clusters (Qt-free, vectorized numpy).

Forces: springs along links, repulsion between clusters, a push apart of any
two overlapping cluster+label boxes, weak gravity toward the field's centre
and a soft boundary.  After integrating, a positional pass resolves what
overlap remains, so labels never pile up even when forces balance.
"""

from __future__ import annotations

import numpy as np

LABEL_GAP = 6.0  # px between a cluster's disc and its label
BOX_PAD = 8.0  # px kept free around every cluster+label box
STICK_SPEED = 4.0  # px/s under which a cluster stops instead of creeping…
STICK_FORCE = 30.0  # …unless a net force of at least this (px/s²) still pushes it


def boxes(pos: np.ndarray, radius: np.ndarray, label: np.ndarray) -> np.ndarray:
    """(n, 4) [x0, y0, x1, y1] covering each disc and the label under it."""
    half_w = np.maximum(radius, label[:, 0] / 2)
    x0 = pos[:, 0] - half_w
    x1 = pos[:, 0] + half_w
    y0 = pos[:, 1] - radius
    y1 = pos[:, 1] + radius + LABEL_GAP + label[:, 1]
    return np.stack([x0, y0, x1, y1], axis=1)


def overlaps(b: np.ndarray, pad: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise x and y overlap depths (positive where boxes overlap), diagonal zeroed."""
    ox = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0]) + pad
    oy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1]) + pad
    np.fill_diagonal(ox, 0.0)
    np.fill_diagonal(oy, 0.0)
    return ox, oy


def _box_push(pos: np.ndarray, b: np.ndarray, pad: float) -> np.ndarray:
    """Per-box displacement that separates overlapping boxes along their shallow axis."""
    ox, oy = overlaps(b, pad)
    hit = (ox > 0) & (oy > 0)
    if not hit.any():
        return np.zeros_like(pos)
    cx = (b[:, 0] + b[:, 2]) / 2
    cy = (b[:, 1] + b[:, 3]) / 2
    dx = cx[:, None] - cx[None, :]
    dy = cy[:, None] - cy[None, :]
    # Break exact ties deterministically (index order).
    tie = np.sign(np.arange(len(pos))[:, None] - np.arange(len(pos))[None, :]).astype(float)
    sx = np.where(dx != 0, np.sign(dx), tie)
    sy = np.where(dy != 0, np.sign(dy), tie)
    use_x = ox < oy
    push = np.zeros((len(pos), len(pos), 2))
    push[..., 0] = np.where(hit & use_x, sx * ox * 0.5, 0.0)
    push[..., 1] = np.where(hit & ~use_x, sy * oy * 0.5, 0.0)
    return push.sum(axis=1)


def step(
    pos: np.ndarray,
    vel: np.ndarray,
    radius: np.ndarray,
    label: np.ndarray,
    links: np.ndarray,
    field: tuple[float, float, float, float],
    dt: float,
) -> float:
    """Advance ``pos``/``vel`` in place by ``dt`` seconds; returns the largest speed (px/s).

    ``links`` is (m, 3): index a, index b, strength, in the rows of ``pos``.
    ``field`` is the rectangle (x0, y0, x1, y1) the boxes must stay inside.
    """
    n = len(pos)
    if n == 0:
        return 0.0
    dt = float(min(max(dt, 0.0), 0.1))
    force = _repulsion(pos, radius) + _springs(pos, links) + _gravity(pos, field)
    b = boxes(pos, radius, label)
    force += _box_push(pos, b, BOX_PAD) * 6.0
    force += _boundary(b, field) * 8.0
    vel += force * dt
    vel *= np.exp(-5.0 * dt)  # viscous damping: calm, never oscillating
    speed = np.linalg.norm(vel, axis=1)
    fast = speed > 120.0
    vel[fast] *= (120.0 / speed[fast])[:, None]
    # static friction: a slow cluster under a weak net force stays still (no creeping)
    vel[(speed < STICK_SPEED) & (np.linalg.norm(force, axis=1) < STICK_FORCE)] = 0.0
    before = pos.copy()
    pos += vel * dt
    for _ in range(2):  # positional correction: what the forces left overlapping
        b = boxes(pos, radius, label)
        pos += _box_push(pos, b, BOX_PAD) * 0.5
        pos += _boundary(b, field) * 0.5
    if dt > 0:  # the velocity is what actually happened (corrections absorb momentum)
        vel[:] = (pos - before) / dt
    return float(np.linalg.norm(vel, axis=1).max())


def _repulsion(pos: np.ndarray, radius: np.ndarray) -> np.ndarray:
    d = pos[:, None, :] - pos[None, :, :]
    dist2 = (d**2).sum(-1) + 1.0
    reach = (radius[:, None] + radius[None, :] + 140.0) ** 2
    mag = np.minimum(reach / dist2, 4.0) * 18.0
    np.fill_diagonal(mag, 0.0)
    return (d / np.sqrt(dist2)[..., None] * mag[..., None]).sum(axis=1)


def _springs(pos: np.ndarray, links: np.ndarray) -> np.ndarray:
    f = np.zeros_like(pos)
    if len(links) == 0:
        return f
    a = links[:, 0].astype(int)
    b = links[:, 1].astype(int)
    s = np.clip(links[:, 2], 0.0, 1.0)
    d = pos[b] - pos[a]
    dist = np.linalg.norm(d, axis=1) + 1e-6
    rest = 200.0 + 100.0 * (1.0 - s)
    mag = (dist - rest) * (0.4 + 1.2 * s)
    fv = d / dist[:, None] * mag[:, None]
    np.add.at(f, a, fv)
    np.add.at(f, b, -fv)
    return f


def _gravity(pos: np.ndarray, field: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = field
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return (centre - pos) * np.array([0.035, 0.07])  # wide fields: spread sideways


def _boundary(b: np.ndarray, field: tuple[float, float, float, float]) -> np.ndarray:
    """Displacement bringing each box back inside ``field`` (centred if it cannot fit)."""
    x0, y0, x1, y1 = field
    out = np.zeros((len(b), 2))
    too_wide = (b[:, 2] - b[:, 0]) > (x1 - x0)
    out[:, 0] = np.where(b[:, 0] < x0, x0 - b[:, 0], 0.0) + np.where(b[:, 2] > x1, x1 - b[:, 2], 0.0)
    out[too_wide, 0] = ((x0 + x1) - (b[too_wide, 0] + b[too_wide, 2])) / 2
    too_tall = (b[:, 3] - b[:, 1]) > (y1 - y0)
    out[:, 1] = np.where(b[:, 1] < y0, y0 - b[:, 1], 0.0) + np.where(b[:, 3] > y1, y1 - b[:, 3], 0.0)
    out[too_tall, 1] = ((y0 + y1) - (b[too_tall, 1] + b[too_tall, 3])) / 2
    return out
