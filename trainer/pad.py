"""The page's drawing pad in Python: pen strokes -> the pixels web/pad.js would show.

A square pad, white, with black strokes as web/pad.js draws them while the pen moves: a pen
`stroke_fraction` of the pad wide, round caps and joins, quadratic curves through the midpoints
between points, a dot where the pen goes down. Matplotlib's Agg rasteriser anti-aliases as
Chromium's canvas does: on real pen digits the two pads differ by a tenth of a grey level on
average, the model inputs by at most a few (tests/test_sources.py). The character is placed the
way a person draws on the page: centred, its longer side spanning `fill` of the pad.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from trainer.preprocess import Recipe, canvas_to_input

Point = tuple[float, float]
Stroke = list[Point]

# The pad's side in pixels: #pad's largest CSS width (web/style.css) on a screen of pixel ratio 1.
PAD_SIDE = 480
# How much of the pad a character spans when drawn: a comfortable size, well above the page's
# smallest (MIN_EXTENT in web/app.js). Real pen digits read better the larger they are drawn
# (README, evaluation), so this is a setting of the replay, not a fact of the data.
PAD_FILL = 0.7
_POINTS_PER_INCH = 72  # Agg's line widths are in points: at 72 dpi a point is a pixel


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


class Pad:
    """One reusable square canvas; `draw` returns its grey pixels, ink dark on white."""

    def __init__(self, stroke_fraction: float, side: int = PAD_SIDE) -> None:
        self.side = side
        self.line_width = side * stroke_fraction
        self.renderer = RendererAgg(side, side, _POINTS_PER_INCH)
        # Pad fractions, y down -> Agg's pixels, whose y axis points up.
        self.to_pixels = Affine2D().scale(side, -side).translate(0, side)

    def draw(self, strokes: list[Stroke]) -> np.ndarray:
        """(side, side) uint8 grey pixels of `strokes` (pad fractions, y down)."""
        self.renderer.clear()  # transparent: the ink's coverage is the alpha channel
        pen, fill = self._pen(self.line_width), self._pen(0)  # lines; dots, filled, no outline
        for stroke in strokes:
            for piece in live_pieces(stroke):
                if len(piece) == 1:  # canvases skip zero-length lines: pad.js draws a dot
                    dot = Path.circle(piece[0], self.line_width / 2 / self.side)
                    self.renderer.draw_path(fill, dot, self.to_pixels, (0, 0, 0, 1))
                else:
                    self.renderer.draw_path(pen, smooth_path(piece), self.to_pixels)
        pen.restore()
        fill.restore()
        coverage = np.asarray(self.renderer.buffer_rgba())[..., 3]
        return 255 - coverage  # black on white, as the page reads the pad

    def _pen(self, width: float):
        gc = self.renderer.new_gc()
        gc.set_linewidth(width)
        gc.set_capstyle("round")
        gc.set_joinstyle("round")
        gc.set_foreground((0, 0, 0, 1))
        gc.set_antialiased(True)
        return gc


def live_pieces(stroke: Stroke) -> list[Stroke]:
    """What pad.js draws while the pen moves, and so what the page reads: a dot where the pen
    goes down, then for each new point the stroke's last three points (#drawTail), each piece
    smoothed on its own. (A redraw after undo or a resize draws each stroke as one path instead;
    the two differ by a grey level or two along the curves.)"""
    return [stroke[:1]] + [stroke[max(0, end - 3) : end] for end in range(2, len(stroke) + 1)]


def smooth_path(stroke: Stroke) -> Path:
    """pad.js's drawStroke: moveTo the first point, a quadratic curve with each inner point as
    its control to the midpoint after it, lineTo the last point."""
    vertices: list[Point] = [stroke[0]]
    codes = [Path.MOVETO]
    for (x, y), (nx, ny) in zip(stroke[1:-1], stroke[2:], strict=False):
        vertices += [(x, y), ((x + nx) / 2, (y + ny) / 2)]
        codes += [Path.CURVE3, Path.CURVE3]
    vertices.append(stroke[-1])
    codes.append(Path.LINETO)
    return Path(vertices, codes)


def render_inputs(
    characters: list[list[Stroke]], recipe: Recipe, fill: float = PAD_FILL
) -> np.ndarray:
    """Each character drawn on the pad and turned into a model input as the page does it:
    (N, size, size) uint8, rounded from the page's float pixels."""
    pad = Pad(recipe.stroke_fraction)
    inputs = np.zeros((len(characters), recipe.size, recipe.size), np.uint8)
    for i, strokes in enumerate(characters):
        field = canvas_to_input(pad.draw(fit_to_pad(strokes, fill)), recipe)
        if field is not None:
            inputs[i] = np.rint(field)
    return inputs
