"""test_sample.npz, the test images a finished run keeps for the export's check and the
evaluation: read and checked against the run record, or one line saying why not."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import numpy as np

from runfolder.errors import OneLineError
from runfolder.layout import RUN_FILE, TEST_SAMPLE
from runfolder.record import first_line

if TYPE_CHECKING:
    from runfolder.finished import FinishedRun


class SampleError(OneLineError):
    """test_sample.npz cannot be used; the message names the file and the problem."""


def read_test_sample(run: FinishedRun, images: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first `images` (all, for None) test images and labels of `run`: images of its input's
    shape, labels among its own."""
    folder = run.folder
    path = folder / TEST_SAMPLE
    if not zipfile.is_zipfile(path):
        raise SampleError(f"{path}: not a test sample (not an .npz archive)")
    try:
        with np.load(path) as sample:
            if not {"x", "y"} <= set(sample.files):
                raise SampleError(f"{path}: no x and y arrays (not a test sample)")
            x, y = sample["x"][:images], sample["y"][:images]
    except (OSError, ValueError, IndexError, EOFError, zipfile.BadZipFile) as error:
        raise SampleError(f"{path}: not a readable test sample ({first_line(error)})") from None
    if not len(x) or len(x) != len(y):
        raise SampleError(f"{path}: {len(x)} images and {len(y)} labels (not a test sample)")
    side, channels = run.input_size, run.channels
    if x.shape[1:] not in run.input_shapes or x.dtype != np.uint8:
        raise SampleError(f"{path}: {x.dtype} images of shape {x.shape[1:]}, but "
                          f"{folder / RUN_FILE} describes uint8 ({side}, {side}, {channels})")
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= len(run.labels):
        raise SampleError(f"{path}: labels that are not 0..{len(run.labels) - 1}, the "
                          f"numbers of {folder / RUN_FILE}'s labels")
    return x, y.astype(np.int64)
