"""ETL8B and ETL9B files written byte for byte to the published layouts (etlcdb.db.aist.go.jp)."""

from dataclasses import replace

import numpy as np
import pytest

from tests.helpers import KANJI_A, A, bitmap, run_cli, write_etl
from trainer.dataset import DataError
from trainer.images import DiskImages, read, take, to_tf
from trainer.preprocess import images_to_inputs
from trainer.sources import load_path
from trainer.sources.etl import ETL_RECIPE, jis_to_char, unpack_images


def etl_samples(count: int) -> tuple[list[tuple[int, np.ndarray]], np.ndarray]:
    """Alternating あ and 亜, each a rectangle of a different size; and their bitmaps."""
    samples = [
        (A if i % 2 == 0 else KANJI_A, bitmap(5 + i % 7, 10, 40 + i % 13, 30 + i % 5))
        for i in range(count)
    ]
    return samples, np.stack([bits for _, bits in samples])


def normalised(bitmaps: np.ndarray) -> np.ndarray:
    padded = np.pad(bitmaps * 255, ((0, 0), (0, 1), (0, 0))).astype(np.uint8)
    return images_to_inputs(padded, replace(ETL_RECIPE, invert=False))


def test_jis_codes_become_unicode():
    chars = [jis_to_char(code) for code in (A, KANJI_A, 0x2330, 0x2421)]
    assert chars == ["あ", "亜", "０", "ぁ"]  # JIS X 0208's digits are the full-width ones


def test_bits_unpack_row_by_row_most_significant_first():
    packed = np.zeros((1, 504), np.uint8)
    packed[0, 0] = 0x80  # row 0, column 0
    packed[0, 8 + 7] = 0x01  # row 1 starts at byte 8 (64 bits a row); its column 63
    image = unpack_images(packed)[0]
    assert image.shape == (64, 64) and image.dtype == np.uint8
    assert image[0, 0] == 255 and image[1, 63] == 255 and image.sum() == 2 * 255
    assert not image[63].any()  # the 64th row is padding


def test_etl8b_round_trip(tmp_path):
    samples, bitmaps = etl_samples(20)
    path = tmp_path / "ETL8B2C1"
    write_etl(path, samples)
    assert path.stat().st_size == 21 * 512

    dataset = load_path(path)
    assert dataset.labels == ["あ", "亜"]
    assert dataset.input == "drawing" and dataset.recipe == ETL_RECIPE
    assert isinstance(dataset.x_train, DiskImages) and dataset.x_train.shape == (18, 64, 64)
    assert len(dataset.x_test) == 2 and "10% are held out" in dataset.source
    positions = np.concatenate([dataset.x_train.indices, dataset.x_test.indices])
    assert sorted(positions) == list(range(20))
    expected_labels = np.array([0 if code == A else 1 for code, _ in samples])
    np.testing.assert_array_equal(dataset.y_train, expected_labels[dataset.x_train.indices])
    np.testing.assert_array_equal(dataset.y_test, expected_labels[dataset.x_test.indices])
    expected_images = normalised(bitmaps)[dataset.x_train.indices]
    np.testing.assert_array_equal(dataset.x_train.read(), expected_images)


def test_etl_images_normalised_like_a_drawing(tmp_path):
    # A 40-row by 20-column block near the corner becomes 52 rows high, centred by mass.
    write_etl(tmp_path / "ETL8B2C1", [(A, bitmap(2, 1, 42, 21))] * 10)
    image = load_path(tmp_path / "ETL8B2C1").x_train.read([0])[0]
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 52 and cols[-1] - cols[0] + 1 == 26
    assert rows[0] == 6 and cols[0] == 19 and image.max() == 255


def test_etl9b_folder_of_files(tmp_path):
    samples, bitmaps = etl_samples(12)
    write_etl(tmp_path / "ETL9B_1", samples[:7])
    write_etl(tmp_path / "ETL9B_2", samples[7:] + [(0x2330, bitmap(0, 0, 63, 64))])
    (tmp_path / "ETL9INFO").write_text("not a data file")
    assert (tmp_path / "ETL9B_1").stat().st_size == 8 * 576

    dataset = load_path(tmp_path)
    assert dataset.labels == ["あ", "亜", "０"]  # sorted by code point, not by JIS code
    y = np.zeros(13, np.int64)
    y[dataset.x_train.indices], y[dataset.x_test.indices] = dataset.y_train, dataset.y_test
    assert list(y) == [0, 1] * 6 + [2]
    everything = DiskImages(dataset.x_train.source, np.arange(13))
    assert everything.shape == (13, 64, 64)
    some = [0, 6, 7, 11]  # both ends of both files
    np.testing.assert_array_equal(everything.read(some), normalised(bitmaps[some]))
    assert "ETL9B" in dataset.source and "13 characters" in dataset.source


def test_disk_images_stream_and_reorder_without_reading(tmp_path):
    samples, _ = etl_samples(30)
    write_etl(tmp_path / "ETL8B2C1", samples)
    images = load_path(tmp_path / "ETL8B2C1").x_train

    streamed = np.stack(list(to_tf(images).as_numpy_iterator()))
    np.testing.assert_array_equal(streamed, images.read())
    reordered = take(images, np.array([5, 0, 5]))
    assert isinstance(reordered, DiskImages) and reordered.shape == (3, 64, 64)
    np.testing.assert_array_equal(read(reordered), images.read()[[5, 0, 5]])
    np.testing.assert_array_equal(read(images, np.array([1, 2])), images.read()[[1, 2]])


def test_helpers_treat_arrays_alike():
    images = np.arange(4 * 2 * 2, dtype=np.uint8).reshape(4, 2, 2)
    np.testing.assert_array_equal(take(images, np.array([3, 1])), images[[3, 1]])
    assert read(images) is images
    np.testing.assert_array_equal(read(images, np.array([2])), images[[2]])
    streamed = list(to_tf(images).as_numpy_iterator())
    assert len(streamed) == 4 and streamed[3].shape == (2, 2)
    np.testing.assert_array_equal(streamed[3], images[3])


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[:-100], "not a whole number of 512-byte ETL8B records"),
        (lambda raw: raw[:512], "no samples after the dummy first record"),
        (lambda raw: raw[:514] + b"\x00\x00" + raw[516:], "JIS code 0x0000, not a JIS X 0208"),
    ],
)
def test_damaged_etl_file_is_named(tmp_path, damage, message):
    path = tmp_path / "ETL8B2C2"
    write_etl(path, etl_samples(3)[0])
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DataError, match=message) as caught:
        load_path(tmp_path)
    assert str(caught.value).startswith(str(path))


def test_cli_names_a_truncated_etl_file_in_one_line(tmp_path):
    path = tmp_path / "ETL9B_3"
    write_etl(path, etl_samples(3)[0])
    path.write_bytes(path.read_bytes()[:-1])
    out = tmp_path / "model"
    result = run_cli("trainer", "train", "--data", tmp_path, "--out", out, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {path}: 2,303 bytes is not a whole number of 576-byte ETL9B records "
                     "(truncated?)"], lines
    assert not out.exists()
