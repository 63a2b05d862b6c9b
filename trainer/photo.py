"""How a photo becomes a model input, in training and on the page alike: the Python reference
of web/photo.js, step for step (tests/test_page.py holds the two to one grey level)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from trainer.preprocess import area_weights


@dataclass(frozen=True)
class PhotoRecipe:
    """How a photo becomes a model input, in training and on the page alike: turned upright by its
    EXIF orientation, transparent parts on white, colour profiles ignored; then the centre square
    (whole pixels; an odd pixel left over is cut from the right or bottom) area-averaged to
    `size`, rounded half up to RGB uint8."""

    size: int  # side of the model input

    def to_json(self) -> dict:
        return {"kind": "photo-centre-crop", **asdict(self)}


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
