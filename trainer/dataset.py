"""What every loader returns, and the checks and test splits the loaders share."""

from __future__ import annotations

import codecs
import json
import math
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from runfolder.errors import OneLineError
from runfolder.schema import METADATA_SCHEMA
from trainer.config import TrainConfig
from trainer.images import DiskImages, Images
from trainer.photo import PhotoRecipe
from trainer.preprocess import Recipe
from trainer.sniff import UTF8_BOM, Kind, sniff

DRAWING, PHOTO = "drawing", "photo"
MNIST_RECIPE = Recipe()
# Sources without a test split of their own hold out this fraction, chosen by a fixed seed, so
# that every run and every machine tests on the same images.
TEST_FRACTION = 0.1
SPLIT_SEED = 0
UNNAMED_WRITER = "#"  # starts the writer key of an image whose source does not name its writer
# The most bytes one array read into memory may take (uncompressed): EMNIST's largest file holds
# under 1 GiB; a small compressed file that claims more is damaged or a decompression bomb.
LARGEST_ARRAY = 4 << 30
# The longest label the page takes; web/metadata.schema.json says it, for run.json too.
LABEL_LENGTH = json.loads(METADATA_SCHEMA.read_text())["$defs"]["labels"]["items"]["maxLength"]
LABEL_SHOWN = 30  # characters of a bad label shown in its error


class DataError(OneLineError):
    """A data file is missing, unreadable or not what it claims to be."""


@dataclass
class Dataset:
    """Square uint8 images, ink bright on black for drawings, and integer labels into `labels`.

    Images are (N, H, W) for grey or (N, H, W, 3) for colour, as a numpy array or a DiskImages.
    `input` says what the page feeds the model; `recipe` is how it turns a drawing or a photo into
    an input, in training and on the page.
    """

    x_train: Images
    y_train: np.ndarray
    x_test: Images
    y_test: np.ndarray
    labels: list[str]
    source: str
    input: str = DRAWING
    recipe: Recipe | PhotoRecipe = MNIST_RECIPE
    # Who wrote each training image, where a source says (pen strokes): one writer's images, and
    # copies of one source given twice, then stay on one side of the validation split.
    writers: np.ndarray | None = None
    test_writers: np.ndarray | None = None  # likewise each test image's, for figures per writer
    # Characters the page offers together, the first being the model's label (つ and っ).
    candidate_groups: list[list[str]] = field(default_factory=list)
    # Whether the page reads its pad as one character whatever gaps its strokes leave (川, 八):
    # a character of these labels is never split at empty vertical bands into several.
    one_character: bool = False
    # What a source asks its users to name: {"attribution": ..., "licence": of what is built
    # from it, or None}; written into run.json and metadata.json.
    credits: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def size(self) -> int:
        """The side of the square images."""
        return self.x_train.shape[1]

    @property
    def channels(self) -> int:
        return 1 if len(self.image_shape) == 2 else self.image_shape[2]

    @property
    def on_disk(self) -> bool:
        return isinstance(self.x_train, DiskImages) or isinstance(self.x_test, DiskImages)


def text_lines(path: Path, format_name: str, encoding: str = "ascii") -> list[str]:
    """The lines of a data file in a text format, e.g. "Semeion's text format", past a UTF-8
    byte-order mark; every text format is read here (or by whole_text, which this reads with)."""
    return whole_text(path, format_name, encoding).splitlines()


def whole_text(path: Path, format_name: str, encoding: str = "ascii") -> str:
    """A data file in a text format as it is, line ends and all, past a UTF-8 byte-order mark."""
    try:
        data = path.read_bytes()
        return data.removeprefix(UTF8_BOM).decode(encoding)
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        found = sniff(path)
        reason = (f"bytes that are not {codecs.lookup(encoding).name.upper()}"
                  if found.kind is Kind.BINARY else found.description)
        raise DataError(f"{path}: not {format_name} ({reason})") from None


def drawing_recipe(size: int) -> Recipe:
    """MNIST's recipe for another input size: the ink's longer side fills 20/28 of the field."""
    return Recipe(size=size, box=round(MNIST_RECIPE.box / MNIST_RECIPE.size * size))


