"""How a drawing or a photo becomes a model input: the recipes the page runs, and the Python
reference of each.

A drawing reaches the model as pen strokes, rendered straight at the model's scale
(`trainer/pad.py`, `web/strokes.js`); scanned images (MNIST-like bitmaps, ETL, KMNIST, semeion)
are normalised the same way from their pixels by `canvas_to_input`: the ink's box scaled to `box`
pixels, centred by its mass. Photos: `photo_to_input`, which web/preprocess.js implements step for
step. The export writes the recipe into the model's metadata; tests hold page and Python to within
one grey level.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps


@dataclass(frozen=True)
class Recipe:
    """How a drawing becomes a model input, as MNIST itself was made: the ink's longer side
    scaled to `box` pixels, its centre of mass at the centre of a `size` x `size` field.

    Strokes are rendered at that scale with a pen `pen` x `box` pixels wide, whatever the size
    they were drawn at, `oversample` times finer and area-averaged down."""

    size: int = 28  # side of the model input
    box: int = 20  # the ink's longer side is scaled to this many pixels
    ink_threshold: int = 10  # ink above this (0..255) counts towards a scanned image's box
    invert: bool = True  # a scan with dark ink on white; models see bright ink on black
    # MNIST's strokes are 2-3 px thick in its 20 px box; ETL's kanji need a finer pen.
    pen: float = 0.12  # pen width, as a fraction of the character's box
    oversample: int = 4  # strokes are rendered this many times finer, then area-averaged
    max_strokes: int = 12  # more strokes than this for one character is a scribble, not a guess

    def to_json(self) -> dict:
        return {"kind": RECIPE_KIND, **asdict(self)}

    @classmethod
    def from_json(cls, recipe: dict) -> Recipe:
        """The recipe `to_json` wrote (in run.json or metadata.json)."""
        return cls(**{field.name: recipe[field.name] for field in fields(cls)})


RECIPE_KIND = "strokes-box-com"  # metadata.json's name for `Recipe`, which web/strokes.js knows


@dataclass(frozen=True)
class PhotoRecipe:
    """How a photo becomes a model input, in training and on the page alike: turned upright by its
    EXIF orientation, transparent parts on white, colour profiles ignored; then the centre square
    (whole pixels; an odd pixel left over is cut from the right or bottom) area-averaged to
    `size`, rounded half up to RGB uint8."""

    size: int  # side of the model input

    def to_json(self) -> dict:
        return {"kind": "photo-centre-crop", **asdict(self)}


def canvas_to_input(gray: np.ndarray, recipe: Recipe = Recipe()) -> np.ndarray | None:
    """A scanned character's grey pixels (H, W) in 0..255 -> a (size, size) float image, or None
    when blank.

    Crop to the ink's bounding box, scale the longer side to `box` by area averaging, and place the
    result so that its centre of mass sits at the centre of the `size` x `size` field.
    """
    ink = gray.astype(np.float64)
    if recipe.invert:
        ink = 255.0 - ink
    mask = ink > recipe.ink_threshold
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    height, width = crop.shape
    scale = recipe.box / max(height, width)
    new_height = max(1, round_half_up(height * scale))
    new_width = max(1, round_half_up(width * scale))
    small = area_weights(new_height, height) @ crop @ area_weights(new_width, width).T

    total = small.sum()
    centre_row = (small.sum(axis=1) @ (np.arange(new_height) + 0.5)) / total
    centre_col = (small.sum(axis=0) @ (np.arange(new_width) + 0.5)) / total
    top = _clamp(round_half_up(recipe.size / 2 - centre_row), 0, recipe.size - new_height)
    left = _clamp(round_half_up(recipe.size / 2 - centre_col), 0, recipe.size - new_width)

    field = np.zeros((recipe.size, recipe.size))
    field[top : top + new_height, left : left + new_width] = small
    return field


def images_to_inputs(images: np.ndarray, recipe: Recipe) -> np.ndarray:
    """`canvas_to_input` on each of (N, H, W) images, rounded to uint8; blank images stay black.

    This is how training images that are not yet MNIST-style (ETL, KMNIST) become what the page
    makes of a drawing; pass a recipe with invert=False for images whose ink is already bright.
    """
    inputs = np.zeros((len(images), recipe.size, recipe.size), np.uint8)
    for i, image in enumerate(images):
        field = canvas_to_input(image, recipe)
        if field is not None:
            inputs[i] = np.rint(field)
    return inputs


def photo_pixels(path: Path) -> np.ndarray:
    """A photo file as (H, W, 3) uint8 RGB, upright, as the page's createImageBitmap reads it.

    Raises what Pillow raises for a file it cannot decode (OSError, ValueError, ...)."""
    with Image.open(path) as opened:
        ImageOps.exif_transpose(opened, in_place=True)
        image: Image.Image = opened
        if image.mode in ("I", "I;16", "I;16B", "I;16L"):  # 16-bit grey: browsers keep 8 bits
            image = Image.fromarray((np.asarray(image, np.uint32) >> 8).astype(np.uint8))
        if "A" in image.getbands() or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))


def photo_to_input(rgb: np.ndarray, recipe: PhotoRecipe) -> np.ndarray:
    """RGB pixels (H, W, 3) -> (size, size, 3) uint8: the centre square, area-averaged."""
    height, width = rgb.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = rgb[top : top + side, left : left + side]
    weights = area_weights(recipe.size, side)
    small = _average_rows(weights, _average_rows(weights, square).transpose(1, 0, 2))
    return np.floor(small.transpose(1, 0, 2) + 0.5).astype(np.uint8)


def _average_rows(weights: np.ndarray, image: np.ndarray) -> np.ndarray:
    """`weights @ image` over the first axis, reading only the rows each output row covers: a
    phone photo is thousands of rows, each output row a few dozen of them."""
    out = np.empty((len(weights), *image.shape[1:]))
    for i, row in enumerate(weights):
        covered = np.flatnonzero(row)
        first, last = covered[0], covered[-1] + 1
        out[i] = np.tensordot(row[first:last], image[first:last], axes=1)
    return out


# Cached because building the matrix in Python took 3/4 of the time of canvas_to_input, which runs
# once per training image for ETL; the matrices are read-only so that callers cannot change them.
@lru_cache(maxsize=4096)
def area_weights(target: int, source: int) -> np.ndarray:
    """Matrix (target, source) whose rows average the source pixels each target pixel covers."""
    step = source / target
    weights = np.zeros((target, source))
    for i in range(target):
        start, end = i * step, (i + 1) * step
        for j in range(math.floor(start), min(source, math.ceil(end))):
            weights[i, j] = (min(end, j + 1) - max(start, j)) / step
    weights.flags.writeable = False
    return weights


def round_half_up(value: float) -> int:
    """JavaScript's Math.round, so that Python and the page agree on ties."""
    return math.floor(value + 0.5)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
