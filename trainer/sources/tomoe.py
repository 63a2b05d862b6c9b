"""tomoe_data's .tdic files: one pen sample a character, key points of each stroke.

    あ                                    the character
    :3                                   its number of strokes, then one line a stroke:
    2 (54 58) (249 68)                   the number of points, then (x y) in a 0..320 box, y down
    3 (147 10) (145 201) (182 252)
                                         a blank line ends the character

Given a .tdic file or a folder of them (tomoe's all.tdic and hiragana.tdic, where a character in
both counts once), the chosen characters (trainer/sources/japanese.py; `tomoe/kana`) are drawn on
the page's pad with the page's recipe, as a writer's hand: one drawing a character, none made up.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from trainer.dataset import DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe
from trainer.sources.japanese import (
    groups_for,
    japanese_characters,
    labels_of,
    model_label,
    selection,
)
from trainer.sources.stroke_files import Character
from trainer.strokes import COORDINATE_PROBLEM, Stroke, render_inputs, within_pad_range

SUFFIX = ".tdic"
STROKE_COUNT = re.compile(r":(\d+)")
STROKE = re.compile(r"(\d+)((?:\s*\(\s*-?\d+(?:\.\d+)?\s+-?\d+(?:\.\d+)?\s*\))*)\s*")
POINT = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)")
CREDIT = {
    "attribution": "tomoe_data by Hiroyuki Komatsu (https://github.com/hiroyuki-komatsu/"
                   "tomoe_data), Apache-2.0 or CC BY 4.0",
    "licence": None,  # neither licence asks that what is built from it be shared alike
}


def tdic_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if path.suffix == SUFFIX else []
    return sorted(p for p in path.glob(f"*{SUFFIX}") if p.is_file()) if path.is_dir() else []


def is_tomoe(path: Path) -> bool:
    return bool(tdic_files(selection(path)[0]))


def load_tomoe(path: Path, recipe: Recipe) -> Dataset:
    where, chosen = selection(path)
    wanted = set(chosen or japanese_characters())
    seen: set[tuple] = set()
    characters: list[Character] = []
    for file in tdic_files(where):
        for character in read_tdic(file):
            key = (character.label, tuple(map(tuple, character.strokes)))
            if character.label in wanted and key not in seen:
                seen.add(key)
                characters.append(character)
    present = {model_label(c.label) for c in characters}
    labels = [label for label in labels_of(chosen or japanese_characters()) if label in present]
    if not labels:
        raise DataError(f"{path}: no tomoe drawing of the chosen characters")
    y = np.array([labels.index(model_label(c.label)) for c in characters], np.int64)
    x = render_inputs([c.strokes for c in characters], recipe)
    source = f"{path} ({len(characters):,} tomoe pen characters drawn on the page's pad)"
    dataset = with_test_split(x, y, np.zeros(len(y), bool), labels, source, recipe, path)
    dataset.candidate_groups = groups_for(labels)
    dataset.one_character = True
    dataset.credits = [CREDIT]
    return dataset


def read_tdic(path: Path) -> list[Character]:
    """Every character of one .tdic file."""
    lines = text_lines(path, "a tomoe .tdic file", encoding="utf-8")
    characters: list[Character] = []
    expected = 0  # strokes still to come for the last character
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        problem = None
        if not text:
            if expected:
                problem = f"{expected} stroke(s) of {characters[-1].label!r} missing"
        elif expected:
            stroke, problem = _stroke(text)
            if stroke:
                characters[-1].strokes.append(stroke)
                expected -= 1
        elif characters and not characters[-1].strokes:
            count = STROKE_COUNT.fullmatch(text)
            if count is None or int(count.group(1)) == 0:
                problem = f"expected ':<number of strokes>' after {characters[-1].label!r}"
            else:
                expected = int(count.group(1))
        else:  # a label: one character, or a name such as 旧「ね」 (its old form)
            characters.append(Character(text, [], number))
        if problem:
            raise DataError(f"{path}: line {number}: {problem}")
    if expected or (characters and not characters[-1].strokes):
        raise DataError(f"{path}: ends inside character {characters[-1].label!r}")
    if not characters:
        raise DataError(f"{path}: no characters (not a tomoe .tdic file?)")
    return characters


def _stroke(text: str) -> tuple[Stroke | None, str | None]:
    """A stroke line's points, or what is wrong with it."""
    match = STROKE.fullmatch(text)
    if match is None:
        return None, f"not a stroke line ('<n> (x y) (x y) ...'): {text[:40]!r}"
    points = [(float(x), float(y)) for x, y in POINT.findall(match.group(2))]
    if len(points) != int(match.group(1)) or not points:
        return None, f"a stroke of {len(points)} point(s) that says {match.group(1)}"
    if not within_pad_range(*(v for point in points for v in point)):
        return None, COORDINATE_PROBLEM
    return points, None
