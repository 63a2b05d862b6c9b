"""One training run: data in, best and last checkpoints, settings and metrics out.

The run is built in a hidden `.NAME.partial` folder beside the output and renamed into place when
it ends. Every epoch leaves a whole last.keras and progress.json there, so an interrupted run
(Ctrl-C, a crash) continues with `--resume`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from runfolder.atomic import replace_dir, staging_dir, staging_path, write_whole
from runfolder.layout import (
    BEST_MODEL,
    CLASSIFIER_MODEL,
    CONFIG_FILE,
    LAST_MODEL,
    PROGRESS_FILE,
    RUN_FILE,
    TEST_SAMPLE,
)
from trainer.balance import class_counts, class_weights, oversample_order
from trainer.config import TrainConfig
from trainer.data import Dataset
from trainer.disk import read, take, to_tf
from trainer.model import (
    CLASSIFIER,
    ModelError,
    augmentation_for,
    build_compact_cnn,
    build_mobilenet_v3_small,
    build_training_model,
    freeze,
    last_backbone_layer,
)

TEST_SAMPLE_SIZE = 1000
# Decoded images are cached in memory up to this share of the machine's RAM (ETL9B at 64x64 is
# 2.5 GB); beyond it they are read and decoded from disk again every epoch.
CACHE_RAM_SHARE = 0.25
SHUFFLE_BUFFER = 20_000  # on top of one full shuffle of the training order
FINE_TUNE_RATE = 0.1  # the second phase of two-phase training starts at this fraction of the rate


class Interrupted(Exception):
    """Training stopped by Ctrl-C; the message says how to continue."""


def train(config: TrainConfig, dataset: Dataset, log=print, resume: bool = False) -> dict:
    """Train, keep the best epoch by validation accuracy, and report the test accuracy."""
    out = Path(config.out)
    staging = resume_folder(out) if resume else None
    make_reproducible(config.seed)
    if config.mixed_precision:
        keras.config.set_dtype_policy("mixed_float16")
        if not tf.config.list_physical_devices("GPU") and keras.backend.backend() == "tensorflow":
            log("mixed precision: no GPU here, and float16 on this CPU is several times slower")

    x_train, y_train, x_val, y_val = split_validation(dataset, config)
    log(f"data: {dataset.source}: {len(y_train)} train, {len(y_val)} validation, "
        f"{len(dataset.y_test)} test images of {len(dataset.labels)} classes")
    counts = {"train": class_counts(y_train, len(dataset.labels))}
    log(f"class counts (train): {format_counts(counts['train'], dataset.labels)}")
    weights = None
    if config.balance == "oversample":
        order = oversample_order(y_train, config.seed)
        x_train, y_train = take(x_train, order), y_train[order]
        counts["oversampled"] = class_counts(y_train, len(dataset.labels))
        log(f"class counts (oversampled): {format_counts(counts['oversampled'], dataset.labels)}")
    elif config.balance == "class-weight":
        weights = class_weights(y_train, len(dataset.labels))

    num_classes = len(dataset.labels)
    train_data = pipeline(x_train, y_train, config, num_classes, shuffle=True)
    val_data = pipeline(x_val, y_val, config, num_classes)
    strategy = distribution_strategy()
    if strategy is not None:
        log(f"training on {strategy.num_replicas_in_sync} devices with {type(strategy).__name__}")
    progress = read_progress(staging) if resume else {
        "epoch": 0, "phase": None, "history": {}, "train_seconds": 0.0}
    if resume:
        log(f"resuming {staging} after epoch {progress['epoch']} of {config.epochs}")

    with strategy.scope() if strategy else contextlib.nullcontext():
        if staging:
            model = keras.models.load_model(staging / LAST_MODEL)
        else:
            classifier = build_classifier(config, dataset)
            model = build_training_model(classifier, augmentation_for(config))
            staging = staging_dir(out)  # only now: a bad setting leaves nothing behind
        (staging / CONFIG_FILE).write_text(config.to_toml())
        try:
            for phase, first, last in phases(config):
                if progress["epoch"] >= last:
                    continue
                if progress["phase"] != phase:
                    start_phase(model, phase, config, last - first, len(y_train))
                model.fit(
                    train_data,
                    validation_data=val_data,
                    initial_epoch=progress["epoch"],
                    epochs=last,
                    callbacks=callbacks(config, staging, phase, progress),
                    class_weight=weights,
                    shuffle=False,  # the pipeline shuffles
                    verbose=1 if sys.stdout.isatty() else 2,
                )
                if model.stop_training:  # early stopping: no next phase either
                    break
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted after epoch {progress['epoch']}; continue with: "
                f"python -m trainer train --out {out} --resume"
            ) from None
    train_seconds = progress["train_seconds"]  # over every epoch, before an interruption too

    best = keras.models.load_model(staging / BEST_MODEL)
    best.get_layer(CLASSIFIER).save(staging / CLASSIFIER_MODEL)
    test_loss, test_accuracy = best.evaluate(
        pipeline(dataset.x_test, dataset.y_test, config, num_classes), verbose=0
    )
    log(f"test accuracy: {test_accuracy:.4f} ({len(dataset.y_test)} images), "
        f"trained in {train_seconds:.0f} s")

    sample = np.arange(min(TEST_SAMPLE_SIZE, len(dataset.y_test)))
    np.savez_compressed(
        staging / TEST_SAMPLE, x=read(dataset.x_test, sample), y=dataset.y_test[sample]
    )
    history = progress["history"]
    run = {
        "model": config.model,
        "labels": dataset.labels,
        "input": dataset.input,
        "input_size": dataset.size,
        "channels": dataset.channels,
        "preprocessing": preprocessing(dataset),
        "data_source": dataset.source,
        "class_counts": counts,
        "class_weights": weights,
        "settings": json.loads(json.dumps(vars(config))),
        "metrics": {
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "best_val_accuracy": max(history["val_accuracy"]),
            "epochs_trained": progress["epoch"],
            "train_seconds": round(train_seconds, 1),
            "history": history,
        },
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
        },
        "replicas": strategy.num_replicas_in_sync if strategy else 1,
        "machine": f"{platform.machine()}, {platform.system()}",
    }
    (staging / RUN_FILE).write_text(json.dumps(run, indent=2, default=float) + "\n")
    (staging / PROGRESS_FILE).unlink()
    replace_dir(staging, out)
    log(f"saved {out / BEST_MODEL} and {out / RUN_FILE}")
    return run


def build_classifier(config: TrainConfig, dataset: Dataset) -> keras.Model:
    size, channels, num_classes = dataset.size, dataset.channels, len(dataset.labels)
    if config.model == "mobilenetv3small":
        classifier = build_mobilenet_v3_small(
            size, num_classes, channels, config.alpha, config.weights,
            config.head, config.head_norm,
        )
        freeze(classifier, config.freeze_until)  # a misspelt layer name fails before any work
        return classifier
    if config.weights != "none" or config.freeze_until or config.head_epochs:
        raise ModelError(
            "--weights, --freeze-until and --head-epochs need --model mobilenetv3small"
        )
    return build_compact_cnn(size, num_classes, channels)


def phases(config: TrainConfig) -> list[tuple[str, int, int]]:
    """(name, first epoch, end epoch): the head alone first when asked, then the whole model."""
    if config.head_epochs:
        return [("head", 0, config.head_epochs), ("all", config.head_epochs, config.epochs)]
    return [("all", 0, config.epochs)]


def start_phase(model: keras.Model, phase: str, config: TrainConfig, epochs: int, images: int):
    """Set what trains in this phase and compile with a fresh optimizer for it."""
    learning_rate = config.learning_rate
    if config.model == "mobilenetv3small":
        classifier = model.get_layer(CLASSIFIER)
        if phase == "head":
            freeze(classifier, last_backbone_layer(classifier))
        else:
            freeze(classifier, config.freeze_until)
            if config.head_epochs:
                learning_rate *= FINE_TUNE_RATE
    if config.schedule == "cosine":
        steps = epochs * math.ceil(images / config.batch_size)
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    # XLA made the keras-io convnet 7.7x slower on a 2-core CPU under TensorFlow (BENCHMARKS.md);
    # JAX compiles unless a layer cannot be compiled (the stock augmentation layers).
    model.compile(
        optimizer=OPTIMIZERS[config.optimizer](learning_rate),
        loss="categorical_crossentropy" if config.mixup else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False if keras.backend.backend() == "tensorflow" else "auto",
    )


OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamax": keras.optimizers.Adamax,
    "sgd": lambda rate: keras.optimizers.SGD(rate, momentum=0.9, nesterov=True),
}


def callbacks(
    config: TrainConfig, folder: Path, phase: str, progress: dict
) -> list[keras.callbacks.Callback]:
    chosen: list[keras.callbacks.Callback] = [Checkpoints(folder, phase, progress)]
    if config.patience is not None:
        chosen.append(
            keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=config.patience)
        )
    if config.schedule == "plateau":
        chosen.append(keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, verbose=1))
    return chosen


class Checkpoints(keras.callbacks.Callback):
    """After each epoch: best.keras when validation accuracy improved, last.keras, progress.json.

    Each file is written whole and then renamed over the old one, so Ctrl-C never leaves half a
    file; progress.json is written last and names an epoch whose checkpoints are complete.
    """

    def __init__(self, folder: Path, phase: str, progress: dict):
        super().__init__()
        self.folder, self.phase, self.progress = folder, phase, progress
        self.started = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        history = self.progress["history"]
        rate = keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
        for key, value in {"learning_rate": rate, **(logs or {})}.items():
            history.setdefault(key, []).append(float(value))
        if history["val_accuracy"][-1] >= max(history["val_accuracy"]):
            write_whole(self.folder / BEST_MODEL, self.model.save)
        write_whole(self.folder / LAST_MODEL, self.model.save)
        now = time.monotonic()
        self.progress.update(
            epoch=epoch + 1, phase=self.phase,
            train_seconds=self.progress["train_seconds"] + now - self.started,
        )
        self.started = now
        progress = json.dumps(self.progress)
        write_whole(self.folder / PROGRESS_FILE, lambda path: path.write_text(progress))


def resume_folder(out: Path) -> Path:
    staging = staging_path(out)
    if not (staging / PROGRESS_FILE).is_file():
        raise ModelError(f"{out}: no interrupted run to resume (nothing in {staging})")
    return staging


def read_progress(staging: Path) -> dict:
    return json.loads((staging / PROGRESS_FILE).read_text())


def make_reproducible(seed: int) -> None:
    """Seed Python, NumPy and the backend; on CPU TensorFlow also picks deterministic kernels.

    GPU kernels are left free: several have no deterministic version and would refuse to run.
    """
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow" and not tf.config.list_physical_devices("GPU"):
        tf.config.experimental.enable_op_determinism()


def training_devices() -> list[str]:
    return [device.name for device in tf.config.list_logical_devices("GPU")]


def distribution_strategy() -> tf.distribute.Strategy | None:
    """Several GPUs under TensorFlow: mirror the model on each, split every batch between them."""
    devices = training_devices()
    if keras.backend.backend() != "tensorflow" or len(devices) < 2:
        return None
    return tf.distribute.MirroredStrategy(devices)


def format_counts(counts: list[int], labels: list[str]) -> str:
    if len(labels) > 20:
        order = np.argsort(counts, kind="stable")
        rarest = ", ".join(f"{labels[i]}: {counts[i]}" for i in order[:5])
        return (f"{len(labels)} classes, {min(counts)} to {max(counts)} images each "
                f"(median {int(np.median(counts))}); rarest {rarest}")
    return ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))


def split_validation(dataset: Dataset, config: TrainConfig):
    """A random validation share of the training images; the rest, in shuffled order, train."""
    count = len(dataset.y_train)
    if config.limit:
        count = min(count, config.limit)
    order = np.random.default_rng(config.seed).permutation(count)
    n_val = max(1, round(count * config.validation_fraction))
    val, train_ = order[:n_val], order[n_val:]
    x, y = dataset.x_train, dataset.y_train
    return take(x, train_), y[train_], take(x, val), y[val]


def preprocessing(dataset: Dataset) -> dict:
    return dataset.recipe.to_json()


def pipeline(
    images, labels: np.ndarray, config: TrainConfig, num_classes: int, shuffle: bool = False
) -> tf.data.Dataset:
    """uint8 images -> cached, batched float32 (N, H, W, C) batches; mixup when training."""
    data = tf.data.Dataset.zip(to_tf(images), tf.data.Dataset.from_tensor_slices(labels))
    data = data.apply(tf.data.experimental.assert_cardinality(len(labels)))  # streams hide it
    if len(images.shape) == 3:
        data = data.map(lambda image, label: (image[..., None], label))
    if np.prod(images.shape) <= CACHE_RAM_SHARE * ram_bytes():  # uint8: a byte per value
        data = data.cache()
    if shuffle:
        buffer = min(len(labels), SHUFFLE_BUFFER)
        data = data.shuffle(buffer, seed=config.seed, reshuffle_each_iteration=True)
    data = data.batch(config.batch_size)
    data = data.map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=tf.data.AUTOTUNE)
    if config.mixup:
        data = data.map(lambda x, y: (x, tf.one_hot(y, num_classes)))
        if shuffle:
            data = data.map(mixup(config.mixup, config.seed))
    return data.prefetch(tf.data.AUTOTUNE)


def ram_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def mixup(alpha: float, seed: int):
    """Blend each batch with itself reversed, images and one-hot targets alike (Keras' MixUp)."""
    layer = keras.layers.MixUp(alpha=alpha, seed=seed)

    def mix(images, targets):
        mixed = layer({"images": images, "labels": targets})
        return mixed["images"], mixed["labels"]

    return mix
