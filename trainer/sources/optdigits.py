"""UCI optdigits, the original bitmaps (optdigits-orig.*): scanned digits, 32x32 binary.

After a header (key = value lines, or a count line), each digit is 32 lines of 32 '0'/'1'
characters (1 = ink), then a line with its label. The digits are normalised with the recipe (crop
to ink, box, centre of mass) as the page normalises a drawing. A folder loads every
optdigits-orig.* file in it; those ending .tes, .wdep or .windep (UCI's test sets) are the test
split, and without them 10% is held out by a fixed seed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from trainer.dataset import MNIST_RECIPE, DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe, images_to_inputs

FILE_PREFIX = "optdigits-orig"
TEST_SUFFIXES = (".tes", ".wdep", ".windep")
SIDE = 32
DIGIT_LABELS = [str(d) for d in range(10)]
ROW = re.compile(rf"[01]{{{SIDE}}}")
LABEL = re.compile(r"\s*(\d)\s*")
COUNT = re.compile(r"\s*(?:ntot\s*=\s*)?(\d+)\s*")  # "ntot = 1934" or a lone "946"


def is_optdigits(path: Path) -> bool:
    if path.is_dir():
        return bool(optdigits_files(path))
    return path.name.startswith(FILE_PREFIX)


def optdigits_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(f"{FILE_PREFIX}*") if p.is_file())


def load_optdigits(path: Path, recipe: Recipe = MNIST_RECIPE) -> Dataset:
    """One optdigits-orig file, or a folder of them."""
    files = optdigits_files(path) if path.is_dir() else [path]
    images, labels, is_test = [], [], []
    for file in files:
        x, y = read_optdigits(file)
        images.append(x)
        labels.append(y)
        is_test.append(np.full(len(y), file.suffix in TEST_SUFFIXES))
    bright = replace(recipe, invert=False)  # its ink, scaled to 255, is already bright on black
    x = images_to_inputs(np.concatenate(images), bright)
    y = np.concatenate(labels)
    source = f"{path} ({len(y):,} scanned 32x32 digits)"
    return with_test_split(x, y, np.concatenate(is_test), DIGIT_LABELS, source, recipe, path)


def read_optdigits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 32, 32) uint8 images, ink 255 on 0, and their digits."""
    lines = text_lines(path, "an optdigits bitmap file")
    first = next((i for i, line in enumerate(lines) if ROW.fullmatch(line)), None)
    if first is None:
        raise DataError(f"{path}: no 32x32 bitmap of 0 and 1")
    promised = _promised_count(lines[:first])
    body = lines[first:]
    while body and not body[-1].strip():
        body.pop()
    images, labels = [], []
    for start in range(0, len(body), SIDE + 1):
        rows, label = body[start : start + SIDE], body[start + SIDE : start + SIDE + 1]
        line = first + start + 1  # of the digit's first row, counted from 1
        bad = next((i for i, row in enumerate(rows) if not ROW.fullmatch(row)), None)
        if bad is not None or len(rows) < SIDE:
            where = line + (bad if bad is not None else len(rows))
            raise DataError(f"{path}: line {where}: expected a row of {SIDE} '0'/'1' characters")
        if not label or not LABEL.fullmatch(label[0]):
            raise DataError(f"{path}: line {line + SIDE}: expected the digit's label (0-9)")
        images.append([[c == "1" for c in row] for row in rows])
        labels.append(int(label[0]))
    if promised is not None and promised != len(labels):
        raise DataError(f"{path}: the header promises {promised} digits but the file has "
                        f"{len(labels)} (truncated?)")
    return np.array(images, np.uint8) * np.uint8(255), np.array(labels, np.int64)


def _promised_count(header: list[str]) -> int | None:
    """The number of digits the header states (ntot = N, or a lone count line), if it does."""
    for line in header:
        match = COUNT.fullmatch(line)
        if match:
            return int(match.group(1))
    return None
