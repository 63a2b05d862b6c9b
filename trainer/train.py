"""One training run: data in, best and last checkpoints, settings and metrics out.

The run is built in a hidden `.NAME.partial` folder beside the output and renamed into place when
it ends. Every epoch leaves a whole last.keras and progress.json there, so an interrupted run
(Ctrl-C, a crash, a full disk) continues with `--resume` (trainer/progress.py).

    train = prepare the data -> build (or resume) the model -> fit the phases -> write the record
"""

from __future__ import annotations

import contextlib
import json
import math
import platform
import shlex
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from runfolder.atomic import replace_dir, staging_dir, staging_path, write_whole
from runfolder.classifier import ClassifierError
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.layout import (
    BEST_MODEL,
    BEST_PROGRESS_FILE,
    CLASSIFIER_MODEL,
    CONFIG_FILE,
    PROGRESS_FILE,
    RUN_FILE,
    TEST_SAMPLE,
)
from runfolder.schema import RUN_SCHEMA, schema_problem
from trainer.augment import build_augmentation
from trainer.balance import class_counts, class_weights, oversample_order
from trainer.calibration import (
    INK_SAMPLE,
    MIN_INK_IMAGES,
    MIN_RIGHT_ANSWERS,
    RIGHT_FLAGGED,
    ink_limit,
    not_sure_threshold,
    validation_answers,
)
from trainer.callbacks import Checkpoints, CtrlC, history_loggers, stopping
from trainer.config import TrainConfig
from trainer.dataset import Dataset, is_named, validation_split
from trainer.images import read, take
from trainer.model import (
    CLASSIFIER,
    build_compact_cnn,
    build_mobilenet_v3_small,
    build_training_model,
    freeze,
    last_backbone_layer,
    with_more_labels,
)
from trainer.new_labels import fit_new_rows
from trainer.output import discard_unresumable
from trainer.pipeline import one_hot, pipeline
from trainer.progress import Checkpoint, Progress, resume_point

TEST_SAMPLE_SIZE = 1000
# The second phase of two-phase training, and a run from --init, start at this fraction of the rate.
FINE_TUNE_RATE = 0.1
# A run from --init learns a person's own drawings: a few dozen, one batch, so 15 epochs at a
# tenth of the rate would be 15 steps, too few to learn them (BENCHMARKS.md, "Teaching it a
# writer"). Its epochs repeat the drawings to at least this many steps each.
FINE_TUNE_STEPS_PER_EPOCH = 10
# Beside the replay (trainer/replay.py), the person's images are repeated to this share of each
# epoch: at a quarter, 5 drawings of a 7 outnumbered the replay's 7s and taught the model to read
# 2s as 7s too; at a fifth, in epochs of 10 batches, a model lost 1.8 pt of its test images.
REPLAY_OWN_SHARE = 0.1


class Interrupted(Exception):
    """Training stopped by Ctrl-C; the message says how to continue, if it can."""


class TrainingError(OneLineError):
    """Training cannot go on (a diverging loss, a full disk); the message says what to do."""


@dataclass(frozen=True)
class TrainingData:
    """The training and validation pipelines, and what the run record says about them."""

    train: tf.data.Dataset
    validation: tf.data.Dataset
    images_per_epoch: int  # the training images, as many times as an epoch goes over them
    class_counts: dict[str, list[int]]
    class_weights: dict[int, float] | None
    validation_writers: np.ndarray | None  # which validation images a source names the writer of


def train(
    config: TrainConfig, dataset: Dataset, log=print, resume: Checkpoint | None = None,
    replay: Dataset | None = None, start: FinishedRun | None = None,
) -> dict:
    """Train, keep the best epoch by validation accuracy, and report the test accuracy.

    `resume` is the checkpoint of an interrupted run to continue (trainer.progress.resume_point);
    `start`, the finished run --init names, and `replay`, a sample of its model's data to mix in
    (trainer/replay.py).
    """
    with precision(config, log):
        make_reproducible(config.seed)
        data = prepare_data(config, dataset, log, replay, start)
        strategy = distribution_strategy(log)
        with strategy.scope() if strategy else contextlib.nullcontext():
            model, progress, staging = build_or_resume(config, dataset, resume, log, replay,
                                                       start)
            progress = fit_phases(model, data, config, staging, progress)
        best = keras.models.load_model(staging / BEST_MODEL)
        run = run_record(best, config, dataset, data, progress, strategy, log, replay, start)
        finish(best, staging, run, with_test_of(dataset, replay), config)
    log(f"saved {Path(config.out) / BEST_MODEL} and {Path(config.out) / RUN_FILE}")
    return run