def holdout(
    count: int, fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) positions, each sorted: a random `fraction` of `count` held out for test."""
    order = np.random.default_rng(seed).permutation(count)
    n_test = round(count * fraction)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def validation_split(
    count: int, config: TrainConfig, writers: np.ndarray | None = None,
    labels: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) positions among the first `--limit` of `count` training images: a
    random `--validation-fraction` of them, chosen by `--seed`, at least one each.

    With `writers` (a key per image, trainer/sources: `concatenate`), validation takes that
    fraction of the named writers (one at least, when there are two) and of the other images, and
    a writer's images, like the copies of an image, are all on one side. With `labels` (the
    images' own), a label with fewer images than it takes for validation to hold out one of them
    keeps them all for training (a symbol drawn 5 times): validation may then be empty."""
    train, validation = _random_validation(count, config, writers)
    if labels is None:
        return train, validation
    counts = np.bincount(labels[np.concatenate([train, validation])])
    rare = np.flatnonzero(counts < math.ceil(1 / config.validation_fraction))
    back = np.isin(labels[validation], rare)
    return np.concatenate([train, validation[back]]), validation[~back]


def _random_validation(
    count: int, config: TrainConfig, writers: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    if config.limit:
        count = min(count, config.limit)
    n_val = max(1, round(count * config.validation_fraction))
    if count - n_val < 1:
        raise DataError(
            f"{count} training image(s) are too few to hold out a validation share and still "
            "train (--validation-fraction, --limit)"
        )
    rng = np.random.default_rng(config.seed)
    if writers is not None:
        keys, groups = np.unique(writers[:count], return_inverse=True)
        named = is_named(keys)
        fraction = config.validation_fraction
        held = [  # each kind keeps one key at least for training
            rng.permutation(kind)[: min(len(kind) - 1, max(1, round(len(kind) * fraction)))]
            for kind in (np.flatnonzero(named), np.flatnonzero(~named))
            if len(kind) >= 2
        ]
        if held:  # else a single writer: a random share, as without writers
            in_validation = np.isin(groups, np.concatenate(held))
            return rng.permutation(np.flatnonzero(~in_validation)), np.flatnonzero(in_validation)
    order = rng.permutation(count)
    return order[n_val:], order[:n_val]


def is_named(writers: np.ndarray) -> np.ndarray:
    """Which writer keys a source named (the others: UNNAMED_WRITER, one image each)."""
    return ~np.char.startswith(writers.astype(str), UNNAMED_WRITER)


def from_arrays(
    arrays: dict[str, np.ndarray], labels: list[str] | None, source: str, where: Path
) -> Dataset:
    """A Dataset from in-memory x_train, y_train, x_test, y_test, checked.

    Grey images, (N, H, W) or (N, H, W, 1), are drawings with MNIST's recipe scaled to H; colour
    images (N, H, W, 3) are photos, prepared for the page at H. Labels default to "0".."K-1".
    """
    x_train, x_test = (_image_array(arrays[key], key, where) for key in ("x_train", "x_test"))
    y_train, y_test = (_label_array(arrays[key], key, where) for key in ("y_train", "y_test"))
    if x_train.shape[1:] != x_test.shape[1:]:
        raise DataError(
            f"{where}: train images are {x_train.shape[1:]} but test images {x_test.shape[1:]}"
        )
    if labels is None:
        labels = _digit_labels(np.concatenate([y_train, y_test]), where)
    if len(set(labels)) != len(labels):
        raise DataError(f"{where}: some class names appear twice in labels")
    photo = x_train.ndim == 4
    dataset = Dataset(
        x_train,
        y_train,
        x_test,
        y_test,
        labels,
        source,
        input=PHOTO if photo else DRAWING,
        recipe=PhotoRecipe(x_train.shape[1]) if photo else drawing_recipe(x_train.shape[1]),
    )
    return checked(dataset, where)


def checked(dataset: Dataset, where: Path) -> Dataset:
    """The dataset, after checking that images and labels pair up and labels are in range."""
    for split in ("train", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        if len(x) != len(y):
            raise DataError(f"{where}: {len(x)} {split} images but {len(y)} labels")
        if len(y) and (y.min() < 0 or y.max() >= len(dataset.labels)):
            raise DataError(f"{where}: {split} labels outside 0..{len(dataset.labels) - 1}")
    return dataset


def check_trainable(dataset: Dataset, every_label: bool = True) -> None:
    """Something to learn and to test: two classes or more, each with training images, and
    test images. Without `every_label` (fine-tuning a model on some of its labels), two of the
    labels with training images are enough."""
    where, labels = dataset.source, dataset.labels
    check_labels(labels, where)
    if not len(dataset.y_train):
        raise DataError(f"{where}: no training images")
    counts = np.bincount(dataset.y_train, minlength=len(labels))
    used = labels if every_label else [labels[k] for k in np.flatnonzero(counts)]
    if len(used) < 2:
        raise DataError(f"{where}: only one class ({', '.join(used)}); need two or more")
    if not len(dataset.y_test):
        raise DataError(f"{where}: no test images (too few images to hold some out)")
    empty = [labels[k] for k in np.flatnonzero(counts == 0)]
    if empty and every_label:
        raise DataError(f"{where}: {len(empty)} of {len(labels)} classes have no training "
                        f"images ({', '.join(empty[:5])}{', ...' if len(empty) > 5 else ''})")


def check_labels(labels: list[str], where: str) -> None:
    """Labels a run.json and the page take, checked before training rather than after it:
    each non-empty, LABEL_LENGTH characters at most, with no control character."""
    for label in labels:
        shown = repr(label[:LABEL_SHOWN]) + ("..." if len(label) > LABEL_SHOWN else "")
        if not label:
            raise DataError(f"{where}: an empty label")
        if len(label) > LABEL_LENGTH:
            raise DataError(f"{where}: the label {shown} is {len(label):,} characters long "
                            f"(at most {LABEL_LENGTH})")
        if any(unicodedata.category(char) == "Cc" for char in label):
            raise DataError(f"{where}: the label {shown} holds a control character")


def onto_labels(dataset: Dataset, labels: list[str], where: Path) -> Dataset:
    """The dataset with `labels` as its labels, in their order, e.g. a person's few 3s and 7s as
    labels of a digits model; every label it uses must be among them."""
    if dataset.labels == labels:
        return dataset
    used = used_labels(dataset)
    unknown = [label for label in used if label not in labels]
    if unknown:
        shown = ", ".join(unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        raise DataError(f"{where}: {len(unknown)} of its {len(used)} labels are not the "
                        f"model's: {shown}")
    to_model = np.array([labels.index(label) if label in labels else -1
                         for label in dataset.labels])
    return replace(dataset, y_train=to_model[dataset.y_train], y_test=to_model[dataset.y_test],
                   labels=labels)


def used_labels(dataset: Dataset) -> list[str]:
    """The labels some image of the dataset has, in the dataset's order."""
    return [dataset.labels[k] for k in np.unique(np.concatenate([dataset.y_train, dataset.y_test]))]


def _digit_labels(y: np.ndarray, where: Path) -> list[str]:
    """Class names "0".."K-1" for labels that must use every value 0..K-1 (a stray 255 among
    ten digits would otherwise make 246 empty classes)."""
    used = np.unique(y)
    if len(used) and used[-1] >= len(used):
        raise DataError(
            f"{where}: labels run up to {used[-1]} but only {len(used)} values are used "
            f"({', '.join(map(str, used[:12]))}{', ...' if len(used) > 12 else ''}); "
            "classes must be numbered 0..K-1, each with images"
        )
    return [str(k) for k in range(len(used))]


def _image_array(x: np.ndarray, key: str, where: Path) -> np.ndarray:
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[-1] != 3) or x.shape[1] != x.shape[2]:
        raise DataError(
            f"{where}: {key} has shape {x.shape}, expected square images (N, H, H) for grey "
            "or (N, H, H, 3) for colour"
        )
    if x.dtype != np.uint8:
        if not np.issubdtype(x.dtype, np.integer) or (x.size and (x.min() < 0 or x.max() > 255)):
            raise DataError(f"{where}: {key} is {x.dtype}, expected uint8 pixels 0..255")
        x = x.astype(np.uint8)
    return x


def _label_array(y: np.ndarray, key: str, where: Path) -> np.ndarray:
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{where}: {key} is {y.dtype} {y.shape}, expected one integer per image")
    return y.astype(np.int64)


def with_test_split(
    x: np.ndarray, y: np.ndarray, is_test: np.ndarray, labels: list[str], source: str,
    recipe: Recipe, where: Path, writers: np.ndarray | None = None,
) -> Dataset:
    """In-memory drawings already normalised with `recipe`, split where `is_test` says; when
    nothing is marked test, TEST_FRACTION is held out by SPLIT_SEED."""
    if is_test.any():
        train, test = np.flatnonzero(~is_test), np.flatnonzero(is_test)
    else:
        train, test = holdout(len(y))
        source += f" (no test split: {TEST_FRACTION:.0%} held out by seed {SPLIT_SEED})"
    dataset = Dataset(x[train], y[train], x[test], y[test], labels, source, recipe=recipe,
                      writers=None if writers is None else writers[train],
                      test_writers=None if writers is None else writers[test])
    return checked(dataset, where)
