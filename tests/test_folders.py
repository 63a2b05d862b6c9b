"""Photo folders: one sub-folder per class, PNG and JPEG of any size, kept on disk."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from trainer.data import DataError, load_path
from trainer.disk import DiskImages, to_tf
from trainer.folders import holdout_per_class, load_image_folder


def save(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


def three_stripes(height: int, width: int) -> np.ndarray:
    """Red, green and blue vertical stripes; the centre square of a wide one is all green."""
    pixels = np.zeros((height, width, 3), np.uint8)
    third = width // 3
    pixels[:, :third, 0] = pixels[:, third : 2 * third, 1] = pixels[:, 2 * third :, 2] = 255
    return pixels


def write_pets(folder: Path) -> None:
    rng = np.random.default_rng(0)
    for i in range(3):
        save(folder / "cat" / f"{i}.png", three_stripes(30 + i, 90 + 3 * i))
        save(folder / "dog" / f"{i}.jpg", rng.integers(0, 256, (50 + 10 * i, 40, 3)))
    save(folder / "dog" / "grey.png", np.full((20, 20), 128))
    (folder / "dog" / "notes.txt").write_text("not an image, ignored")
    (folder / "dog" / "._0.jpg").write_bytes(b"macOS metadata, ignored")
    (folder / ".thumbnails").mkdir()  # not a class


def test_photo_folder_loads_on_disk_cropped_and_resized(tmp_path):
    write_pets(tmp_path)
    dataset = load_path(tmp_path, image_size=24)
    assert dataset.labels == ["cat", "dog"]
    assert dataset.input == "photo" and dataset.recipe is None
    assert isinstance(dataset.x_train, DiskImages)
    assert dataset.x_train.shape == (5, 24, 24, 3) and dataset.x_test.shape == (2, 24, 24, 3)
    assert sorted(dataset.y_test) == [0, 1]  # one of each class held out
    assert "10% of each class" in dataset.source

    images = np.concatenate([dataset.x_train.read(), dataset.x_test.read()])
    labels = np.concatenate([dataset.y_train, dataset.y_test])
    cats = images[labels == 0]
    assert cats.shape == (3, 24, 24, 3) and cats.dtype == np.uint8
    np.testing.assert_array_equal(cats[..., 1], 255)  # the centre square: only the green stripe
    assert cats[..., [0, 2]].max() <= 1
    grey = [image for image in images if np.all(image == 128)]
    assert len(grey) == 1  # a grey PNG comes out as three equal channels


def test_photo_stream_matches_read(tmp_path):
    write_pets(tmp_path)
    images = load_path(tmp_path).x_train
    assert images.shape[1:] == (96, 96, 3)  # the default size
    streamed = np.stack(list(to_tf(images).as_numpy_iterator()))
    np.testing.assert_array_equal(streamed, images.read())
    np.testing.assert_array_equal(images.take([3, 0]).read(), streamed[[3, 0]])


def test_corrupt_image_named_when_loading(tmp_path):
    write_pets(tmp_path)
    (tmp_path / "cat" / "broken.png").write_bytes(b"this is not a PNG file")
    with pytest.raises(DataError, match="not a readable image") as caught:
        load_path(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "cat" / "broken.png"))


def test_truncated_png_named_when_loading(tmp_path):
    write_pets(tmp_path)
    path = tmp_path / "cat" / "1.png"
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError, match="not a readable image") as caught:
        load_path(tmp_path)
    assert str(caught.value).startswith(str(path))


def test_truncated_jpeg_passes_the_header_check_and_is_named_when_read(tmp_path):
    # Pillow's cheap check reads only a JPEG's header: the cut is found when the pixels are read.
    write_pets(tmp_path)
    path = tmp_path / "dog" / "2.jpg"
    path.write_bytes(path.read_bytes()[:1000])
    dataset = load_path(tmp_path)
    everything = DiskImages(dataset.x_train.source, np.arange(7))
    with pytest.raises(DataError, match="TensorFlow cannot decode it") as caught:
        everything.read()
    assert str(caught.value) == (
        f"{path}: TensorFlow cannot decode it (jpeg::Uncompress failed. Invalid JPEG data or "
        "crop window.)"
    )


def test_folders_without_two_classes_are_refused(tmp_path):
    save(tmp_path / "one" / "only" / "a.png", np.zeros((5, 5)))
    with pytest.raises(DataError, match="only one class sub-folder \\(only\\)"):
        load_path(tmp_path / "one")
    (tmp_path / "one" / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no images"):
        load_path(tmp_path / "one")
    (tmp_path / "none").mkdir()
    with pytest.raises(DataError, match="no class sub-folders"):
        load_image_folder(tmp_path / "none")


def test_holdout_per_class_keeps_one_image_classes_for_training():
    y = np.array([0] * 30 + [1] * 2 + [2] * 1)
    train, test = holdout_per_class(y)
    assert np.bincount(y[test], minlength=3).tolist() == [3, 1, 0]
    assert sorted(np.concatenate([train, test])) == list(range(33))
    np.testing.assert_array_equal(holdout_per_class(y)[1], test)  # the same every time