def build_or_resume(
    config: TrainConfig, dataset: Dataset, resume: Checkpoint | None, log,
    replay: Dataset | None = None, start: FinishedRun | None = None,
) -> tuple[keras.Model, Progress, Path]:
    """The training model, its progress so far, and the staging folder its epochs go to."""
    if resume:
        log(f"resuming {resume.model} after epoch {resume.progress.epoch} of {config.epochs}")
        progress = replace(resume.progress, settings=asdict(config))
        return keras.models.load_model(resume.model), progress, resume.model.parent
    classifier = (initial_classifier(start, dataset, log, replay) if start
                  else build_classifier(config, dataset))
    model = build_training_model(classifier, build_augmentation(config))
    staging = staging_dir(Path(config.out))  # only now: a bad setting leaves nothing behind
    return model, Progress(settings=asdict(config)), staging


def initial_classifier(
    start: FinishedRun, dataset: Dataset, log, replay: Dataset | None = None
) -> keras.Model:
    """A copy of --init's classifier to train (the model as it was still answers for the
    replay), its output layer grown by the labels the data adds to it, their rows fitted to
    their images (trainer/new_labels.py)."""
    saved = start_classifier(start)
    classifier = keras.models.clone_model(saved)
    classifier.set_weights(saved.get_weights())
    known = classifier.output_shape[-1]
    if len(dataset.labels) == known:
        return classifier
    log(f"--init: the output layer grows by {len(dataset.labels) - known} label(s) the model "
        f"lacks: {', '.join(dataset.labels[known:])}")
    grown = with_more_labels(classifier, len(dataset.labels))
    y = dataset.y_train
    new = np.flatnonzero(y >= known)
    others = [read(dataset.x_train, np.flatnonzero(y < known)),
              *([read(replay.x_train)] if replay is not None else [])]
    fit_new_rows(grown, known, read(dataset.x_train, new), y[new], others)
    return grown


def start_classifier(start: FinishedRun) -> keras.Model:
    """The classifier of the run --init names, as it was saved (loaded once)."""
    try:
        return start.classifier
    except ClassifierError as error:
        raise TrainingError(f"--init {error}") from None


def prepare_data(
    config: TrainConfig, dataset: Dataset, log, replay: Dataset | None = None,
    start: FinishedRun | None = None,
) -> TrainingData:
    """Split off validation, mix in --init's replay, even out classes if asked, and build the two
    pipelines."""
    train_, val = validation_split(len(dataset.y_train), config, dataset.writers, dataset.y_train)
    x, y = dataset.x_train, dataset.y_train
    x_train, y_train, x_val, y_val = take(x, train_), y[train_], take(x, val), y[val]
    log(f"data: {dataset.source}: {len(y_train)} train, {len(y_val)} validation, "
        f"{len(dataset.y_test)} test images of {len(dataset.labels)} classes")
    if dataset.writers is not None:
        trained, held = (np.unique(keys[is_named(keys)])
                         for keys in (dataset.writers[train_], dataset.writers[val]))
        if len(trained) + len(held):
            log(f"validation: the images of {len(held)} of {len(trained) + len(held)} writers, "
                "apart from training")
    validation_writers = None if dataset.writers is None else is_named(dataset.writers[val])
    num_classes = len(dataset.labels)
    targets = y_train
    mixed = mix_in(replay, config, start, log) if replay is not None and start else None
    copies = epoch_copies(config, len(y_train), len(mixed.y_train) if mixed else 0)
    if copies > 1:
        log(f"fine-tuning: each epoch goes over the {len(y_train)} training images {copies} times"
            + (f", {REPLAY_OWN_SHARE:.0%} of its images, the replay the rest" if mixed else ""))
    if mixed is not None:  # the person's images, repeated, then the replay, once an epoch
        counts = {"train": class_counts(np.concatenate([y_train, mixed.y_train]), num_classes)}
        own = read(x_train)
        x_train = np.concatenate([np.tile(own, (copies,) + (1,) * (own.ndim - 1)), mixed.x_train])
        targets = np.concatenate([np.tile(np.eye(num_classes, dtype=np.float32)[y_train],
                                          (copies, 1)), mixed.targets])
        y_train = np.concatenate([np.tile(y_train, copies), mixed.y_train])
        x_val = np.concatenate([read(x_val), mixed.x_val])
        y_val = np.concatenate([y_val, mixed.y_val])
        validation_writers = np.concatenate([
            np.zeros(len(val), bool) if validation_writers is None else validation_writers,
            mixed.val_named])
        copies = 1
    else:
        counts = {"train": class_counts(y_train, num_classes)}
    if not len(y_val):  # every label too rare to hold one out (validation_split)
        log("validation: no label has images enough to hold one out; it reads the training "
            "images")
        x_val, y_val, validation_writers = x_train, y_train, None
    log(f"class counts (train): {format_counts(counts['train'], dataset.labels)}")
    weights = None
    if config.balance == "oversample":
        order = oversample_order(y_train, config.seed)
        x_train, y_train, targets = take(x_train, order), y_train[order], targets[order]
        counts["oversampled"] = class_counts(y_train, num_classes)
        log(f"class counts (oversampled): {format_counts(counts['oversampled'], dataset.labels)}")
    elif config.balance == "class-weight":
        weights = class_weights(y_train, num_classes)
    return TrainingData(
        train=pipeline(x_train, targets, config, num_classes, shuffle=True, copies=copies),
        validation=pipeline(x_val, y_val, config, num_classes),
        images_per_epoch=len(y_train) * copies,
        class_counts=counts,
        class_weights=weights,
        validation_writers=validation_writers,
    )


