"""The sets a model is evaluated on: its own test split, and each `--data` set read with the model's
recipe and input size, its labels mapped onto the model's. Numpy only: every set is read and
checked before TensorFlow loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.layout import TEST_SAMPLE
from trainer.config import DEFAULTS
from trainer.dataset import DataError, Dataset, onto_labels
from trainer.images import read
from trainer.preprocess import RECIPE_KIND, Recipe
from trainer.sources import load_path, resolve_data
from trainer.sources.stroke_files import DIGITS_ONLY, is_stroke_source
from trainer.sources.unipen import is_unipen_root

OWN_TEST = "test split"


class EvaluationError(OneLineError):
    """The model or a data set cannot be evaluated; the message names the file or flag."""


@dataclass(frozen=True)
class EvalSet:
    """Images as the model sees them, and labels as indices into the model's labels."""

    name: str  # short, for tables
    source: str  # what was read, in full
    x: np.ndarray  # (N, H, W) or (N, H, W, C) uint8
    y: np.ndarray
    writers: np.ndarray | None = None  # who wrote each image, where the source says


def own_test_split(model: FinishedRun, log: Callable[[str], None]) -> EvalSet:
    """The run's whole test split, read again from its sources; the 1,000-image sample the run
    kept when they cannot be read or no longer match it."""
    sample = model.test_sample()
    sources = model.training_data
    try:
        dataset = resolve_data(sources, log, image_size=model.input_size, labels=model.labels,
                               synthetic=model.settings.get("synthetic", DEFAULTS.synthetic))
        x, y = read(dataset.x_test, np.arange(len(dataset.y_test))), dataset.y_test
        problem = None if _starts_with(x, y, sample) and dataset.labels == model.labels else (
            "its test split no longer starts with the run's test sample")
    except DataError as error:
        problem = str(error)
    if problem:
        log(f"{model.folder / TEST_SAMPLE}: evaluating the run's {len(sample[1]):,}-image test "
            f"sample, as the training data cannot be read again ({problem})")
        return EvalSet(OWN_TEST, f"test sample of {trained_on(model)}", *sample)
    return EvalSet(OWN_TEST, f"test split of {trained_on(model)}", x, y, dataset.test_writers)


def trained_on(model: FinishedRun) -> str:
    """The run's --data sources, each once (a loader's description of a source counts all of its
    images, and repeats with it)."""
    sources = model.training_data
    return " + ".join(map(str, sources)) if sources else str(model.data_source)


def external_set(path: Path, model: FinishedRun) -> EvalSet:
    """Another data set, read the way the model's inputs are made; all of its images, or only its
    test split when the model trained on it."""
    recipe = drawing_recipe(model)
    try:
        dataset = (load_path(path, model.input_size, recipe) if recipe
                   else load_path(path, model.input_size))
    except DataError as error:
        raise EvaluationError(str(error)) from None
    if dataset.image_shape != model.image_shape:
        raise EvaluationError(f"{path}: images of shape {dataset.image_shape}, but the model "
                              f"takes {model.image_shape}")
    try:
        dataset = onto_labels(dataset, model.labels, path)
    except DataError as error:
        raise EvaluationError(f"{error}{_digits_hint(path, model)}") from None
    if _trained_on(path, model):
        x, y, part = dataset.x_test, dataset.y_test, "test split of "
        writers = dataset.test_writers
    else:
        x, y = _all_images(dataset), np.concatenate([dataset.y_train, dataset.y_test])
        part = "all images, train and test, of "
        writers = (None if dataset.writers is None
                   else np.concatenate([dataset.writers, dataset.test_writers]))
    return EvalSet(_short_name(path), part + dataset.source, read(x, np.arange(len(y))), y,
                   writers)


def drawing_recipe(model: FinishedRun) -> Recipe | None:
    """How the page turns a drawing into this model's input; None for photo models."""
    recipe = model.preprocessing
    return Recipe.from_json(recipe) if recipe.get("kind") == RECIPE_KIND else None


def _digits_hint(path: Path, model: FinishedRun) -> str:
    """For a set of labels a digits model lacks: how to keep the digits of a stroke set alone."""
    digits_model = all(label.isdigit() for label in model.labels)
    return (f" ({path}/{DIGITS_ONLY} keeps the digits alone)"
            if digits_model and is_stroke_source(path) else "")


def _trained_on(path: Path, model: FinishedRun) -> bool:
    trained = {source.resolve() for source in model.training_data}
    return path.resolve() in trained


def _all_images(dataset: Dataset) -> np.ndarray:
    return np.concatenate([read(dataset.x_train, np.arange(len(dataset.y_train))),
                           read(dataset.x_test, np.arange(len(dataset.y_test)))])


def _starts_with(x: np.ndarray, y: np.ndarray, sample: tuple[np.ndarray, np.ndarray]) -> bool:
    sample_x, sample_y = sample
    count = len(sample_y)
    return len(y) >= count and np.array_equal(x[:count], sample_x) and np.array_equal(
        y[:count], sample_y)


def _short_name(path: Path) -> str:
    """The name a table shows: the file or folder, with its parent for FOLDER/digits and for
    one source of a UNIPEN tree (unipen/gmd)."""
    with_parent = path.name == DIGITS_ONLY or (not path.exists() and is_unipen_root(path.parent))
    return f"{path.parent.name}/{path.name}" if with_parent else path.name
