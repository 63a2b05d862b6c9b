"""A folder of photos with one sub-folder per class, as Keras' image_dataset_from_directory takes.

The photos stay on disk; TensorFlow decodes them as they stream, crops the centre square (as the
page does with a photo) and resizes it to `image_size`. Each file's header is checked with Pillow
when the folder is loaded, so that a broken file is named before training starts rather than
failing somewhere inside TensorFlow.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, UnidentifiedImageError

from trainer.dataset import PHOTO, SPLIT_SEED, TEST_FRACTION, DataError, Dataset, checked
from trainer.disk import DiskImages

if TYPE_CHECKING:
    import tensorflow as tf

IMAGE_SIZE = 96  # side of the model input; the trainer's --image-size overrides it
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
DECODABLE = {"PNG", "JPEG", "MPO", "BMP", "GIF"}  # what tf.io.decode_image reads; MPO is a JPEG
READ_BATCH = 64
TF_NOISE = re.compile(r"\{\{.*?\}\}|\[Op:.*", re.DOTALL)  # TensorFlow's op names in a message


def class_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_image_folder(folder: Path, image_size: int = IMAGE_SIZE) -> Dataset:
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
    for path in paths:
        check_header(path)
    y = np.array(labels, dtype=np.int64)
    train, test = holdout_per_class(y)
    files = ImageFiles(paths, image_size)
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
        recipe=None,
    )
    return checked(dataset, folder)


def image_files(folder: Path) -> list[Path]:
    """The images of one class; hidden files (macOS's ._photo.jpg, say) are not photos."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )


def check_header(path: Path) -> None:
    """Pillow's cheap check: a known format, an intact header (and for PNG intact chunks).

    It does not decode the pixels, so a JPEG cut short after its header passes; `read` names
    such a file when it fails to decode."""
    try:
        with Image.open(path) as image:
            kind = image.format
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise DataError(f"{path}: not a readable image ({error})") from None
    if kind not in DECODABLE:
        raise DataError(f"{path}: a {kind} image; TensorFlow reads only PNG, JPEG, BMP and GIF")


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
    """Image files decoded by TensorFlow to (image_size, image_size, 3) uint8."""

    def __init__(self, paths: list[Path], image_size: int) -> None:
        self.paths = np.array([str(path) for path in paths])
        self.image_size = image_size
        self.image_shape = (image_size, image_size, 3)

    def to_tf(self, indices: np.ndarray) -> tf.data.Dataset:
        import tensorflow as tf

        paths = tf.data.Dataset.from_tensor_slices(self.paths[np.asarray(indices, np.int64)])
        return paths.map(self.decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    def read(self, indices: np.ndarray) -> np.ndarray:
        import tensorflow as tf

        indices = np.asarray(indices, np.int64)
        if not len(indices):
            return np.zeros((0, *self.image_shape), np.uint8)
        try:
            return np.concatenate(list(self.to_tf(indices).batch(READ_BATCH).as_numpy_iterator()))
        except tf.errors.OpError:  # undecodable, or gone since loading
            self._raise_for_broken(indices)
            raise

    def decode(self, path: tf.Tensor) -> tf.Tensor:
        """Decode, crop the centre square, resize with antialiasing, round back to uint8."""
        import tensorflow as tf

        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        height, width = tf.shape(image)[0], tf.shape(image)[1]
        side = tf.minimum(height, width)
        square = tf.image.crop_to_bounding_box(
            image, (height - side) // 2, (width - side) // 2, side, side
        )
        resized = tf.image.resize(square, (self.image_size, self.image_size), antialias=True)
        return tf.ensure_shape(tf.saturate_cast(tf.round(resized), tf.uint8), self.image_shape)

    def _raise_for_broken(self, indices: np.ndarray) -> None:
        """Decode one file at a time to name the one TensorFlow could not read."""
        import tensorflow as tf

        for path in self.paths[indices]:
            try:
                self.decode(tf.constant(path))
            except tf.errors.OpError as error:
                reason = TF_NOISE.sub("", error.message).strip()
                raise DataError(f"{path}: TensorFlow cannot decode it ({reason})") from None
