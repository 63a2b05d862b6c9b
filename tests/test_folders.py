"""Photo folders: one sub-folder per class, PNG and JPEG of any size, kept on disk."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import (
    ORIENTATION,
    TURNED_CLOCKWISE,
    portrait_scene,
    run_cli,
    save,
    save_turned_jpeg,
)
from trainer.dataset import DataError
from trainer.images import DiskImages, to_tf
from trainer.photo import PhotoRecipe, photo_pixels, photo_to_input
from trainer.sources import load_path
from trainer.sources.photos import holdout_per_class, load_image_folder


def three_stripes(height: int, width: int) -> np.ndarray:
    """Red, green and blue vertical stripes; the centre square of a wide one is all green."""
    pixels = np.zeros((height, width, 3), np.uint8)
    third = width // 3
    pixels[:, :third, 0] = pixels[:, third : 2 * third, 1] = pixels[:, 2 * third :, 2] = 255
    return pixels






def truncate_after_header(path: Path) -> Path:
    """Cut a JPEG 100 bytes into its image data: the header and tables are intact."""
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"\xff\xda") + 100])  # SOS, the start of the scan
    return path


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
    assert dataset.input == "photo" and dataset.recipe == PhotoRecipe(24)
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


def test_an_image_that_is_another_kind_of_file_is_named_for_what_it_is(tmp_path):
    import gzip

    write_pets(tmp_path)
    (tmp_path / "cat" / "photo.jpg").write_bytes(gzip.compress(b"not a photo"))
    with pytest.raises(DataError) as caught:
        load_path(tmp_path)
    assert str(caught.value) == (f"{tmp_path / 'cat' / 'photo.jpg'}: not a readable image "
                                 "(gzip-compressed (decompress it first: gunzip))")


def test_truncated_png_named_when_loading(tmp_path):
    write_pets(tmp_path)
    path = tmp_path / "cat" / "1.png"
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError, match="not a readable image") as caught:
        load_path(tmp_path)
    assert str(caught.value).startswith(str(path))


def test_truncated_jpeg_named_when_loading(tmp_path):
    # Its header is intact, so only decoding the pixels finds the cut.
    write_pets(tmp_path)
    path = truncate_after_header(tmp_path / "dog" / "2.jpg")
    with pytest.raises(DataError) as caught:
        load_path(tmp_path)
    assert str(caught.value).startswith(f"{path}: cannot decode it (image file is truncated")


def test_truncated_jpeg_stops_training_in_one_line_before_anything_is_written(tmp_path):
    photos = tmp_path / "photos"
    write_pets(photos)
    path = truncate_after_header(photos / "dog" / "1.jpg")
    out = tmp_path / "model"
    result = run_cli("trainer", "train", "--data", photos, "--out", out, check=False)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {path}: cannot decode it (image file is truncated")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos"]


def test_photo_recipe_centre_square_and_area_average():
    # 5 x 8 pixels: the centre square is columns 1..5 (the odd one left over is cut on the right).
    rgb = np.random.default_rng(0).integers(0, 256, (5, 8, 3)).astype(np.uint8)
    prepared = photo_to_input(rgb, PhotoRecipe(size=2))
    # Area averaging 5 -> 2 is the mean of 5 x 5 blocks once each pixel is repeated twice.
    repeated = rgb[:, 1:6].repeat(2, axis=0).repeat(2, axis=1).astype(float)
    means = repeated.reshape(2, 5, 2, 5, 3).mean(axis=(1, 3))
    np.testing.assert_array_equal(prepared, np.floor(means + 0.5))
    assert prepared.dtype == np.uint8
    assert PhotoRecipe(size=2).to_json() == {"kind": "photo-centre-crop", "size": 2}


def test_photos_are_prepared_upright_by_their_exif_orientation(tmp_path):
    upright = portrait_scene()
    path = save_turned_jpeg(tmp_path / "portrait.jpg", upright)
    with Image.open(path) as stored:
        assert stored.size == (640, 480) and stored.getexif()[ORIENTATION] == TURNED_CLOCKWISE
        lying = np.asarray(stored.convert("RGB"))
    recipe = PhotoRecipe(size=48)
    prepared = photo_to_input(photo_pixels(path), recipe)
    expected = photo_to_input(upright, recipe).astype(int)
    assert np.abs(prepared - expected).mean() < 1.5  # only what JPEG loses
    assert np.abs(photo_to_input(lying, recipe) - expected).mean() > 20
    red, blue = prepared[9:14, 8:16], prepared[34:38, 34:42]  # inside each block
    assert red[..., 0].min() > 180 and red[..., 2].max() < 90
    assert blue[..., 2].min() > 170 and blue[..., 0].max() < 90


def test_transparent_pixels_are_white_and_16_bit_grey_keeps_its_top_byte(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:2] = (200, 0, 0, 255)  # the top half opaque red, the bottom half transparent black
    Image.fromarray(rgba).save(tmp_path / "cut-out.png")
    pixels = photo_pixels(tmp_path / "cut-out.png")
    np.testing.assert_array_equal(pixels[:2], np.broadcast_to((200, 0, 0), (2, 4, 3)))
    np.testing.assert_array_equal(pixels[2:], 255)

    Image.fromarray(np.full((4, 4), 0x8040, np.uint16)).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as deep:
        assert deep.mode.startswith("I")
    np.testing.assert_array_equal(photo_pixels(tmp_path / "deep.png"), 0x80)


def test_folders_without_two_classes_are_refused(tmp_path):
    save(tmp_path / "one" / "only" / "a.png", np.zeros((5, 5)))
    with pytest.raises(DataError, match="only one class sub-folder \\(only\\)"):
        load_path(tmp_path / "one")
    (tmp_path / "one" / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no images"):
        load_path(tmp_path / "one")
    (tmp_path / "none").mkdir()
    with pytest.raises(DataError, match="no class sub-folders"):
        load_image_folder(tmp_path / "none", 32)


def test_holdout_per_class_keeps_one_image_classes_for_training():
    y = np.array([0] * 30 + [1] * 2 + [2] * 1)
    train, test = holdout_per_class(y)
    assert np.bincount(y[test], minlength=3).tolist() == [3, 1, 0]
    assert sorted(np.concatenate([train, test])) == list(range(33))
    np.testing.assert_array_equal(holdout_per_class(y)[1], test)  # the same every time
