"""See what the model sees: real images beside their augmented versions, as one PNG."""

from __future__ import annotations

from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from runfolder.atomic import write_whole  # noqa: E402
from trainer.data import Dataset  # noqa: E402
from trainer.disk import read  # noqa: E402


def augmented_grid(
    images: np.ndarray, augmentation: keras.Model, variants: int, seed: int
) -> np.ndarray:
    """(rows, 1 + variants, H, W[, 3]): each image, then `variants` augmented draws of it."""
    keras.utils.set_random_seed(seed)
    batch = images.reshape(*images.shape[:3], -1).astype("float32")
    draws = [keras.ops.convert_to_numpy(augmentation(batch, training=True)).reshape(images.shape)
             for _ in range(variants)]
    return np.stack([images.astype("float32"), *draws], axis=1)


def write_preview(
    dataset: Dataset, augmentation: keras.Model, out: Path, variants: int, seed: int
) -> np.ndarray:
    """One training image of each class per row: the original, then augmented versions."""
    firsts = [np.flatnonzero(dataset.y_train == c)[:1] for c in range(len(dataset.labels))]
    rows = np.concatenate(firsts)
    grid = augmented_grid(read(dataset.x_train, rows), augmentation, variants, seed)
    figure, axes = plt.subplots(
        len(rows), variants + 1, figsize=(variants + 1, len(rows)), squeeze=False
    )
    for r, row in enumerate(grid):
        for c, image in enumerate(row):
            pixels = np.clip(image, 0, 255).astype(np.uint8)
            axes[r, c].imshow(pixels, cmap="gray", vmin=0, vmax=255)
            axes[r, c].set_axis_off()
        axes[r, 0].set_title(dataset.labels[dataset.y_train[rows[r]]], fontsize=8, loc="left")
    figure.suptitle("left: the training image; right: what augmentation makes of it", fontsize=9)
    figure.tight_layout()
    write_whole(out, lambda path: figure.savefig(path, dpi=80))
    plt.close(figure)
    return grid
