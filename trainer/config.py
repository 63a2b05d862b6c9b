"""Training settings: defaults, then a TOML file whose keys are the flags, then the command line.

The resolved settings are saved with the model as config.toml, which `--config` reads back.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

import tomli_w

CHOICES = {
    "model": ("cnn", "mobilenetv3small"),
    "head": ("gap", "flatten"),
    "head_norm": ("dropout", "batchnorm"),
    "optimizer": ("adam", "adamax", "sgd"),
    "schedule": ("cosine", "constant", "plateau"),
    "augment": ("fused", "stock", "none"),
    "flip": ("none", "horizontal", "vertical", "horizontal_and_vertical"),
    "balance": ("none", "oversample", "class-weight"),
}


class ConfigError(Exception):
    """A settings file or value that cannot be used; the message names where it came from."""


@dataclass
class TrainConfig:
    out: str = "models/mnist"
    data: list[str] = field(default_factory=list)
    image_size: int = 96  # side that photos from an image folder are resized to
    # The model.
    model: str = "cnn"
    alpha: float = 1.0  # MobileNetV3Small width multiplier
    weights: str = "none"  # MobileNetV3Small: none, imagenet, or a weights file
    head: str = "gap"  # MobileNetV3Small: pooling before the classifier layer
    head_norm: str = "dropout"  # MobileNetV3Small: dropout or batch normalisation in the head
    freeze_until: str | None = None  # keep backbone layers up to this one frozen
    head_epochs: int = 0  # first train the head alone for this many epochs, then unfreeze
    mixed_precision: bool = False
    # The optimisation.
    epochs: int = 15
    optimizer: str = "adam"  # adam, adamax or sgd (with Nesterov momentum 0.9)
    learning_rate: float = 1e-3
    schedule: str = "cosine"  # cosine decay to 0, constant, or halve on a validation plateau
    patience: int | None = None  # stop after this many epochs without a better val_accuracy
    batch_size: int = 128
    validation_fraction: float = 0.1
    balance: str = "none"  # oversample, class-weight or none
    limit: int | None = None  # train on the first N images only, for quick runs
    seed: int = 0
    # Augmentation, in the graph and active in training only; mixup mixes batches in the pipeline.
    augment: str = "fused"  # one random affine resample, the three stock Keras layers, or none
    rotation: float = 0.05  # fraction of a full turn: 0.05 is +-18 degrees
    zoom: float = 0.1
    translation: float = 0.1
    flip: str = "none"  # photos only: characters must not be mirrored
    contrast: float = 0.0
    erasing: float = 0.0  # probability of erasing a random rectangle (cutout)
    mixup: float = 0.0  # Beta(alpha, alpha) of mixup; 0 is off

    def to_toml(self) -> str:
        return tomli_w.dumps({
            key.replace("_", "-"): value for key, value in asdict(self).items() if value is not None
        })


def read_config(path: Path) -> dict[str, Any]:
    """The settings a TOML file gives, checked against the flags' names, types and choices."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    return checked({key.replace("-", "_"): value for key, value in raw.items()}, str(path))


def resolve(file_settings: dict[str, Any], cli_settings: dict[str, Any]) -> TrainConfig:
    """Defaults, overridden by the file, overridden by the flags given on the command line."""
    return TrainConfig(**{**file_settings, **checked(cli_settings, "command line")})


def checked(settings: dict[str, Any], where: str) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(TrainConfig)}
    for key, value in settings.items():
        flag = "--" + key.replace("_", "-")
        if key not in types:
            raise ConfigError(f"{where}: unknown setting {flag}")
        if value is None:
            continue
        expected = types[key]
        if not _matches(value, expected):
            raise ConfigError(f"{where}: {flag} must be {expected.split(' |')[0]}, got {value!r}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError(f"{where}: {flag} must be one of {', '.join(CHOICES[key])}")
        if key == "weights" and value not in ("none", "imagenet") and not Path(value).is_file():
            raise ConfigError(f"{where}: {flag} {value}: no such file (none, imagenet or a file)")
    return {key: _plain(value) for key, value in settings.items()}


def _plain(value: Any) -> Any:
    """Paths as strings, as TOML writes them."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return str(value) if isinstance(value, Path) else value


def _matches(value: Any, expected: str) -> bool:
    if expected.startswith("list"):
        return isinstance(value, list | tuple)
    if expected.startswith("bool"):
        return isinstance(value, bool)
    if expected.startswith("int"):
        return isinstance(value, int) and not isinstance(value, bool)
    if expected.startswith("float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str | Path)
