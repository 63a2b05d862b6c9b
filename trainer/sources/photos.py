"""A folder of photos with one sub-folder per class, as Keras' image_dataset_from_directory takes.

The photos stay on disk and are prepared as they stream, by the photo recipe the page runs
(trainer/photo.py: upright by EXIF, centre square, area-averaged to the input size). Every
file is decoded in full when the folder is loaded, so that a broken one is named before training
starts rather than failing somewhere inside TensorFlow.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from trainer.dataset import PHOTO, SPLIT_SEED, TEST_FRACTION, DataError, Dataset, checked
from trainer.images import DiskImages, stream_numpy
from trainer.photo import PhotoRecipe, photo_pixels, photo_to_input
from trainer.sniff import IMAGES, sniff

if TYPE_CHECKING:
    import tensorflow as tf

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
FORMATS = {"PNG", "JPEG", "MPO", "BMP", "GIF"}  # what Pillow and every browser read; MPO is a JPEG
# Photos per call into numpy while streaming: each takes a while to decode, so that chunks of a
# small folder still go through in parallel.
STREAM_CHUNK = 8
CHECK_THREADS = os.cpu_count() or 1  # Pillow decodes without holding the GIL
# What Pillow raises for a file it cannot decode.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def class_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_image_folder(folder: Path, image_size: int) -> Dataset:
    """Photos in FOLDER/CLASS/*.png|jpg: labels are the sorted sub-folder names."""
    classes = class_folders(folder)
    if not classes:
        raise DataError(f"{folder}: no class sub-folders (expected FOLDER/CLASS/image.png ...)")
    if len(classes) == 1:
        only = classes[0].name
        raise DataError(f"{folder}: only one class sub-folder ({only}); need two or more")
    paths, labels = [], []
    for label, class_folder in enumerate(classes):
        images = image_files(class_folder)
        if not images:
            suffixes = ", ".join(IMAGE_SUFFIXES)
            raise DataError(f"{class_folder}: no images ({suffixes})")
        paths += images
        labels += [label] * len(images)
    check_photos(paths)
    y = np.array(labels, dtype=np.int64)
    train, test = holdout_per_class(y)
    recipe = PhotoRecipe(image_size)
    files = ImageFiles(paths, recipe)
    source = (
        f"{folder} ({len(paths):,} images; no test split on disk, so {TEST_FRACTION:.0%} of each "
        f"class, at least 1, is held out by seed {SPLIT_SEED})"
    )
    dataset = Dataset(
        DiskImages(files, train),
        y[train],
        DiskImages(files, test),
        y[test],
        [c.name for c in classes],
        source,
        input=PHOTO,
        recipe=recipe,
    )
    return checked(dataset, folder)


def image_files(folder: Path) -> list[Path]:
    """The images of one class; hidden files (macOS's ._photo.jpg, say) are not photos."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )


def check_photos(paths: list[Path]) -> None:
    """Decode every file in full, a few at a time; the first broken one in order is named."""
    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        try:
            for _ in pool.map(check_photo, paths):
                pass
        except DataError:
            pool.shutdown(cancel_futures=True)
            raise


def check_photo(path: Path) -> None:
    """A format the page reads too, an intact header (and for PNG intact chunks), and pixels
    that decode to the end: a JPEG cut short passes the first two checks."""
    try:
        with Image.open(path) as image:
            kind = image.format
            image.verify()
    except DECODE_ERRORS as error:  # UnidentifiedImageError is an OSError
        found = sniff(path)
        reason = error if found.kind in IMAGES else found.description  # a .jpg that is gzip ...
        raise DataError(f"{path}: not a readable image ({reason})") from None
    if kind not in FORMATS:
        raise DataError(f"{path}: a {kind} image; photos must be PNG, JPEG, BMP or GIF")
    read_photo(path)


def read_photo(path: Path) -> np.ndarray:
    """The photo's upright RGB pixels; a file that does not decode is named."""
    try:
        return photo_pixels(path)
    except DECODE_ERRORS as error:
        raise DataError(f"{path}: cannot decode it ({error})") from None


def holdout_per_class(
    y: np.ndarray, fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) positions, sorted: `fraction` of each class held out, at least 1 when the
    class has 2 or more images."""
    rng = np.random.default_rng(seed)
    tests = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = max(1, round(len(members) * fraction)) if len(members) >= 2 else 0
        tests.append(members[:n_test])
    test = np.sort(np.concatenate(tests))
    return np.setdiff1d(np.arange(len(y)), test), test


class ImageFiles:
    """Photo files, each prepared by the photo recipe to (size, size, 3) uint8 as it is read."""

    def __init__(self, paths: list[Path], recipe: PhotoRecipe) -> None:
        self.paths = paths
        self.recipe = recipe
        self.image_shape = (recipe.size, recipe.size, 3)

    def read(self, indices: np.ndarray) -> np.ndarray:
        images = np.zeros((len(indices), *self.image_shape), np.uint8)
        for i, index in enumerate(indices):
            images[i] = photo_to_input(read_photo(self.paths[index]), self.recipe)
        return images

    def to_tf(self, indices: np.ndarray) -> tf.data.Dataset:
        return stream_numpy(self.read, indices, self.image_shape, chunk_size=STREAM_CHUNK)