@dataclass(frozen=True)
class Replayed:
    """The replay's images for training, with their targets, and for validation, split as the
    run's own."""

    x_train: np.ndarray
    y_train: np.ndarray
    targets: np.ndarray  # (images, labels): the --init model's probabilities, 0 for new labels
    x_val: np.ndarray
    y_val: np.ndarray
    val_named: np.ndarray  # which validation images a source names the writer of


def mix_in(replay: Dataset, config: TrainConfig, start: FinishedRun, log) -> Replayed:
    """The replay's training images learn what the --init model reads in them, its probabilities
    (Li and Hoiem, "Learning without forgetting", 2016), so that the run keeps what it reads;
    validation keeps their true labels, to choose the best epoch and the threshold by."""
    train_, val = validation_split(len(replay.y_train), replace(config, limit=None),
                                   replay.writers, replay.y_train)
    log(f"replay: {len(train_)} images of the --init model's data to train on, taught what the "
        f"model reads in them, {len(val)} to validate on")
    x_train, y_train = read(replay.x_train, train_), replay.y_train[train_]
    unmixed = pipeline(x_train, y_train, replace(config, mixup=0.0), len(replay.labels))
    probabilities = start_classifier(start).predict(unmixed, verbose=0)
    targets = np.zeros((len(y_train), len(replay.labels)), np.float32)
    targets[:, :probabilities.shape[1]] = probabilities
    named = np.zeros(len(val), bool) if replay.writers is None else is_named(replay.writers[val])
    return Replayed(x_train, y_train, targets, read(replay.x_train, val), replay.y_train[val],
                    named)


def with_test_of(dataset: Dataset, replay: Dataset | None) -> Dataset:
    """The dataset whose test images are also the replay's: the run's test reads both."""
    if replay is None:
        return dataset
    return replace(dataset, x_test=np.concatenate([read(dataset.x_test), replay.x_test]),
                   y_test=np.concatenate([dataset.y_test, replay.y_test]), test_writers=None)


def epoch_copies(config: TrainConfig, images: int, replayed: int = 0) -> int:
    """How many times an epoch goes over the training images: once, or, from --init, enough
    times for FINE_TUNE_STEPS_PER_EPOCH batches, or, beside `replayed` images, to make
    REPLAY_OWN_SHARE of them all."""
    if not config.init:
        return 1
    if replayed:
        return max(1, round(REPLAY_OWN_SHARE / (1 - REPLAY_OWN_SHARE) * replayed / images))
    return max(1, math.ceil(FINE_TUNE_STEPS_PER_EPOCH * config.batch_size / images))


