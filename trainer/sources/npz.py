"""An .npz of images and labels: Keras' mnist.npz, or x and y arrays of your own."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from runfolder.record import first_line
from trainer.dataset import (
    LARGEST_ARRAY,
    SPLIT_SEED,
    TEST_FRACTION,
    DataError,
    Dataset,
    from_arrays,
    holdout,
)
from trainer.sniff import Kind, sniff
from trainer.sources.mnist import DIGIT_LABELS, IDX_NAMES


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


def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], list[str] | None]:
    """The arrays of one of the two .npz layouts, and the class names if it has them."""
    found = sniff(path)
    if found.kind is not Kind.ZIP:  # what every .npz is
        raise DataError(f"{path}: not a readable .npz file ({found.description})")
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
            for key in [*keys, *(["labels"] if "labels" in archive else [])]:
                check_size(path, archive, key)
            arrays = {key: archive[key] for key in keys}
            labels = archive["labels"].astype(str).tolist() if "labels" in archive else None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz file ({first_line(error)})") from None
    return arrays, labels


def check_size(path: Path, archive: np.lib.npyio.NpzFile, key: str) -> None:
    """The array `key` would fit in memory: its header's shape, read before its data (a small
    compressed .npz may claim terabytes)."""
    with archive.zip.open(f"{key}.npy") as file:
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(file)
    size = math.prod(shape) * dtype.itemsize
    if size > LARGEST_ARRAY:
        raise DataError(f"{path}: array {key} of shape {shape} would take {size / 2**30:,.0f} GiB "
                        f"(more than {LARGEST_ARRAY >> 30} GiB)")
