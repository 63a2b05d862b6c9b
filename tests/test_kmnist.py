"""KMNIST: a tiny folder in its published layout, and the real one in ../shared/data/kmnist."""

import unicodedata

import numpy as np
import pytest

from tests.helpers import SHARED_DATA, write_kmnist
from trainer.dataset import DataError
from trainer.preprocess import Recipe
from trainer.sources import load_path

REAL_KMNIST = SHARED_DATA / "kmnist"




def test_kmnist_without_train_images_splits_its_test_set(tmp_path):
    write_kmnist(tmp_path, n_test=20, n_train=0)
    np.savez(tmp_path / "kmnist-train-labels.npz", np.zeros(60, np.uint8))  # labels, no images
    dataset = load_path(tmp_path)
    assert dataset.labels == ["お", "き", "す"]
    assert (len(dataset.x_train), len(dataset.x_test)) == (18, 2)
    assert "train images absent" in dataset.source and "18/2" in dataset.source
    assert dataset.recipe == Recipe() and dataset.input == "drawing"
    # Normalised as the page normalises a drawing: the 28 px bar now spans MNIST's 20 px box.
    rows = np.flatnonzero(dataset.x_train[0].any(axis=1))
    assert (rows[0], rows[-1]) == (4, 23)


def test_kmnist_with_train_images_uses_both_sets(tmp_path):
    write_kmnist(tmp_path, n_test=4, n_train=9)
    dataset = load_path(tmp_path)
    assert (len(dataset.x_train), len(dataset.x_test)) == (9, 4)
    assert dataset.source == str(tmp_path)


def test_kmnist_class_map_must_be_well_formed(tmp_path):
    write_kmnist(tmp_path)
    (tmp_path / "kmnist_classmap.csv").write_text("index,char\n1,お\n", encoding="utf-8")
    with pytest.raises(DataError, match="kmnist_classmap.csv: expected rows numbered 0"):
        load_path(tmp_path)
    (tmp_path / "kmnist_classmap.csv").unlink()
    with pytest.raises(DataError, match="kmnist_classmap.csv: cannot read"):
        load_path(tmp_path)


def test_a_class_map_saved_with_a_byte_order_mark_reads_as_without(tmp_path):
    write_kmnist(tmp_path)
    class_map = tmp_path / "kmnist_classmap.csv"
    class_map.write_bytes(b"\xef\xbb\xbf" + class_map.read_bytes())
    assert load_path(tmp_path).labels == ["お", "き", "す"]


def test_real_kmnist_in_shared_data():
    assert REAL_KMNIST.is_dir(), f"{REAL_KMNIST} is missing"
    dataset = load_path(REAL_KMNIST)
    assert len(dataset.labels) == 10
    assert all(unicodedata.name(char).startswith("HIRAGANA") for char in dataset.labels)
    assert (len(dataset.x_train), len(dataset.x_test)) == (9000, 1000)
    assert dataset.x_train.shape[1:] == (28, 28) and dataset.x_train.dtype == np.uint8
    assert np.bincount(dataset.y_test, minlength=10).min() > 50
