"""Pen strokes in UNIPEN files: UCI pen digits (pendigits-orig.*) and UJI Pen Characters.

    .SEGMENT DIGIT 9431-9432 ? "7"      a character and its label, then its strokes:
    .PEN_DOWN
     267  333                           x y, one point per line
    .PEN_UP

Other keywords (.COMMENT, .DT, .LEXICON ...) are skipped. UNIPEN's y axis points up, as in
pendigits-orig (a 500x500 tablet box); UJI Pen Characters (UJIpenchars-wNN) write screen
coordinates, y down. Each character is drawn on the page's pad and normalised with the recipe
(trainer/strokes.py), so the model sees it as it would see the same strokes drawn on the page.

A folder of such files loads them all; files ending .tes (UCI's test writers) are the test split,
and without one 10% of the characters are held out by a fixed seed. `FOLDER/digits` (or
`FILE/digits`) keeps the digits alone, e.g. UJI's 220 digits among its 1,364 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.dataset import MNIST_RECIPE, DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe
from trainer.sniff import UTF8_BOM
from trainer.strokes import COORDINATE_PROBLEM, Stroke, render_inputs, within_pad_range

DIGITS_ONLY = "digits"  # FOLDER/digits: only the characters whose label is a digit
TEST_SUFFIX = ".tes"
Y_DOWN_FILES = re.compile(r"UJIpenchars")  # UJI Pen Characters: screen coordinates
SEGMENT = re.compile(r'\.SEGMENT\s.*"([^"]+)"\s*$')
POINT = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)(?:\s+-?\d+(?:\.\d+)?)*\s*")
# pendigits names each character's writer in the line after its .SEGMENT: .COMMENT label writer n
WRITER = re.compile(r"\.COMMENT\s+\S+\s+(\d+)\s+\d+\s*$")


@dataclass
class Character:
    label: str
    strokes: list[Stroke]
    line: int  # where its .SEGMENT is, for messages
    writer: str = ""  # pendigits' writer number; other files hold one writer each


def is_unipen_file(path: Path) -> bool:
    """A UNIPEN file starts with a dot keyword (.INCLUDE, .LEXICON, .COMMENT ...)."""
    try:
        with path.open("rb") as file:
            start = file.read(64).removeprefix(UTF8_BOM).lstrip()
    except OSError:
        return False
    return re.match(rb"\.[A-Z_]+\b", start) is not None


def unipen_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and is_unipen_file(p))


def is_stroke_source(path: Path) -> bool:
    """A UNIPEN file, a folder holding some, or either followed by /digits."""
    if path.name == DIGITS_ONLY and not path.exists():
        path = path.parent
    if path.is_file():
        return is_unipen_file(path)
    return path.is_dir() and bool(unipen_files(path))


def load_strokes(path: Path, recipe: Recipe = MNIST_RECIPE) -> Dataset:
    """The characters of one UNIPEN file or a folder of them, drawn and normalised."""
    digits_only = path.name == DIGITS_ONLY and not path.exists()
    where = path.parent if digits_only else path
    files = unipen_files(where) if where.is_dir() else [where]
    characters, is_test, writers = [], [], []
    for file in files:
        read = read_unipen(file)
        characters += read
        is_test += [file.suffix == TEST_SUFFIX] * len(read)
        writers += [f"{file.name} {c.writer}" for c in read]
    if digits_only:
        keep = [i for i, c in enumerate(characters) if c.label.isdigit()]
        if not keep:
            raise DataError(f"{path}: no digits among the characters of {where}")
        characters = [characters[i] for i in keep]
        is_test, writers = [is_test[i] for i in keep], [writers[i] for i in keep]
    labels = sorted({c.label for c in characters})
    y = np.array([labels.index(c.label) for c in characters], dtype=np.int64)
    x = render_inputs([c.strokes for c in characters], recipe)
    source = f"{path} ({len(characters):,} pen characters drawn on the page's pad)"
    return with_test_split(x, y, np.array(is_test), labels, source, recipe, path,
                           writers=np.array(writers))


def read_unipen(path: Path) -> list[Character]:
    """Every labelled character of one file, strokes in y-down units."""
    lines = text_lines(path, "a UNIPEN text file")
    flip = Y_DOWN_FILES.match(path.name) is None
    characters: list[Character] = []
    stroke: Stroke | None = None
    for number, line in enumerate(lines, start=1):
        problem = None
        point = POINT.fullmatch(line)
        if point:
            if stroke is None:
                problem = "a point outside .PEN_DOWN ... .PEN_UP"
            else:
                x, y = float(point.group(1)), float(point.group(2))
                if not within_pad_range(x, y):  # inf, for thousands of digits
                    problem = COORDINATE_PROBLEM
                else:
                    stroke.append((x, -y if flip else y))
        elif line.startswith(".SEGMENT"):
            label = SEGMENT.match(line)
            if label is None:
                problem = '.SEGMENT without a quoted label ("7")'
            elif stroke is not None:
                problem = ".SEGMENT inside a stroke (.PEN_UP missing)"
            else:
                _check_has_strokes(path, characters)
                characters.append(Character(label.group(1), [], number))
        elif (writer := WRITER.match(line)) and characters and not characters[-1].strokes:
            characters[-1].writer = writer.group(1)
        elif line.startswith(".PEN_DOWN"):
            if not characters:
                problem = ".PEN_DOWN before any .SEGMENT: a stroke with no label"
            elif stroke is not None:
                problem = ".PEN_DOWN inside a stroke (.PEN_UP missing)"
            else:
                stroke = []
                characters[-1].strokes.append(stroke)
        elif line.startswith(".PEN_UP"):
            if stroke is None:
                problem = ".PEN_UP without .PEN_DOWN"
            elif not stroke:
                problem = "a stroke without points"
            stroke = None
        elif line.strip() and not line.startswith("."):
            problem = f"not a UNIPEN line ({line.strip()[:40]!r})"
        if problem:
            raise DataError(f"{path}: line {number}: {problem}")
    if stroke is not None:
        raise DataError(f"{path}: ends inside a stroke (.PEN_UP missing)")
    _check_has_strokes(path, characters)
    if not characters:
        raise DataError(f"{path}: no labelled characters (.SEGMENT ... \"label\")")
    return characters


def _check_has_strokes(path: Path, characters: list[Character]) -> None:
    """The last character read has strokes to draw."""
    if characters and not characters[-1].strokes:
        last = characters[-1]
        raise DataError(f"{path}: line {last.line}: character {last.label!r} has no pen strokes")
