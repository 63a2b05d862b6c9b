"""One training run: data in, best checkpoint, settings and metrics out."""

from __future__ import annotations

import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from trainer.atomic import replace_dir, staging_dir
from trainer.balance import class_counts, class_weights, oversample
from trainer.data import Dataset
from trainer.layout import BEST_MODEL, LAST_MODEL, RUN_FILE, TEST_SAMPLE
from trainer.model import (
    build_augmentation,
    build_compact_cnn,
    build_mobilenet_v3_small,
    build_training_model,
)
from trainer.preprocess import Recipe

TEST_SAMPLE_SIZE = 1000


@dataclass
class TrainConfig:
    out: Path
    data: list[Path] = field(default_factory=list)
    model: str = "cnn"  # or mobilenetv3small
    alpha: float = 1.0  # MobileNetV3Small width multiplier
    epochs: int = 15
    optimizer: str = "adam"  # adam, adamax or sgd (with Nesterov momentum 0.9)
    patience: int | None = None  # stop after this many epochs without a better val_accuracy
    batch_size: int = 128
    learning_rate: float = 1e-3
    validation_fraction: float = 0.1
    rotation: float = 0.05  # fraction of a full turn: 0.05 is +-18 degrees
    zoom: float = 0.1
    translation: float = 0.1
    balance: str = "none"  # oversample, class-weight or none
    limit: int | None = None  # train on the first N images only, for quick runs
    seed: int = 0


def train(config: TrainConfig, dataset: Dataset, log=print) -> dict:
    """Train, keep the best epoch by validation accuracy, and report the test accuracy."""
    keras.utils.set_random_seed(config.seed)
    (x_train, y_train), (x_val, y_val) = split_validation(dataset, config)
    log(f"data: {dataset.source}: {len(x_train)} train, {len(x_val)} validation, "
        f"{len(dataset.x_test)} test images")
    counts = {"train": class_counts(y_train, len(dataset.labels))}
    log(f"class counts (train): {format_counts(counts['train'], dataset.labels)}")
    weights = None
    if config.balance == "oversample":
        x_train, y_train = oversample(x_train, y_train, config.seed)
        counts["oversampled"] = class_counts(y_train, len(dataset.labels))
        log(f"class counts (oversampled): {format_counts(counts['oversampled'], dataset.labels)}")
    elif config.balance == "class-weight":
        weights = class_weights(y_train, len(dataset.labels))

    recipe = Recipe()
    if config.model == "mobilenetv3small":
        classifier = build_mobilenet_v3_small(recipe.size, len(dataset.labels), config.alpha)
    else:
        classifier = build_compact_cnn(recipe.size, len(dataset.labels))
    augmentation = build_augmentation(config.rotation, config.zoom, config.translation)
    model = build_training_model(classifier, augmentation)
    steps = config.epochs * math.ceil(len(x_train) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)
    # XLA made the keras-io convnet 7.7x slower on a 2-core CPU (BENCHMARKS.md).
    model.compile(
        optimizer=OPTIMIZERS[config.optimizer](schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )

    staging = staging_dir(config.out)
    started = time.monotonic()
    history = model.fit(
        pipeline(x_train, y_train, config.batch_size, shuffle_seed=config.seed),
        validation_data=pipeline(x_val, y_val, config.batch_size),
        epochs=config.epochs,
        callbacks=callbacks(config, staging),
        class_weight=weights,
        shuffle=False,  # the pipeline shuffles
        verbose=1 if sys.stdout.isatty() else 2,
    )
    train_seconds = time.monotonic() - started

    best = keras.models.load_model(staging / BEST_MODEL)
    test_loss, test_accuracy = best.evaluate(
        pipeline(dataset.x_test, dataset.y_test, config.batch_size), verbose=0
    )
    log(f"test accuracy: {test_accuracy:.4f} ({len(dataset.x_test)} images), "
        f"trained in {train_seconds:.0f} s")

    np.savez_compressed(
        staging / TEST_SAMPLE,
        x=dataset.x_test[:TEST_SAMPLE_SIZE],
        y=dataset.y_test[:TEST_SAMPLE_SIZE],
    )
    run = {
        "model": config.model,
        "labels": dataset.labels,
        "input_size": recipe.size,
        "channels": 1,
        "preprocessing": recipe.to_json(),
        "data_source": dataset.source,
        "class_counts": counts,
        "class_weights": weights,
        "settings": json.loads(json.dumps(asdict(config), default=str)),
        "metrics": {
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "best_val_accuracy": max(history.history["val_accuracy"]),
            "train_seconds": round(train_seconds, 1),
            "history": history.history,
        },
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
        },
        "machine": f"{platform.machine()}, {platform.system()}",
    }
    (staging / RUN_FILE).write_text(json.dumps(run, indent=2, default=float) + "\n")
    replace_dir(staging, config.out)
    log(f"saved {config.out / BEST_MODEL} and {config.out / RUN_FILE}")
    return run


OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamax": keras.optimizers.Adamax,
    "sgd": lambda schedule: keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True),
}


def callbacks(config: TrainConfig, folder: Path) -> list[keras.callbacks.Callback]:
    """Best and last checkpoints, and early stopping when asked for."""
    chosen = [
        keras.callbacks.ModelCheckpoint(
            folder / BEST_MODEL, monitor="val_accuracy", save_best_only=True
        ),
        keras.callbacks.ModelCheckpoint(folder / LAST_MODEL),
    ]
    if config.patience is not None:
        chosen.append(
            keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=config.patience)
        )
    return chosen


def format_counts(counts: list[int], labels: list[str]) -> str:
    return ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))


def split_validation(dataset: Dataset, config: TrainConfig):
    x, y = dataset.x_train, dataset.y_train
    if config.limit:
        x, y = x[: config.limit], y[: config.limit]
    order = np.random.default_rng(config.seed).permutation(len(x))
    n_val = max(1, round(len(x) * config.validation_fraction))
    val, train_ = order[:n_val], order[n_val:]
    return (x[train_], y[train_]), (x[val], y[val])


def pipeline(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle_seed: int | None = None):
    """uint8 (N, H, W) images -> cached, batched float32 (N, H, W, 1) batches."""
    data = tf.data.Dataset.from_tensor_slices((x[..., None], y))
    data = data.map(lambda image, label: (tf.cast(image, tf.float32), label)).cache()
    if shuffle_seed is not None:
        data = data.shuffle(len(x), seed=shuffle_seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
