"""Image collections that stay on disk until a batch is needed, and helpers for any image set.

A `DiskImages` is a list of indices into an `ImageSource` (ETL record files, a folder of photos).
It looks like an image array where the trainer needs it (`shape`, `len`), and `take`, `read` and
`to_tf` work alike on it and on a numpy array, so callers need not care which one they hold.
TensorFlow is imported inside functions: loading data must not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias

import numpy as np

if TYPE_CHECKING:
    import tensorflow as tf

# Indices per call into numpy while streaming: large enough that the Python overhead per call is
# small, small enough that the first batch is quick and memory stays flat.
STREAM_CHUNK = 256


class ImageSource(Protocol):
    """Images on disk, addressed by index 0..count-1."""

    @property
    def image_shape(self) -> tuple[int, ...]:
        """(H, W) or (H, W, 3)."""
        ...

    def read(self, indices: np.ndarray) -> np.ndarray:
        """uint8 images (len(indices), *image_shape), in the order given."""
        ...

    def to_tf(self, indices: np.ndarray) -> tf.data.Dataset:
        """The same images one by one as a stream, in the order given."""
        ...


@dataclass(frozen=True, eq=False)
class DiskImages:
    """Some of a source's images, in a given order; nothing is read until `read` or `to_tf`."""

    source: ImageSource
    indices: np.ndarray = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.indices), *self.source.image_shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        return len(self.indices)

    def take(self, indices: np.ndarray) -> DiskImages:
        """A subset or reordering, by positions in this collection."""
        return DiskImages(self.source, self.indices[np.asarray(indices, dtype=np.int64)])

    def read(self, indices: np.ndarray | None = None) -> np.ndarray:
        """These images (or those at `indices`) as one uint8 array in memory."""
        chosen = self.indices if indices is None else self.take(indices).indices
        return self.source.read(chosen)

    def to_tf(self) -> tf.data.Dataset:
        """uint8 image tensors (H, W) or (H, W, 3), in order, read from disk as they are needed."""
        return self.source.to_tf(self.indices)


Images: TypeAlias = np.ndarray | DiskImages


def take(images: Images, indices: np.ndarray) -> Images:
    """Images at `indices` (a subset or reordering); reads nothing from a DiskImages."""
    if isinstance(images, DiskImages):
        return images.take(indices)
    return images[np.asarray(indices, dtype=np.int64)]


def read(images: Images, indices: np.ndarray | None = None) -> np.ndarray:
    """Images (or those at `indices`) as a uint8 array in memory."""
    if isinstance(images, DiskImages):
        return images.read(indices)
    return images if indices is None else images[np.asarray(indices, dtype=np.int64)]


def to_tf(images: Images) -> tf.data.Dataset:
    """A tf.data stream of single uint8 images, in order."""
    if isinstance(images, DiskImages):
        return images.to_tf()
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(images)


def stream_numpy(
    read_chunk: Callable[[np.ndarray], np.ndarray],
    indices: np.ndarray,
    image_shape: tuple[int, ...],
    chunk_size: int = STREAM_CHUNK,
) -> tf.data.Dataset:
    """Stream images that a numpy function reads by index: chunks of `chunk_size` indices go through
    `read_chunk` in parallel (order kept) and come out one image at a time."""
    import tensorflow as tf

    def read_in_numpy(chunk: tf.Tensor) -> tf.Tensor:
        images = tf.numpy_function(read_chunk, [chunk], tf.uint8, stateful=False)
        return tf.ensure_shape(images, (None, *image_shape))

    chunks = tf.data.Dataset.from_tensor_slices(np.asarray(indices, np.int64)).batch(chunk_size)
    images = chunks.map(read_in_numpy, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return images.unbatch()
