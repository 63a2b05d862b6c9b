"""Pen strokes -> model inputs, as the page renders them (web/strokes.js), step for step.

The page keeps what is drawn as vectors and renders each character straight at the model's
scale: the points' box scaled so that the ink's longer side spans the recipe's `box`, a round pen
`pen` x `box` pixels wide along the straight segments between the points, `oversample` times
finer, area-averaged down, then moved so that its centre of mass sits at the field's centre, as
MNIST was made. A digit drawn small or large, on any screen, becomes the same input. The
rasteriser is the page's own arithmetic (ink from each pixel centre's distance to the nearest
segment), so the two agree to rounding, not to how two graphics libraries anti-alias.
"""

from __future__ import annotations

import math

import numpy as np

from trainer.preprocess import Recipe, round_half_up, rounded_inputs

Point = tuple[float, float]
Stroke = list[Point]
# The largest |x| or |y| a stroke file may hold: a pad or a tablet is some thousands of units
# wide; beyond this a file is damaged or hostile, and the arithmetic of rendering would overflow.
LARGEST_COORDINATE = 1e6
COORDINATE_PROBLEM = f"a coordinate beyond ±{LARGEST_COORDINATE:,.0f}"
# The most points one character may have: Quick, Draw!'s raw drawings have some thousands;
# millions would take minutes to render, for a drawing no one drew.
LARGEST_DRAWING = 100_000

# How much of the pad a character spans when the benchmark replays it on the page: a comfortable
# size, well above the page's smallest (MIN_EXTENT in web/app.js).
PAD_FILL = 0.7


def within_pad_range(*values: float) -> bool:
    """Whether every value is a coordinate a stroke file may hold: finite (NaN is not) and at
    most LARGEST_COORDINATE from 0."""
    return all(abs(value) <= LARGEST_COORDINATE for value in values)


def fit_to_pad(strokes: list[Stroke], fill: float = PAD_FILL) -> list[Stroke]:
    """Strokes in any units with y down -> pad fractions (0..1 from the top left), centred, the
    longer side of their points spanning `fill` of the pad."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0  # a single point: a dot
    scale = fill / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [[(0.5 + (x - cx) * scale, 0.5 + (y - cy) * scale) for x, y in stroke]
            for stroke in strokes]


def strokes_to_input(strokes: list[Stroke], recipe: Recipe) -> np.ndarray | None:
    """Strokes (any units, y down) -> a (size, size) float image of ink 0..255, None if empty."""
    if not any(strokes):
        return None
    k = recipe.oversample
    field = render(strokes, recipe).reshape(recipe.size, k, recipe.size, k).mean(axis=(1, 3))
    return centre_by_mass(field, recipe)


def render(strokes: list[Stroke], recipe: Recipe) -> np.ndarray:
    """Ink 0..255 on the oversampled canvas: for each pixel centre, the pen's radius minus its
    distance to the nearest segment, as a one-pixel ramp."""
    side = recipe.size * recipe.oversample
    (cx, cy), per_unit, pen = placement(strokes, recipe)
    reach = pen / 2 + 0.5  # pixels further than this from a segment get no ink
    ink = np.zeros((side, side))
    for stroke in strokes:
        points = np.array([(side / 2 + (x - cx) * per_unit, side / 2 + (y - cy) * per_unit)
                           for x, y in stroke])
        ends = points[1:] if len(points) > 1 else points  # a single point: a dot
        for (ax, ay), (bx, by) in zip(points, ends, strict=False):
            top, bottom = _reached(ay, by, reach, side)
            left, right = _reached(ax, bx, reach, side)
            py = np.arange(top, bottom + 1)[:, None] + 0.5 - ay
            px = np.arange(left, right + 1)[None, :] + 0.5 - ax
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            t = np.clip((px * dx + py * dy) / length2, 0, 1) if length2 > 0 else np.zeros(1)
            distance = np.sqrt((px - t * dx) ** 2 + (py - t * dy) ** 2)
            window = ink[top : bottom + 1, left : right + 1]
            np.maximum(window, 255 * np.clip(reach - distance, 0, 1), out=window)
    return ink


def placement(strokes: list[Stroke], recipe: Recipe) -> tuple[Point, float, float]:
    """(centre of the points' box, pixels per unit, pen width in pixels) on the oversampled
    canvas: the points scaled so that the ink, pen included, spans `box` along its longer side."""
    xs = [x for stroke in strokes for x, _ in stroke]
    ys = [y for stroke in strokes for _, y in stroke]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    pen = recipe.pen * recipe.box
    per_unit = (recipe.box - pen) / span * recipe.oversample if span > 0 else 0.0
    centre = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    # A span too small to divide by (1e-320) is a dot, as web/strokes.js draws it
    return centre, per_unit if math.isfinite(per_unit) else 0.0, pen * recipe.oversample


def centre_by_mass(field: np.ndarray, recipe: Recipe) -> np.ndarray:
    """`field` moved by whole pixels so that its centre of mass is at the centre, by no more than
    keeps the ink's box (centred, `box` wide) inside."""
    size = recipe.size
    total = field.sum()
    centre_row = (field.sum(axis=1) @ (np.arange(size) + 0.5)) / total
    centre_col = (field.sum(axis=0) @ (np.arange(size) + 0.5)) / total
    slack = (size - recipe.box) // 2
    down = max(-slack, min(slack, round_half_up(size / 2 - centre_row)))
    right = max(-slack, min(slack, round_half_up(size / 2 - centre_col)))
    moved = np.zeros_like(field)
    moved[max(down, 0) : size + min(down, 0), max(right, 0) : size + min(right, 0)] = field[
        max(-down, 0) : size - max(down, 0), max(-right, 0) : size - max(right, 0)
    ]
    return moved


def _reached(a: float, b: float, reach: float, side: int) -> tuple[int, int]:
    """First and last pixel rows (or columns) within `reach` of a segment from a to b."""
    return max(0, math.floor(min(a, b) - reach)), min(side - 1, math.ceil(max(a, b) + reach))


def render_inputs(characters: list[list[Stroke]], recipe: Recipe) -> np.ndarray:
    """Each character (strokes in any units, y down) as the page makes it into a model input:
    (N, size, size) uint8, rounded from the page's float pixels."""
    return rounded_inputs(characters, strokes_to_input, recipe)