def fit_phases(
    model: keras.Model, data: TrainingData, config: TrainConfig, staging: Path,
    progress: Progress,
) -> Progress:
    """Train phase after phase from `progress` on; every epoch is checkpointed in `staging`."""
    for phase, first, last in phases(config):
        if progress.epoch >= last:
            continue
        if progress.phase != phase:
            start_phase(model, phase, config, last - first, data.images_per_epoch)
        # What Keras does only under a distribution strategy: without one, it creates the
        # optimizer's and metrics' variables inside the first traced step, which TensorFlow then
        # traces a second time (a one-epoch MobileNetV3Small run on 2 cores: 67 s -> 44 s).
        model._symbolic_build(data_batch=data.train.element_spec)
        checkpoints, ctrl_c = Checkpoints(staging, phase, progress), CtrlC()
        try:
            with ctrl_c.listening():
                model.fit(
                    data.train,
                    validation_data=data.validation,
                    initial_epoch=progress.epoch,
                    epochs=last,
                    callbacks=[*history_loggers(config, staging), checkpoints, *stopping(config),
                               ctrl_c],
                    class_weight=data.class_weights,
                    shuffle=False,  # the pipeline shuffles
                    verbose=1 if sys.stdout.isatty() else 2,
                )
        except KeyboardInterrupt:
            raise Interrupted(interrupted_message(Path(config.out))) from None
        except OSError as error:  # a checkpoint that could not be written
            raise TrainingError(storage_problem(error, Path(config.out))) from None
        progress = checkpoints.progress
        if checkpoints.diverged:
            raise TrainingError(
                f"--learning-rate {config.learning_rate:g}: the loss became NaN or infinite in "
                f"epoch {progress.epoch + 1}, which was not saved; start over with a lower rate "
                f"(--force), or: {interrupted_message(Path(config.out))}"
            )
        if model.stop_training:  # early stopping: no next phase either
            break
    return progress


def interrupted_message(out: Path) -> str:
    """How to go on from here: --resume when a checkpoint exists, else start again (and the
    staging folder, holding nothing to continue from, is removed)."""
    checkpoint = resume_point(out)
    if checkpoint is None:
        discard_unresumable(out)
        return "no epoch was complete, so nothing was kept; start the run again"
    return (f"epoch {checkpoint.progress.epoch} is kept in {checkpoint.model.parent}; continue "
            f"with: python -m trainer train --out {shlex.quote(str(out))} --resume")


def storage_problem(error: OSError, out: Path) -> str:
    """A full disk or a read-only folder: what could not be written, and what is kept."""
    where = error.filename or staging_path(out)
    return f"{where}: cannot write ({error.strerror or error}); {interrupted_message(out)}"


