"""Drawings in Quick, Draw!'s ndjson format, as the page's "Teach it your handwriting" saves them.

One JSON object per line; the label is `word`, the strokes are `drawing`, each stroke its x and y
coordinates (y down, any units) and, in Quick, Draw!'s raw files, the times of its points:

    {"word": "7", "countrycode": "GB", "timestamp": "...", "recognized": true, "key_id": "...",
     "drawing": [[[x0, x1, ...], [y0, y1, ...]], [[x0, ...], [y0, ...], [t0, ...]], ...]}

Other keys are ignored. Each drawing is rendered from its points exactly as the page renders one
(trainer/strokes.py), so the model trains on what the page would feed it; 10% are held out for test
by a fixed seed. Labels are the words, sorted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trainer.dataset import MNIST_RECIPE, DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe
from trainer.strokes import (
    COORDINATE_PROBLEM,
    LARGEST_DRAWING,
    Stroke,
    render_inputs,
    within_pad_range,
)

SUFFIX = ".ndjson"


@dataclass
class Drawing:
    label: str
    strokes: list[Stroke]


def is_ndjson(path: Path) -> bool:
    return path.suffix == SUFFIX and path.is_file()


def load_ndjson(path: Path, recipe: Recipe = MNIST_RECIPE) -> Dataset:
    """Every drawing of one ndjson file, rendered and normalised with `recipe`."""
    drawings = read_ndjson(path)
    labels = sorted({d.label for d in drawings})
    y = np.array([labels.index(d.label) for d in drawings], dtype=np.int64)
    x = render_inputs([d.strokes for d in drawings], recipe)
    source = f"{path} ({len(drawings):,} drawings rendered as the page renders them)"
    return with_test_split(x, y, np.zeros(len(y), bool), labels, source, recipe, path)


def read_ndjson(path: Path) -> list[Drawing]:
    """Every drawing of the file; a line that is not one is named with its number."""
    drawings = []
    for number, line in enumerate(text_lines(path, "ndjson", encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            drawings.append(parse_drawing(line))
        except ValueError as problem:
            raise DataError(f"{path}: line {number}: {problem}") from None
    if not drawings:
        raise DataError(f"{path}: no drawings (one JSON object per line, with \"word\" and "
                        "\"drawing\")")
    return drawings


def parse_drawing(line: str) -> Drawing:
    """One line -> its label and strokes; ValueError saying what is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg}, column {error.colno})") from None
    except (ValueError, RecursionError):  # an integer of thousands of digits; deep nesting
        raise ValueError("not a drawing (a number thousands of digits long, or lists nested "
                         "thousands deep)") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    label = record.get("word")
    if not isinstance(label, str) or not label:
        raise ValueError('no "word" (the label, a non-empty string)')
    drawing = record.get("drawing")
    if not isinstance(drawing, list):
        raise ValueError('no "drawing" (a list of strokes, each [xs, ys] or [xs, ys, times])')
    if not drawing:
        raise ValueError(f"drawing {label!r} has no strokes")
    strokes = [stroke_points(stroke, k) for k, stroke in enumerate(drawing, 1)]
    points = sum(map(len, strokes))
    if points > LARGEST_DRAWING:
        raise ValueError(f"drawing {label!r} has {points:,} points (more than "
                         f"{LARGEST_DRAWING:,}, which no one draws)")
    return Drawing(label, strokes)


def stroke_points(stroke: Any, number: int) -> Stroke:
    """[xs, ys] or [xs, ys, times] -> the stroke's points; the times are only checked."""
    if not isinstance(stroke, list) or len(stroke) not in (2, 3):
        raise ValueError(f"stroke {number} is not [xs, ys] or [xs, ys, times]")
    if not all(isinstance(values, list) and all(map(_is_number, values)) for values in stroke):
        raise ValueError(f"stroke {number}: coordinates that are not lists of numbers")
    if not within_pad_range(*(value for values in stroke[:2] for value in values)):
        raise ValueError(f"stroke {number}: {COORDINATE_PROBLEM}")
    lengths = [len(values) for values in stroke]
    if len(set(lengths)) != 1:
        shown = ", ".join(map(str, lengths))
        raise ValueError(f"stroke {number}: x, y (and time) lists of different lengths ({shown})")
    if not lengths[0]:
        raise ValueError(f"stroke {number} has no points")
    xs, ys = stroke[0], stroke[1]
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or isinstance(value, float) and math.isfinite(value)
