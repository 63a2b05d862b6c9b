"""A finished training folder as the evaluation reads it, without TensorFlow: run.json's labels,
input, recipe, settings and metrics, and the files that must be there."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runfolder.layout import CLASSIFIER_MODEL, HISTORY_FILE, RUN_FILE
from runfolder.record import RecordError, read_record
from trainer.preprocess import RECIPE_KIND, Recipe


class EvaluationError(Exception):
    """The model or a data set cannot be evaluated; the message names the file or flag."""


@dataclass(frozen=True)
class TrainedModel:
    folder: Path
    run: dict[str, Any]  # run.json as written by the trainer

    @property
    def labels(self) -> list[str]:
        return self.run["labels"]

    @property
    def input_size(self) -> int:
        return self.run["input_size"]

    @property
    def channels(self) -> int:
        return self.run["channels"]

    @property
    def image_shape(self) -> tuple[int, ...]:
        side = self.input_size
        return (side, side) if self.channels == 1 else (side, side, self.channels)

    @property
    def recipe(self) -> Recipe | None:
        """How the page turns a drawing into this model's input; None for photo models."""
        recipe = self.run["preprocessing"]
        if recipe.get("kind") != RECIPE_KIND:
            return None
        return Recipe.from_json(recipe)

    @property
    def settings(self) -> dict[str, Any]:
        return self.run["settings"]

    @property
    def metrics(self) -> dict[str, Any]:
        return self.run["metrics"]

    @property
    def classifier_file(self) -> Path:
        return self.folder / CLASSIFIER_MODEL

    def history(self) -> dict[str, list[float]]:
        """Each epoch's metrics from history.csv, both phases and every resumed part; an epoch
        logged twice (run again after an interruption) counts as its last row. Runs from before
        history.csv: the history in run.json."""
        path = self.folder / HISTORY_FILE
        if not path.is_file():
            return self.metrics.get("history", {})
        try:
            with path.open(newline="") as file:
                rows = {int(row["epoch"]): row for row in csv.DictReader(file)}
        except (OSError, UnicodeDecodeError, csv.Error, KeyError, ValueError) as error:
            raise EvaluationError(f"{path}: not a readable history ({error})") from None
        epochs = sorted(rows)
        keys = [key for key in rows[epochs[0]] if key != "epoch"] if epochs else []
        return {key: [_number(rows[epoch].get(key)) for epoch in epochs] for key in keys}


def read_trained(folder: Path) -> TrainedModel:
    """The finished run in `folder`, checked: run.json whole and the classifier saved."""
    run_file = folder / RUN_FILE
    if not folder.is_dir():
        raise EvaluationError(f"{folder}: no such folder (give a training run's --out)")
    if not run_file.is_file():
        raise EvaluationError(f"{folder}: not a trained model (no {RUN_FILE}; train one with "
                              "python -m trainer train --out FOLDER)")
    try:
        run = read_record(folder)
    except RecordError as error:
        raise EvaluationError(str(error)) from None
    model = TrainedModel(folder, run)
    if not model.classifier_file.is_file():
        raise EvaluationError(f"{model.classifier_file}: missing (the classifier a finished run "
                              "saves; train again)")
    return model


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:  # CSVLogger writes "NA" for a metric an epoch lacks
        return math.nan
