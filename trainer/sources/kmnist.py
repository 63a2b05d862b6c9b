"""Kuzushiji-MNIST (KMNIST, CODH): 28x28 cursive hiragana in the files the project publishes.

kmnist-{train,test}-{imgs,labels}.npz (each array under the key arr_0) and kmnist_classmap.csv
(index, codepoint, char). KMNIST's characters fill the whole 28x28 field, where MNIST's digits and
the page's drawings fill a 20 px box centred by mass; so each image is normalised with the MNIST
recipe when loaded (10,000 images take half a second), or the model would meet drawn characters
a third smaller than any it was trained on.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from trainer.dataset import (
    MNIST_RECIPE,
    SPLIT_SEED,
    DataError,
    Dataset,
    from_arrays,
    holdout,
    text_lines,
)
from trainer.images import read
from trainer.preprocess import images_to_inputs
from trainer.sniff import Kind, sniff
from trainer.sources.npz import check_size

CLASS_MAP = "kmnist_classmap.csv"
TEST_IMAGES = "kmnist-test-imgs.npz"


def is_kmnist(folder: Path) -> bool:
    return (folder / CLASS_MAP).is_file() or (folder / TEST_IMAGES).is_file()


def load_kmnist(folder: Path) -> Dataset:
    """KMNIST's train and test sets; without the train images, its 10,000 test images split
    9,000/1,000 by a fixed seed."""
    labels = read_class_map(folder / CLASS_MAP)
    x_test = _read_array(folder / TEST_IMAGES)
    y_test = _read_array(folder / "kmnist-test-labels.npz")
    if (folder / "kmnist-train-imgs.npz").is_file():
        x_train = _read_array(folder / "kmnist-train-imgs.npz")
        y_train = _read_array(folder / "kmnist-train-labels.npz")
        source = str(folder)
    else:
        x, y = x_test, y_test
        if len(x) != len(y):
            raise DataError(f"{folder / TEST_IMAGES}: {len(x)} images but {len(y)} labels")
        train, test = holdout(len(x))
        x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
        source = (
            f"{folder} (train images absent: the {len(x):,} test images split "
            f"{len(train):,}/{len(test):,} by seed {SPLIT_SEED})"
        )
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    dataset = from_arrays(arrays, labels, source, folder)
    if dataset.image_shape != (MNIST_RECIPE.size,) * 2:
        raise DataError(f"{folder}: images are {dataset.image_shape}, KMNIST's are 28x28")
    inked = replace(MNIST_RECIPE, invert=False)  # KMNIST's ink is already bright on black
    return replace(
        dataset,
        x_train=images_to_inputs(read(dataset.x_train), inked),
        x_test=images_to_inputs(read(dataset.x_test), inked),
    )


def read_class_map(path: Path) -> list[str]:
    """The characters of kmnist_classmap.csv, in index order."""
    lines = text_lines(path, "KMNIST's class map (a CSV file)", encoding="utf-8")
    try:
        rows = list(csv.DictReader(lines))
    except csv.Error as error:
        raise DataError(f"{path}: cannot read ({error})") from None
    try:
        indices = [int(row["index"]) for row in rows]
        chars = [row["char"] for row in rows]
    except (KeyError, TypeError, ValueError):
        raise DataError(f"{path}: expected the columns index,codepoint,char") from None
    if indices != list(range(len(rows))) or not rows or not all(chars):
        raise DataError(f"{path}: expected rows numbered 0, 1, 2 ... each with a character")
    return chars


def _read_array(path: Path) -> np.ndarray:
    if not path.is_file():
        raise DataError(f"{path}: not found")
    if (found := sniff(path)).kind is not Kind.ZIP:  # what every .npz is
        raise DataError(f"{path}: not a readable .npz file ({found.description})")
    try:
        with np.load(path) as archive:
            check_size(path, archive, "arr_0")
            return archive["arr_0"]
    except KeyError:
        raise DataError(f"{path}: no array arr_0 (KMNIST's .npz key)") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz file ({error})") from None
