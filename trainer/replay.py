"""--init's replay: a sample of the training images of the model that fine-tuning starts from,
mixed into the person's drawings so that the model keeps reading what it read. Fine-tuned on 15
drawings alone (3, 7 and + five times each), a small digits model fell from 95.2% to 80.6% on its
own test images: nothing in a few 3s, 7s and +s says what a 0 looks like.

The sample takes as many images of each of the model's labels (REPLAY_IMAGES in all, fewer where
a label has fewer), with their writers, so that validation keeps its writers apart; the model's
test images come with it (REPLAY_TEST_IMAGES at most), so that the run's test says what the model
still reads. The model's data is what its run.json records: `settings.data` (the trainer's
default MNIST when it names none) and, for a model itself fine-tuned with replay, its own --init
model's data too. Read before TensorFlow loads; data that is not there is one line saying so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from runfolder.finished import FinishedRun
from trainer.config import DEFAULTS, ConfigError
from trainer.dataset import DataError, Dataset, onto_labels
from trainer.images import read
from trainer.initial import read_initial
from trainer.sources import concatenate, resolve_data

# Training images; a tenth of them validate, enough to choose a threshold (calibration.py). Each
# epoch goes over them all: in epochs of 10 batches instead, 15 epochs cost a small model 1.3 pt
# of its test images, against 0.9 pt in 2 epochs over all of them.
REPLAY_IMAGES = 2500
REPLAY_TEST_IMAGES = 10_000  # MNIST's test set whole; a sample of larger ones (ETL's stay on disk)


def training_data(model: FinishedRun) -> list[tuple[list[Path], list[int] | None]]:
    """The --data and --data-weight each model in the line that made `model` trained on: its own,
    then, when it was fine-tuned with replay, its --init model's, and so on ([] is the default
    MNIST; None, each source once)."""
    line, seen = [], set()
    while model.folder.resolve() not in seen:
        seen.add(model.folder.resolve())
        line.append(([Path(path) for path in model.settings.get("data", [])],
                     model.settings.get("data_weight") or None))
        parent = model.settings.get("init")
        if not parent or not model.settings.get("replay", False):
            break
        try:
            model = read_initial(parent)
        except ConfigError as error:
            raise DataError(f"{error} (the model {model.folder} was fine-tuned from; "
                            "its data is mixed in too)") from None
    return line


def load_replay(model: FinishedRun, labels: list[str], seed: int,
                log: Callable[[str], None]) -> Dataset:
    """The replay sample of `model`'s training data, with `labels` (the run's: the model's, then
    any the person's drawings add)."""
    try:
        data = concatenate([
            resolve_data(paths, log, image_size=model.settings.get("image_size",
                                                                   DEFAULTS.image_size),
                         labels=model.labels, weights=weights)
            for paths, weights in training_data(model)
        ])
    except DataError as error:
        raise DataError(
            f"--init {model.folder}: the data it was trained on, which fine-tuning mixes into "
            f"yours, cannot be read ({error}); run this where that data is (paths as its run.json "
            "records them), or give --no-replay to train on your data alone") from None
    sample = replay_sample(data, seed)
    log(f"replay: {len(sample.y_train)} training and {len(sample.y_test)} test images of "
        f"{data.source}, the data {model.folder} was trained on, mixed in (--no-replay: none)")
    return onto_labels(sample, labels, model.folder)


def replay_sample(data: Dataset, seed: int) -> Dataset:
    """REPLAY_IMAGES of the training images, as many of each label as it has up to an even share,
    and REPLAY_TEST_IMAGES of the test images, in memory."""
    rng = np.random.default_rng(seed)
    used = np.unique(data.y_train)
    share = math.ceil(REPLAY_IMAGES / len(used))
    train = np.sort(np.concatenate([
        rng.permutation(np.flatnonzero(data.y_train == label))[:share] for label in used]))
    test = np.sort(rng.permutation(len(data.y_test))[:REPLAY_TEST_IMAGES])
    return replace(
        data, x_train=read(data.x_train, train), y_train=data.y_train[train],
        x_test=read(data.x_test, test), y_test=data.y_test[test],
        writers=None if data.writers is None else data.writers[train],
        test_writers=None if data.test_writers is None else data.test_writers[test],
        source=f"replay of {data.source}")
