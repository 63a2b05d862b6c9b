"""The input pipeline: images and labels as the batches a training run reads."""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf

from trainer.config import TrainConfig
from trainer.images import to_tf

# Decoded images are cached in memory up to this share of the machine's RAM (ETL9B at 64x64 is
# 2.5 GB); beyond it they are read and decoded from disk again every epoch.
CACHE_RAM_SHARE = 0.25
SHUFFLE_BUFFER = 20_000  # on top of one full shuffle of the training order


def pipeline(
    images, labels: np.ndarray, config: TrainConfig, num_classes: int, shuffle: bool = False,
    copies: int = 1,
) -> tf.data.Dataset:
    """uint8 images -> cached, batched float32 (N, H, W, C) batches, `copies` times over;
    mixup when training."""
    data = tf.data.Dataset.zip(to_tf(images), tf.data.Dataset.from_tensor_slices(labels))
    data = data.apply(tf.data.experimental.assert_cardinality(len(labels)))  # streams hide it
    if len(images.shape) == 3:
        data = data.map(lambda image, label: (image[..., None], label))
    if np.prod(images.shape) <= CACHE_RAM_SHARE * ram_bytes():  # uint8: a byte per value
        data = data.cache()
    if copies > 1:
        data = data.repeat(copies)
    if shuffle:
        buffer = min(len(labels) * copies, SHUFFLE_BUFFER)
        data = data.shuffle(buffer, seed=config.seed, reshuffle_each_iteration=True)
    data = data.batch(config.batch_size)
    data = data.map(lambda x, y: (tf.cast(x, tf.float32), y), num_parallel_calls=tf.data.AUTOTUNE)
    if one_hot(config) and labels.ndim == 1:  # 2-D: the targets already (trainer/replay.py)
        data = data.map(lambda x, y: (x, tf.one_hot(y, num_classes)))
        if shuffle and config.mixup:
            data = data.map(mixup(config.mixup, config.seed))
    return data.prefetch(tf.data.AUTOTUNE)


def one_hot(config: TrainConfig) -> bool:
    """Targets as one-hot vectors, which mixup blends and label smoothing spreads (Keras' sparse
    loss does neither), and the replay's targets are the --init model's probabilities."""
    return bool(config.mixup or config.label_smoothing or (config.init and config.replay))


def ram_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def mixup(alpha: float, seed: int):
    """Blend each batch with itself reversed, images and one-hot targets alike (Keras' MixUp)."""
    layer = keras.layers.MixUp(alpha=alpha, seed=seed)

    def mix(images, targets):
        mixed = layer({"images": images, "labels": targets})
        return mixed["images"], mixed["labels"]

    return mix
