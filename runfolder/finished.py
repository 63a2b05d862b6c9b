"""A finished training run, read back the one way the export, `python -m trainer evaluate`,
`--init` and the benchmarks read it: run.json (schema-checked), its classifier (loaded once, on
first use), its test sample and its history. Nothing here loads TensorFlow until the classifier
is asked for.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from runfolder.classifier import load_classifier
from runfolder.errors import OneLineError
from runfolder.layout import CLASSIFIER_MODEL, HISTORY_FILE, RUN_FILE
from runfolder.record import read_record
from runfolder.sample import read_test_sample

if TYPE_CHECKING:
    import keras


class FinishedRunError(OneLineError):
    """The folder is not a finished training run; the message names it and says why."""


@dataclass(frozen=True)
class FinishedRun:
    """A training folder the trainer finished; `read` checks it, the properties name run.json's
    fields, so no reader looks a key up itself."""

    folder: Path
    run: dict[str, Any]  # run.json as the trainer wrote it, checked against run.schema.json

    @classmethod
    def read(cls, folder: Path) -> FinishedRun:
        """The finished run in `folder`, checked: run.json whole and the classifier saved."""
        run_file = folder / RUN_FILE
        if not folder.is_dir():
            raise FinishedRunError(f"{folder}: no such folder (give a training run's --out)")
        if not run_file.is_file():
            raise FinishedRunError(f"{folder}: not a trained model (no {RUN_FILE}; train one "
                                   "with python -m trainer train --out FOLDER)")
        finished = cls(folder, read_record(folder))
        if not finished.classifier_file.is_file():
            raise FinishedRunError(f"{finished.classifier_file}: missing (the classifier a "
                                   "finished run saves; train again)")
        return finished

    @property
    def architecture(self) -> str:
        """The classifier's kind, --model's value: cnn, mobilenetv3small."""
        return self.run["model"]

    @property
    def labels(self) -> list[str]:
        return self.run["labels"]

    @property
    def input(self) -> str:
        """What the model reads: drawing or photo."""
        return self.run["input"]

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
    def input_shapes(self) -> set[tuple[int, ...]]:
        """The shapes one input may have: (side, side, channels), and for grey images (side,
        side) too."""
        side, channels = self.input_size, self.channels
        return {(side, side, channels), *([(side, side)] if channels == 1 else [])}

    @property
    def preprocessing(self) -> dict[str, Any]:
        """The recipe that makes the model's inputs, as metadata.json carries it to the page."""
        return self.run["preprocessing"]

    @property
    def settings(self) -> dict[str, Any]:
        """The run's resolved training settings (trainer/config.py's names)."""
        return self.run["settings"]

    @property
    def metrics(self) -> dict[str, Any]:
        return self.run["metrics"]

    @property
    def not_sure_threshold(self) -> float | None:
        return self.metrics.get("not_sure_threshold")

    @property
    def ink_limit(self) -> float | None:
        return self.run.get("ink_limit")

    @property
    def candidate_groups(self) -> list[list[str]]:
        return self.run.get("candidate_groups", [])

    @property
    def one_character(self) -> bool:
        """Whether the page reads the model's pad as one character: as run.json says, or for a run
        recorded before it said so, whether its sources had candidate groups (the Japanese ones)."""
        return self.run.get("one_character", bool(self.candidate_groups))

    @property
    def credit(self) -> dict[str, Any] | None:
        return self.run.get("credit")

    @property
    def class_counts(self) -> dict[str, list[int]] | None:
        return self.run.get("class_counts")

    @property
    def data_source(self) -> str | None:
        """How the trainer's loaders described the data, for runs that record no --data."""
        return self.run.get("data_source")

    @property
    def training_data(self) -> list[Path]:
        """The --data the run trained on, each once ([]: the trainer's default MNIST)."""
        return [Path(path) for path in dict.fromkeys(self.settings.get("data") or [])]

    @property
    def classifier_file(self) -> Path:
        return self.folder / CLASSIFIER_MODEL

    @cached_property
    def classifier(self) -> keras.Model:
        """classifier.keras, checked against run.json; loaded once, the first time it is used."""
        return load_classifier(self)

    def test_sample(self, images: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The first `images` (all, for None) of the test images the run kept, and their labels."""
        return read_test_sample(self, images)

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
            raise FinishedRunError(f"{path}: not a readable history ({error})") from None
        epochs = sorted(rows)
        keys = [key for key in rows[epochs[0]] if key != "epoch"] if epochs else []
        return {key: [_number(rows[epoch].get(key)) for epoch in epochs] for key in keys}


def source_weights(settings: dict[str, Any]) -> dict[str, int]:
    """Each --data source of a run's settings once, with how many times its training images
    counted: its --data-weight each time it was named (before --data-weight, runs named a
    source again)."""
    data = settings.get("data") or []
    counted: dict[str, int] = {}
    for path, weight in zip(data, settings.get("data_weight") or [1] * len(data), strict=True):
        counted[path] = counted.get(path, 0) + weight
    return counted


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:  # CSVLogger writes "NA" for a metric an epoch lacks
        return math.nan
