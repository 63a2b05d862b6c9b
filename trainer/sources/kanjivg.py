"""KanjiVG: one SVG a character, its strokes as `<path d=...>` in stroke order.

    kanji/05b57.svg           字: the file's name is the character's code point (5 hex digits)
    kanji/05b57-Kaisho.svg    another shape of 字 (a variant form): more references of the label

Each path's `d` (any of SVG's path commands: M, L, H, V, C, S, Q, T, A, Z and their relative
forms) is sampled into points every SAMPLE_STEP units of the 109-unit box. Given the KanjiVG
folder (or its kanji/ folder, or one .svg file), the references of the chosen characters
(trainer/sources/japanese.py) are drawn by the synthetic writer (trainer/synthetic.py) and
rendered with the page's recipe: `synthetic` drawings a character for training, a tenth as many
from other seeds for test.
"""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from svg.path import Move, parse_path

from trainer.dataset import DataError, Dataset, checked
from trainer.preprocess import Recipe
from trainer.sniff import Kind, sniff
from trainer.sources.japanese import (
    groups_for,
    japanese_characters,
    labels_of,
    model_label,
    selection,
)
from trainer.strokes import COORDINATE_PROBLEM, render_inputs, within_pad_range
from trainer.synthetic import draw, rng_for

SAMPLE_STEP = 3.0  # units of the 109-unit box between sampled points (about 1.4 px at 64 px)
FILE_NAME = re.compile(r"([0-9a-f]{5})(?:-[A-Za-z0-9]+)?\.svg")
PATH_COMMANDS = set("MmZzLlHhVvCcSsQqTtAa")
NOT_NUMBER = re.compile(r"[^\d\s,.eE+-]")
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
TRAIN_WRITER, TEST_WRITER = 0, 1  # the synthetic writer's seeds for the two splits
TEST_SHARE = 10  # one test drawing for every this many training drawings, one at least
CREDIT: dict[str, str | None] = {
    "attribution": "KanjiVG (https://kanjivg.tagaini.net), copyright Ulrich Apel, CC BY-SA 3.0",
    "licence": "CC BY-SA 3.0",  # what is built from KanjiVG's drawings is shared alike
}

Reference = list[np.ndarray]  # a character's strokes, (N, 2) points each, y down


def kanjivg_files(path: Path) -> list[Path]:
    """The KanjiVG SVG files at `path`: the folder's kanji/, the folder itself, or one file."""
    if path.is_file():
        return [path] if path.suffix == ".svg" else []
    folder = path / "kanji" if (path / "kanji").is_dir() else path
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if FILE_NAME.fullmatch(p.name))


def is_kanjivg(path: Path) -> bool:
    return bool(kanjivg_files(selection(path)[0]))


def load_kanjivg(path: Path, recipe: Recipe, synthetic: int) -> Dataset:
    """The chosen characters' references, each drawn `synthetic` times for training."""
    labels, references = read_references(path)
    tests = max(1, synthetic // TEST_SHARE)
    x_train, y_train = drawn(references, labels, synthetic, TRAIN_WRITER, recipe)
    x_test, y_test = drawn(references, labels, tests, TEST_WRITER, recipe)
    shapes = sum(len(references[label]) for label in labels)
    source = (f"{path} ({len(labels):,} characters, {shapes:,} KanjiVG shapes, {synthetic} "
              "synthetic drawings a character)")
    return checked(Dataset(x_train, y_train, x_test, y_test, labels, source, recipe=recipe,
                           candidate_groups=groups_for(labels), one_character=True,
                           credits=[CREDIT]), path)


def read_references(path: Path) -> tuple[list[str], dict[str, list[Reference]]]:
    """(the model's labels, each label's shapes) for the characters `path` chooses; a candidate
    group's shapes are its label's (っ is a shape of つ)."""
    where, chosen = selection(path)
    wanted = set(chosen or japanese_characters())
    references: dict[str, list[Reference]] = {}
    for file in kanjivg_files(where):
        name = FILE_NAME.fullmatch(file.name)
        if name is None:  # one file given by path, not named as KanjiVG names them
            raise DataError(f"{file}: not a KanjiVG file name (5 hex digits, as 04e00.svg)")
        char = chr(int(name.group(1), 16))
        if char in wanted:
            references.setdefault(model_label(char), []).append(read_kanjivg(file))
    labels = [label for label in labels_of(chosen or japanese_characters())
              if label in references]
    if not labels:
        raise DataError(f"{path}: no KanjiVG drawing of the chosen characters")
    return labels, references


def drawn(
    references: dict[str, list[Reference]], labels: list[str], count: int, writer: int,
    recipe: Recipe,
) -> tuple[np.ndarray, np.ndarray]:
    """`count` drawings of each label by the synthetic writer `writer`, its shapes in turn, drawn
    and rendered on every core: each drawing has its own seed, so how they are shared out
    changes nothing."""
    jobs = [(references[label], label, count, writer, recipe) for label in labels]
    workers = min(os.cpu_count() or 1, len(jobs))
    with ProcessPoolExecutor(workers) as pool:
        images = list(pool.map(_drawn_label, jobs, chunksize=max(1, len(jobs) // (8 * workers))))
    return np.concatenate(images), np.repeat(np.arange(len(labels), dtype=np.int64), count)


def _drawn_label(job: tuple[list[Reference], str, int, int, Recipe]) -> np.ndarray:
    shapes, label, count, writer, recipe = job
    return render_inputs([draw(shapes[number % len(shapes)], rng_for(writer, label, number))
                          for number in range(count)], recipe)


def read_kanjivg(path: Path) -> Reference:
    """One SVG file's strokes, in the order its paths come."""
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError, ValueError) as error:
        found = sniff(path)
        reason = (str(error).split(":")[0] if found.kind in (Kind.TEXT, Kind.EMPTY)
                  else found.description)
        raise DataError(f"{path}: not a KanjiVG SVG file ({reason})") from None
    if root.tag != f"{SVG_NAMESPACE}svg":
        raise DataError(f"{path}: not a KanjiVG SVG file (its root is <{root.tag}>, not <svg>)")
    strokes = [sampled(element.get("d", ""), path, number)
               for number, element in enumerate(root.iter(f"{SVG_NAMESPACE}path"), start=1)]
    if not strokes:
        raise DataError(f"{path}: no strokes (no <path> elements)")
    return strokes


def sampled(d: str, path: Path, number: int) -> np.ndarray:
    """One path's points, every SAMPLE_STEP units along each of its segments."""
    where = f"{path}: stroke {number}"
    unknown = sorted({char for char in NOT_NUMBER.findall(d) if char not in PATH_COMMANDS})
    if unknown:
        raise DataError(f"{where}: unknown path command {unknown[0]!r}")
    try:
        segments = [segment for segment in parse_path(d) if not isinstance(segment, Move)]
        points = [segments[0].start] if segments else []
        for segment in segments:
            count = max(1, math.ceil(segment.length(error=1e-3) / SAMPLE_STEP))
            points += [segment.point(t) for t in np.arange(1, count + 1) / count]
    except (ValueError, IndexError, TypeError, ZeroDivisionError) as error:
        raise DataError(f"{where}: not an SVG path ({error or type(error).__name__})") from None
    if not points:
        raise DataError(f"{where}: an empty path")
    xy = np.array([(p.real, p.imag) for p in points])
    if not within_pad_range(*xy.ravel()):
        raise DataError(f"{where}: {COORDINATE_PROBLEM}")
    return xy