def run_record(
    best: keras.Model, config: TrainConfig, dataset: Dataset, data: TrainingData,
    progress: Progress, strategy: tf.distribute.Strategy | None, log,
    replay: Dataset | None = None, start: FinishedRun | None = None,
) -> dict:
    """The best epoch's test accuracy and everything the export and a reader need to know."""
    tested = with_test_of(dataset, replay)
    test_loss, test_accuracy = best.evaluate(
        pipeline(tested.x_test, tested.y_test, config, len(dataset.labels)), verbose=0
    )
    log(f"test accuracy: {test_accuracy:.4f} ({len(tested.y_test)} images), "
        f"trained in {progress.train_seconds:.0f} s")
    metrics = {"replay": replay_accuracy(best, config, replay, start, log)} if replay and start \
        else {}
    return {
        "model": config.model,
        "labels": dataset.labels,
        "input": dataset.input,
        "input_size": dataset.size,
        "channels": dataset.channels,
        "preprocessing": preprocessing(dataset),
        "ink_limit": drawing_ink_limit(dataset, replay, start.ink_limit if start else None,
                                       log),
        "data_source": dataset.source,
        "candidate_groups": dataset.candidate_groups,
        "one_character": dataset.one_character,
        "credit": credit(dataset),
        "class_counts": data.class_counts,
        "class_weights": data.class_weights,
        "settings": asdict(config),
        "metrics": {
            "test_accuracy": test_accuracy,
            "test_loss": test_loss,
            "best_val_accuracy": max(progress.history["val_accuracy"]),
            "not_sure_threshold": not_sure(best, data,
                                           start.not_sure_threshold if start else None, log),
            "epochs_trained": progress.epoch,
            "train_seconds": round(progress.train_seconds, 1),
            "history": progress.history,
            **metrics,
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


def finish(
    best: keras.Model, staging: Path, run: dict, dataset: Dataset, config: TrainConfig
) -> None:
    """Write what the export reads, then put the finished run in place of `out`."""
    out = Path(config.out)
    record = checked_record(run, staging)
    try:
        write_whole(staging / CLASSIFIER_MODEL, best.get_layer(CLASSIFIER).save)
        sample = np.arange(min(TEST_SAMPLE_SIZE, len(dataset.y_test)))
        x, y = read(dataset.x_test, sample), dataset.y_test[sample]
        write_whole(staging / TEST_SAMPLE, lambda path: np.savez_compressed(path, x=x, y=y))
        write_whole(staging / RUN_FILE, lambda path: path.write_text(record))
        write_whole(staging / CONFIG_FILE, lambda path: path.write_text(config.to_toml()))
    except OSError as error:
        raise TrainingError(storage_problem(error, out)) from None
    try:
        replace_dir(staging, out)
    except OSError as error:  # the run is complete: keep it, and say where
        problem = error.strerror or error
        raise TrainingError(f"{out}: cannot put the finished run in place ({problem}); it is "
                            f"kept whole in {staging}") from None
    for name in (PROGRESS_FILE, BEST_PROGRESS_FILE):
        (out / name).unlink(missing_ok=True)


def checked_record(run: dict, staging: Path) -> str:
    """run.json's text, once it fits its schema: what the export, evaluate and --init will
    accept. A run that does not is kept in `staging` (a trainer bug, not the user's)."""
    try:
        record = json.dumps(run, indent=2, default=float, allow_nan=False) + "\n"
        problem = schema_problem(json.loads(record), RUN_SCHEMA)
    except ValueError as error:  # NaN or infinity in a metric
        problem = str(error)
    if problem:
        raise TrainingError(f"{RUN_FILE}: {problem}; the run's checkpoints are kept in {staging}")
    return record


@contextlib.contextmanager
def precision(config: TrainConfig, log):
    """Keras' global dtype policy for this run only (tests train in-process, one after another)."""
    if config.mixed_precision and not tf.config.list_physical_devices("GPU"):
        log("mixed precision: no GPU here, and float16 on this CPU is several times slower")
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16" if config.mixed_precision else "float32")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def build_classifier(config: TrainConfig, dataset: Dataset) -> keras.Model:
    size, channels, num_classes = dataset.size, dataset.channels, len(dataset.labels)
    if config.model == "mobilenetv3small":
        classifier = build_mobilenet_v3_small(
            size, num_classes, channels, config.alpha, config.weights,
            config.head, config.head_norm, config.features,
        )
        freeze(classifier, config.freeze_until)  # a misspelt layer name fails before any work
        return classifier
    return build_compact_cnn(size, num_classes, channels)


def phases(config: TrainConfig) -> list[tuple[str, int, int]]:
    """(name, first epoch, end epoch): the head alone first when asked, then the whole model."""
    if config.head_epochs:
        return [("head", 0, config.head_epochs), ("all", config.head_epochs, config.epochs)]
    return [("all", 0, config.epochs)]


def start_phase(model: keras.Model, phase: str, config: TrainConfig, epochs: int, images: int):
    """Set what trains in this phase and compile with a fresh optimizer for it."""
    learning_rate = config.learning_rate
    if config.init:  # trained weights: a full rate's first steps would undo much of what they hold
        learning_rate *= FINE_TUNE_RATE
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
    # XLA made the keras-io convnet 7.7x slower on a 2-core CPU under TensorFlow
    # (docs/experiments.md);
    # JAX compiles unless a layer cannot be compiled (the stock augmentation layers).
    model.compile(
        optimizer=OPTIMIZERS[config.optimizer](learning_rate),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing)
        if one_hot(config) else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False if keras.backend.backend() == "tensorflow" else "auto",
    )


OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamax": keras.optimizers.Adamax,
    "sgd": lambda rate: keras.optimizers.SGD(rate, momentum=0.9, nesterov=True),
}


def make_reproducible(seed: int) -> None:
    """Seed Python, NumPy and the backend; on CPU TensorFlow also picks deterministic kernels.

    GPU kernels are left free: several have no deterministic version and would refuse to run.
    """
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow" and not tf.config.list_physical_devices("GPU"):
        tf.config.experimental.enable_op_determinism()


