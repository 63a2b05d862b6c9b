"""A synthetic writer: varied drawings of a reference character, the way hands and pens vary.

Each stroke is moved, turned, scaled and bent a little on its own (a smooth bend along its
length, not pixel noise), its ends shortened or hooked; neighbouring strokes are sometimes joined
as fast writers join them, and the order and direction of strokes change now and then; then the
whole character is slanted, squeezed, turned and warped by a smooth low-frequency field, and
written at a random size and place on the pad. The result is pen strokes in pad fractions (0..1
from the top left), which the page's recipe (trainer/strokes.py) draws, so training sees what the
page sees.

Every drawing comes from a generator seeded by (seed, the character's code point, the drawing's
number): the same seed draws the same character the same way, whatever else is drawn.
"""

from __future__ import annotations

import math

import numpy as np

from trainer.strokes import Stroke

# Each figure is a fraction of the character's size (its points' longer side) or of a stroke's
# length, or radians; chosen by eye in the preview (python -m trainer preview-synthetic).
STEP = 0.03  # strokes are resampled this finely before they are bent
STROKE_TURN = 0.07
STROKE_SCALE = 0.08
STROKE_SHIFT = 0.025
BEND = 0.05  # the first harmonic's amplitude, of the stroke's length; the second is half
SHORTEN = (0.06, 0.08)  # at most this much of a stroke's start and end left undrawn
HOOK = 0.15  # chance of a hook at a stroke's end
HOOK_LENGTH = (0.03, 0.08)
JOIN = 0.12  # chance that a stroke runs on into the next, when its end is near the next's start
JOIN_REACH = 0.35
SWAP = 0.15  # chance that two neighbouring strokes are written in the other order
REVERSE = 0.05  # chance that a stroke is written from its other end
SLANT = 0.12  # x moves by up to about this much of y
SQUEEZE = 0.1  # log of the width-to-height change
TURN = 0.05
WARP = 0.02
FILL = (0.4, 0.9)  # the character's longer side, of the pad's


def rng_for(seed: int, char: str, number: int) -> np.random.Generator:
    """The generator of one drawing: drawing `number` of `char` by writer `seed`."""
    return np.random.default_rng([seed, ord(char), number])


def draw(reference: list[np.ndarray], rng: np.random.Generator) -> list[Stroke]:
    """One drawing of a reference character (strokes as (N, 2) arrays, any units, y down), as
    strokes in pad fractions."""
    points = np.concatenate(reference)
    size = float(np.ptp(points, axis=0).max()) or 1.0
    strokes = [_resampled(np.asarray(s, float), STEP * size) for s in reference]
    strokes = [_varied_stroke(s, size, rng) for s in strokes]
    strokes = _joined(_reordered(strokes, rng), size, rng)
    strokes = _whole_character(strokes, size, rng)
    return _on_pad(strokes, rng)


