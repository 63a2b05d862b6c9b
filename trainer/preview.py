"""See what the model sees: real images beside their augmented versions, as one PNG."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from runfolder.atomic import write_whole  # noqa: E402
from trainer.dataset import Dataset  # noqa: E402
from trainer.images import read  # noqa: E402
from trainer.preprocess import Recipe  # noqa: E402
from trainer.strokes import render_inputs  # noqa: E402
from trainer.synthetic import draw, rng_for  # noqa: E402

MAX_ROWS = 20  # classes drawn at most (ETL9B has 3,036): a sample chosen by the seed beyond it


class Preview(NamedTuple):
    rows: np.ndarray  # positions in the training images, one per class drawn
    grid: np.ndarray  # (rows, 1 + variants, H, W[, 3]), as augmented_grid gives


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
) -> Preview:
    """One training image per class and row (at most MAX_ROWS classes): the original, then
    augmented versions. The figure's title, also the PNG's Title, says which classes."""
    classes = preview_classes(dataset.y_train, seed)
    rows = np.array([np.flatnonzero(dataset.y_train == c)[0] for c in classes], np.int64)
    grid = augmented_grid(read(dataset.x_train, rows), augmentation, variants, seed)
    title = preview_title(len(classes), len(np.unique(dataset.y_train)), seed)
    write_grid(grid, [dataset.labels[c] for c in classes], title, out)
    return Preview(rows, grid)


def write_grid(grid: np.ndarray, row_titles: list[str], title: str, out: Path) -> None:
    """A PNG of images (rows, columns, H, W[, 3]), each row titled, the figure's title also the
    PNG's Title."""
    rows, columns = grid.shape[:2]
    figure, axes = plt.subplots(rows, columns, figsize=(columns, rows + 0.5), squeeze=False)
    for r, row in enumerate(grid):
        for c, image in enumerate(row):
            pixels = np.clip(image, 0, 255).astype(np.uint8)
            axes[r, c].imshow(pixels, cmap="gray", vmin=0, vmax=255)
            axes[r, c].set_axis_off()
        axes[r, 0].set_title(row_titles[r], fontsize=8, loc="left")
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    write_whole(out, lambda path: figure.savefig(path, dpi=80, metadata={"Title": title}))
    plt.close(figure)


def write_synthetic_preview(
    labels: list[str], references: dict[str, list[list[np.ndarray]]], recipe: Recipe, out: Path,
    variants: int, seed: int,
) -> np.ndarray:
    """Each reference shape of up to MAX_ROWS labels (chosen by the seed), as the page's recipe
    draws it, then `variants` drawings of it by the synthetic writer `seed`: the grid."""
    chosen = [labels[k] for k in preview_classes(np.arange(len(labels)), seed)]
    rows = [(label, shape) for label in chosen for shape in references[label]][:MAX_ROWS]
    characters: list = []
    seen: dict[str, int] = {}
    for label, shape in rows:
        first = seen.setdefault(label, 0)  # a label's next shape: drawings of other numbers
        seen[label] += variants
        characters.append([stroke.tolist() for stroke in shape])
        characters += [draw(shape, rng_for(seed, label, first + n)) for n in range(variants)]
    grid = render_inputs(characters, recipe).reshape(len(rows), variants + 1, recipe.size, -1)
    title = ("left: the reference (KanjiVG); right: the synthetic writer's drawings of it, "
             f"seed {seed}")
    # Rows are named by code point, as KanjiVG names its files: matplotlib's font has no kana.
    write_grid(grid, [f"{ord(label):05x}" for label, _ in rows], title, out)
    return grid


def preview_classes(labels: np.ndarray, seed: int) -> np.ndarray:
    """The classes with training images, or MAX_ROWS of them chosen by the seed, in order."""
    present = np.unique(labels)
    if len(present) <= MAX_ROWS:
        return present
    return np.sort(np.random.default_rng(seed).choice(present, MAX_ROWS, replace=False))


def preview_title(shown: int, total: int, seed: int) -> str:
    title = "left: the training image; right: what augmentation makes of it"
    if shown < total:
        title += f"\n{shown} of {total:,} classes, chosen by seed {seed}"
    return title