def training_devices() -> list[str]:
    return [device.name for device in tf.config.list_logical_devices("GPU")]


def distribution_strategy(log) -> tf.distribute.Strategy | None:
    """Several GPUs under TensorFlow: mirror the model on each, split every batch between them."""
    devices = training_devices()
    if keras.backend.backend() != "tensorflow" or len(devices) < 2:
        return None
    strategy = tf.distribute.MirroredStrategy(devices)
    log(f"training on {strategy.num_replicas_in_sync} devices with {type(strategy).__name__}")
    return strategy


def format_counts(counts: list[int], labels: list[str]) -> str:
    if len(labels) > 20:
        order = np.argsort(counts, kind="stable")
        rarest = ", ".join(f"{labels[i]}: {counts[i]}" for i in order[:5])
        return (f"{len(labels)} classes, {min(counts)} to {max(counts)} images each "
                f"(median {int(np.median(counts))}); rarest {rarest}")
    return ", ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))


def credit(dataset: Dataset) -> dict:
    """What the model was trained on that asks to be named, and the licence it must be shared
    under (a share-alike source's), or None."""
    licences = [c["licence"] for c in dataset.credits if c["licence"]]
    return {"trained_on": [c["attribution"] for c in dataset.credits],
            "licence": licences[0] if licences else None}


def preprocessing(dataset: Dataset) -> dict:
    return dataset.recipe.to_json()


def not_sure(best: keras.Model, data: TrainingData, kept: float | None, log) -> float | None:
    """calibration.not_sure_threshold of the validation answers; from fewer than
    MIN_RIGHT_ANSWERS right ones, `kept` (the --init model's threshold), or none (the page's
    default)."""
    right, confidence = validation_answers(best, data.validation, data.validation_writers)
    if right.sum() >= MIN_RIGHT_ANSWERS:
        threshold = not_sure_threshold(right, confidence)
        log(f"not sure below a top probability of {threshold:.3f} (flags {RIGHT_FLAGGED:.1%} of "
            "the validation writers' right answers)")
        return threshold
    log(f"not sure: {right.sum()} right validation answers are too few to choose a threshold "
        f"({MIN_RIGHT_ANSWERS} needed); " + (f"the --init model's {kept:.3f} is kept"
                                              if kept is not None else "the page's default"))
    return kept


def drawing_ink_limit(
    dataset: Dataset, replay: Dataset | None, kept: float | None, log
) -> float | None:
    """calibration.ink_limit over (a seeded sample of) the training drawings, the replay's too;
    None for photos. From --init, never below `kept`, its model's limit (a drawing it took is
    taken), and that limit itself from fewer than MIN_INK_IMAGES drawings."""
    if dataset.input != "drawing":
        return None
    count = len(dataset.y_train)
    sample = np.random.default_rng(0).permutation(count)[:INK_SAMPLE]
    drawings = read(dataset.x_train, np.sort(sample))
    if replay is not None:
        drawings = np.concatenate([drawings, replay.x_train])
    if kept is None:
        return ink_limit(drawings)
    if len(drawings) < MIN_INK_IMAGES:
        log(f"ink limit: {len(drawings)} training drawings are too few to choose one "
            f"({MIN_INK_IMAGES} needed); the --init model's {kept:.3f} is kept")
        return kept
    return max(kept, ink_limit(drawings))


def replay_accuracy(best: keras.Model, config: TrainConfig, replay: Dataset,
                    start: FinishedRun, log) -> dict:
    """The accuracy of --init's model and of the run on the replay's test images (the model's
    own test split, or a sample of it): what fine-tuning kept."""
    before = start_classifier(start)
    answers = [model.predict(pipeline(replay.x_test, replay.y_test, config,
                                      len(replay.labels)), verbose=0).argmax(axis=1)
               for model in (before, best)]
    accuracy = [float(np.mean(read == replay.y_test)) for read in answers]
    log(f"the --init model's test images ({len(replay.y_test)}): {accuracy[0]:.4f} read right "
        f"before fine-tuning, {accuracy[1]:.4f} after")
    return {"training_images": len(replay.y_train), "test_images": len(replay.y_test),
            "test_accuracy_before": accuracy[0], "test_accuracy_after": accuracy[1]}
