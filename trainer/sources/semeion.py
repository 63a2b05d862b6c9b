"""Semeion handwritten digits (UCI): 1,593 scanned digits, 16x16 binary, one per line.

Each line of semeion.data holds 256 pixel values (0 or 1, row by row, 1 = ink; some copies write
them as 0.0000/1.0000), then the label as a one-hot 10-vector. The digits fill their 16x16 field,
so each is normalised with the recipe (crop to ink, box, centre of mass), as the page normalises a
drawing. Semeion has no test split: 10% is held out by a fixed seed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from trainer.dataset import MNIST_RECIPE, DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe, images_to_inputs

FILE_NAME = "semeion.data"
SIDE = 16
CLASSES = 10
DIGIT_LABELS = [str(d) for d in range(CLASSES)]


def is_semeion(path: Path) -> bool:
    return path.name == FILE_NAME or (path.is_dir() and (path / FILE_NAME).is_file())


def load_semeion(path: Path, recipe: Recipe = MNIST_RECIPE) -> Dataset:
    """semeion.data, or the folder holding it."""
    file = path / FILE_NAME if path.is_dir() else path
    images, y = read_semeion(file)
    bright = replace(recipe, invert=False)  # its ink, scaled to 255, is already bright on black
    x = images_to_inputs(images, bright)
    source = f"{file} ({len(y):,} scanned 16x16 digits)"
    return with_test_split(x, y, np.zeros(len(y), bool), DIGIT_LABELS, source, recipe, file)


def read_semeion(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 16, 16) uint8 images, ink 255 on 0, and their digits."""
    lines = text_lines(path, "Semeion's text format")
    rows = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise DataError(f"{path}: no digits")
    values = np.zeros((len(rows), SIDE * SIDE + CLASSES), np.uint8)
    for i, (number, line) in enumerate(rows):
        values[i] = _parse_line(line, path, number)
    pixels, one_hot = values[:, : SIDE * SIDE], values[:, SIDE * SIDE :]
    bad = np.flatnonzero(one_hot.sum(axis=1) != 1)
    if bad.size:
        raise DataError(f"{path}: line {rows[bad[0]][0]}: the label is not one-hot "
                        f"({' '.join(map(str, one_hot[bad[0]]))})")
    images = pixels.reshape(-1, SIDE, SIDE) * np.uint8(255)
    return images, one_hot.argmax(axis=1).astype(np.int64)


def _parse_line(line: str, path: Path, number: int) -> np.ndarray:
    expected = SIDE * SIDE + CLASSES
    try:
        numbers = np.array(line.split(), dtype=np.float64)
    except ValueError:
        raise DataError(f"{path}: line {number}: not numbers") from None
    if numbers.size != expected:
        raise DataError(f"{path}: line {number}: {numbers.size} values, expected {expected} "
                        f"(256 pixels, then a one-hot label of 10)")
    if not np.isin(numbers, (0, 1)).all():
        raise DataError(f"{path}: line {number}: values other than 0 and 1")
    return numbers.astype(np.uint8)