def _resampled(stroke: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` or closer along the stroke, its corners kept."""
    if len(stroke) < 2:
        return stroke
    pieces = [stroke[:1]]
    for a, b in zip(stroke[:-1], stroke[1:], strict=True):
        count = max(1, math.ceil(np.hypot(*(b - a)) / step))
        t = np.arange(1, count + 1)[:, None] / count
        pieces.append(a + (b - a) * t)
    return np.concatenate(pieces)


def _arc_fractions(stroke: np.ndarray) -> tuple[np.ndarray, float]:
    steps = np.hypot(*np.diff(stroke, axis=0).T)
    length = float(steps.sum())
    along = np.concatenate([[0.0], np.cumsum(steps)])
    return (along / length if length > 0 else np.zeros(len(stroke))), length


def _varied_stroke(stroke: np.ndarray, size: float, rng: np.random.Generator) -> np.ndarray:
    if len(stroke) < 2:
        return stroke + rng.normal(0, STROKE_SHIFT * size, 2)
    t, length = _arc_fractions(stroke)
    stroke = _trimmed(stroke, t, rng.uniform(0, SHORTEN[0]), 1 - rng.uniform(0, SHORTEN[1]))
    t, length = _arc_fractions(stroke)
    tangent = np.gradient(stroke, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    bend = length * (rng.normal(0, BEND) * np.sin(math.pi * t)
                     + rng.normal(0, BEND / 2) * np.sin(2 * math.pi * t))
    stroke = stroke + normal * bend[:, None]
    centre = stroke.mean(axis=0)
    turn = rng.normal(0, STROKE_TURN)
    scale = math.exp(rng.normal(0, STROKE_SCALE))
    moved = centre + (stroke - centre) @ (_rotation(turn).T * scale)
    moved += rng.normal(0, STROKE_SHIFT * size, 2)
    if rng.random() < HOOK:
        moved = _hooked(moved, size, rng)
    return moved


def _trimmed(stroke: np.ndarray, t: np.ndarray, start: float, end: float) -> np.ndarray:
    """The part of the stroke between arc fractions `start` and `end`."""
    inside = (t > start) & (t < end)
    first = [np.interp(start, t, stroke[:, k]) for k in (0, 1)]
    last = [np.interp(end, t, stroke[:, k]) for k in (0, 1)]
    return np.concatenate([[first], stroke[inside], [last]])


def _hooked(stroke: np.ndarray, size: float, rng: np.random.Generator) -> np.ndarray:
    """The stroke with a short flick at its end, turned back from its last direction."""
    direction = stroke[-1] - stroke[max(0, len(stroke) - 4)]
    norm = np.hypot(*direction)
    if norm == 0:
        return stroke
    turn = rng.choice([-1, 1]) * rng.uniform(math.radians(100), math.radians(150))
    flick = _rotation(turn) @ (direction / norm) * rng.uniform(*HOOK_LENGTH) * size
    return np.concatenate([stroke, stroke[-1:] + flick * np.array([[0.5], [1.0]])])


def _reordered(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    strokes = [s[::-1] if rng.random() < REVERSE else s for s in strokes]
    if len(strokes) > 1 and rng.random() < SWAP:
        i = int(rng.integers(len(strokes) - 1))
        strokes[i], strokes[i + 1] = strokes[i + 1], strokes[i]
    return strokes


def _joined(strokes: list[np.ndarray], size: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Neighbouring strokes run together now and then, where one ends near the next's start."""
    joined = [strokes[0]]
    for stroke in strokes[1:]:
        near = np.hypot(*(stroke[0] - joined[-1][-1])) < JOIN_REACH * size
        if near and rng.random() < JOIN:
            joined[-1] = np.concatenate([joined[-1], stroke])
        else:
            joined.append(stroke)
    return joined


def _whole_character(
    strokes: list[np.ndarray], size: float, rng: np.random.Generator
) -> list[np.ndarray]:
    """Slanted, squeezed, turned and smoothly warped, all strokes alike."""
    squeeze = math.exp(rng.normal(0, SQUEEZE))
    shape = np.array([[squeeze, rng.normal(0, SLANT)], [0, 1 / squeeze]])
    matrix = _rotation(rng.normal(0, TURN)) @ shape
    centre = np.concatenate(strokes).mean(axis=0)
    frequency = rng.uniform(0.5, 1.5, (2, 2)) * 2 * math.pi / size
    phase = rng.uniform(0, 2 * math.pi, 2)
    amplitude = rng.normal(0, WARP * size, 2)

    def moved(stroke: np.ndarray) -> np.ndarray:
        local = (stroke - centre) @ matrix.T
        wave = np.sin(local @ frequency.T + phase) * amplitude
        return centre + local + wave

    return [moved(stroke) for stroke in strokes]


def _on_pad(strokes: list[np.ndarray], rng: np.random.Generator) -> list[Stroke]:
    """The character at a random size and place, wholly on the pad (0..1)."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    span = float((high - low).max()) or 1.0
    fill = rng.uniform(*FILL)
    extent = (high - low) / span * fill
    corner = rng.uniform(0, 1, 2) * (1 - extent)
    return [[(float(x), float(y)) for x, y in corner + (stroke - low) / span * fill]
            for stroke in strokes]


def _rotation(angle: float) -> np.ndarray:
    cos, sin = math.cos(angle), math.sin(angle)
    return np.array([[cos, -sin], [sin, cos]])
