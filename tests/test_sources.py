"""Semeion, optdigits and UNIPEN pen-stroke files written by the tests, and the real ones."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import L_SHAPE, ROOT, pendigits_file, quickdraw, run_cli, unipen
from trainer.dataset import MNIST_RECIPE, DataError
from trainer.preprocess import images_to_inputs
from trainer.sources import load_path
from trainer.strokes import fit_to_pad, strokes_to_input

SHARED = ROOT.parent / "shared" / "data"




def y_up(strokes, box: int = 500):
    return [[(x, box - y) for x, y in stroke] for stroke in strokes]


def test_unipen_y_up_and_uji_y_down_draw_the_same_upright_character(tmp_path):
    (tmp_path / "pendigits-orig.tra").write_text(unipen([("4", y_up(L_SHAPE))]))
    (tmp_path / "UJIpenchars-w01").write_text(unipen([("4", L_SHAPE)], "CHARACTER"))
    pen = load_path(tmp_path / "pendigits-orig.tra")
    uji = load_path(tmp_path / "UJIpenchars-w01")
    (pen_image,), (uji_image,) = pen.x_train, uji.x_train
    assert pen.labels == uji.labels == ["4"]
    assert np.abs(pen_image.astype(int) - uji_image).max() <= 1
    rows = np.flatnonzero(uji_image.max(axis=1) > 128)
    top, bottom = (np.count_nonzero(uji_image[row] > 128) for row in (rows[0], rows[-1]))
    assert bottom > 3 * top  # the foot is at the bottom: upright, not mirrored


def test_strokes_become_what_the_page_makes_of_them(tmp_path):
    (tmp_path / "UJIpenchars-w01").write_text(unipen([("7", L_SHAPE)], "CHARACTER"))
    (image,) = load_path(tmp_path / "UJIpenchars-w01").x_train
    strokes = [[(float(x), float(y)) for x, y in s] for s in L_SHAPE]
    np.testing.assert_array_equal(image, np.rint(strokes_to_input(strokes, MNIST_RECIPE)))
    # The ink, pen included, spans the 20 px box; the pen is 0.12 of it: 2-3 px.
    ink = image > 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 in (19, 20, 21)
    stem = np.count_nonzero(ink[(rows[0] + rows[-1]) // 2])
    assert 2 <= stem <= 3


def test_a_folder_of_stroke_files_the_digits_alone_and_the_test_writers(tmp_path):
    (tmp_path / "UJIpenchars-w01").write_text(
        unipen([("a", L_SHAPE), ("7", L_SHAPE), ("1", L_SHAPE), ("A", L_SHAPE)], "CHARACTER"))
    (tmp_path / "UJIpenchars-w02").write_text(unipen([("7", L_SHAPE)], "CHARACTER"))
    everything = load_path(tmp_path)
    assert everything.labels == ["1", "7", "A", "a"]
    assert len(everything.y_train) + len(everything.y_test) == 5
    digits = load_path(tmp_path / "digits")
    assert digits.labels == ["1", "7"] and len(digits.y_train) + len(digits.y_test) == 3

    pen = tmp_path / "pen"
    pen.mkdir()
    (pen / "pendigits-orig.tra").write_text(unipen([("1", L_SHAPE)] * 4 + [("2", L_SHAPE)] * 4))
    (pen / "pendigits-orig.tes").write_text(unipen([("2", L_SHAPE), ("1", L_SHAPE)]))
    split = load_path(pen)
    assert split.labels == ["1", "2"]
    assert split.y_train.tolist() == [0] * 4 + [1] * 4 and split.y_test.tolist() == [1, 0]


GOOD = unipen([("3", L_SHAPE)])
BAD_STROKES = {
    "point outside a stroke": (GOOD.replace(".PEN_DOWN\n", "", 1), "line 7: a point outside"),
    "no pen up at the end": (GOOD.rsplit(".PEN_UP", 1)[0], "ends inside a stroke"),
    "segment without label": (GOOD.replace('? "3"', "?"), "line 5: .SEGMENT without a quoted"),
    "segment without strokes": (unipen([("3", [])]), "line 5: character '3' has no pen strokes"),
    "stroke before any segment": (".PEN_DOWN\n 1 2\n.PEN_UP\n", "line 1: .PEN_DOWN before any"),
    "text among the points": (GOOD.replace(" 100  200", " 100 abc"), "line 9: not a UNIPEN line"),
    "nothing labelled": (".COMMENT nothing here\n", "no labelled characters"),
}


@pytest.mark.parametrize("content, message", BAD_STROKES.values(), ids=BAD_STROKES)
def test_a_malformed_stroke_file_is_named_with_its_line(tmp_path, content, message):
    path = tmp_path / "pendigits-orig.tra"
    path.write_text(content)
    with pytest.raises(DataError) as error:
        load_path(path)
    assert str(error.value) == f"{path}: {message}" or str(error.value).startswith(
        f"{path}: {message}")


# Text data as Windows' Notepad saves it: a UJI file was called "not a readable .npz file"
# (issue 35), an ndjson "line 1: not JSON".
MARKED_TEXTS = {
    "UJI": ("UJIpenchars-w01", unipen([("4", L_SHAPE)], "CHARACTER"), ["4"]),
    "ndjson": ("my-drawings.ndjson", quickdraw([("あ", L_SHAPE), ("4", L_SHAPE)] * 10),
               ["4", "あ"]),
}


@pytest.mark.parametrize("name, text, labels", MARKED_TEXTS.values(), ids=MARKED_TEXTS)
def test_a_text_file_with_a_byte_order_mark_reads_as_without(tmp_path, name, text, labels):
    (tmp_path / "marked").mkdir()
    (tmp_path / "plain").mkdir()
    (tmp_path / "marked" / name).write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "plain" / name).write_text(text, encoding="utf-8")
    marked, plain = (load_path(tmp_path / folder / name) for folder in ("marked", "plain"))
    assert marked.labels == plain.labels == labels
    assert np.array_equal(marked.x_train, plain.x_train)


def test_a_stroke_file_that_is_not_text_is_named(tmp_path):
    path = tmp_path / "UJIpenchars-w01"
    path.write_bytes(".SEGMENT CHARACTER 0 ? \"a\"\n\xff\xfe".encode("latin-1"))
    with pytest.raises(DataError, match="not a UNIPEN text file"):
        load_path(path)


def test_a_malformed_file_given_to_train_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "pendigits-orig.tra"
    path.write_text(BAD_STROKES["no pen up at the end"][0])
    result = run_cli("trainer", "train", "--data", path, "--out", tmp_path / "m", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {path}: ends inside a stroke "
                                                  "(.PEN_UP missing)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pendigits-orig.tra"]


def test_ndjson_drawings_become_what_the_page_makes_of_them(tmp_path):
    path = tmp_path / "my-drawings.ndjson"
    path.write_text(quickdraw([("7", L_SHAPE), ("1", L_SHAPE)] * 10))
    dataset = load_path(path)
    assert dataset.labels == ["1", "7"]
    assert (len(dataset.y_train), len(dataset.y_test)) == (18, 2)
    strokes = [[(float(x), float(y)) for x, y in s] for s in L_SHAPE]
    np.testing.assert_array_equal(dataset.x_train[0], np.rint(strokes_to_input(strokes,
                                                                               MNIST_RECIPE)))


def test_ndjson_raw_strokes_with_times_and_unicode_words(tmp_path):
    raw, simplified = tmp_path / "raw.ndjson", tmp_path / "simplified.ndjson"
    raw.write_text(quickdraw([("あ", L_SHAPE), ("い", L_SHAPE)] * 10, times=True),
                   encoding="utf-8")
    simplified.write_text(quickdraw([("あ", L_SHAPE), ("い", L_SHAPE)] * 10), encoding="utf-8")
    read, expected = load_path(raw), load_path(simplified)
    assert read.labels == ["あ", "い"]
    np.testing.assert_array_equal(read.x_train, expected.x_train)
    np.testing.assert_array_equal(read.y_test, expected.y_test)


GOOD_LINE = quickdraw([("3", L_SHAPE)]).strip()
BAD_NDJSON = {
    "not JSON": ('{"word": "3", "drawing": [', "line 2: not JSON"),
    "not an object": ("[1, 2]", "line 2: not a JSON object"),
    "no word": ('{"drawing": [[[1, 2], [3, 4]]]}', 'line 2: no "word"'),
    "no drawing": ('{"word": "3"}', 'line 2: no "drawing"'),
    "no strokes": ('{"word": "3", "drawing": []}', "line 2: drawing '3' has no strokes"),
    "ragged xs and ys": ('{"word": "3", "drawing": [[[1, 2, 3], [4, 5]]]}',
                         "line 2: stroke 1: x, y (and time) lists of different lengths (3, 2)"),
    "ragged times": ('{"word": "3", "drawing": [[[1], [4]], [[1, 2], [4, 5], [0]]]}',
                     "line 2: stroke 2: x, y (and time) lists of different lengths (2, 2, 1)"),
    "a stroke without points": ('{"word": "3", "drawing": [[[], []]]}',
                                "line 2: stroke 1 has no points"),
    "text for a coordinate": ('{"word": "3", "drawing": [[["1"], [4]]]}',
                              "line 2: stroke 1: coordinates that are not lists of numbers"),
}


@pytest.mark.parametrize("line, message", BAD_NDJSON.values(), ids=BAD_NDJSON)
def test_a_malformed_ndjson_file_is_named_with_its_line(tmp_path, line, message):
    path = tmp_path / "my-drawings.ndjson"
    path.write_text(f"{GOOD_LINE}\n{line}\n")
    with pytest.raises(DataError) as error:
        load_path(path)
    assert str(error.value).startswith(f"{path}: {message}"), error.value


def test_an_empty_or_binary_ndjson_file_is_named(tmp_path):
    path = tmp_path / "my-drawings.ndjson"
    path.write_text("\n")
    with pytest.raises(DataError, match="no drawings"):
        load_path(path)
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(DataError, match="not ndjson"):
        load_path(path)


def semeion_line(image: np.ndarray, digit: int) -> str:
    return " ".join(map(str, [*image.ravel(), *np.eye(10, dtype=int)[digit]]))


def test_semeion_digits_normalised_like_a_drawing(tmp_path):
    rng = np.random.default_rng(0)
    images = (rng.random((3, 16, 16)) < 0.3).astype(int)
    digits = [7, 0, 9]
    path = tmp_path / "semeion.data"
    lines = [semeion_line(image, digit) for image, digit in zip(images, digits, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    dataset = load_path(tmp_path)  # the folder holding semeion.data
    x = np.concatenate([dataset.x_train, dataset.x_test])
    y = np.concatenate([dataset.y_train, dataset.y_test])
    assert sorted(y.tolist()) == [0, 7, 9] and dataset.labels == [str(d) for d in range(10)]
    expected = images_to_inputs((images * 255).astype(np.uint8), replace(MNIST_RECIPE,
                                                                         invert=False))
    order = [digits.index(label) for label in y]
    np.testing.assert_array_equal(x, expected[order])


@pytest.mark.parametrize("line, message", [
    ("0 1 " * 100, "line 2: 200 values, expected 266"),
    (" ".join(["0"] * 256 + ["1", "1"] + ["0"] * 8), "line 2: the label is not one-hot"),
    (semeion_line(np.full((16, 16), 2), 3), "line 2: values other than 0 and 1"),
])
def test_a_malformed_semeion_line_is_named(tmp_path, line, message):
    path = tmp_path / "semeion.data"
    path.write_text(semeion_line(np.ones((16, 16), int), 1) + "\n" + line + "\n")
    with pytest.raises(DataError, match=f"^{path}: {message}"):
        load_path(path)


def optdigits_text(samples: list[tuple[np.ndarray, int]], header: str) -> str:
    body = [line for bits, digit in samples
            for line in [*("".join(map(str, row)) for row in bits), f" {digit}"]]
    return header + "\n".join(body) + "\n"


def test_optdigits_bitmaps_with_their_header_and_count(tmp_path):
    rng = np.random.default_rng(1)
    samples = [((rng.random((32, 32)) < 0.2).astype(int), d) for d in (4, 2)]
    path = tmp_path / "optdigits-orig.tra"
    path.write_text(optdigits_text(samples, "BU handwritten digits\n\nentwidth = 32\nntot = 2\n"))
    dataset = load_path(path)
    x = np.concatenate([dataset.x_train, dataset.x_test])
    y = np.concatenate([dataset.y_train, dataset.y_test]).tolist()
    assert sorted(y) == [2, 4]
    bright = replace(MNIST_RECIPE, invert=False)
    for image, digit in zip(x, y, strict=True):
        bits = next(b for b, d in samples if d == digit)
        expected = images_to_inputs((bits[None] * 255).astype(np.uint8), bright)[0]
        np.testing.assert_array_equal(image, expected)

    (tmp_path / "optdigits-orig.tes").write_text(optdigits_text(samples[:1], "1\n"))
    split = load_path(tmp_path)
    assert split.y_train.tolist() == [4, 2] and split.y_test.tolist() == [4]


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.replace("ntot = 2", "ntot = 3"), "the header promises 3 digits but"),
    (lambda text: text.replace("\n 2\n", "\n x\n"), "line 67: expected the digit's label"),
    (lambda text: text.replace("\n", "\n0", 10), "expected a row of 32"),
    (lambda text: text[: len(text) * 3 // 4], "expected a row of 32"),
])
def test_a_malformed_optdigits_file_is_named(tmp_path, damage, message):
    samples = [(np.eye(32, dtype=int), d) for d in (4, 2)]
    path = tmp_path / "optdigits-orig.cv"
    path.write_text(damage(optdigits_text(samples, "ntot = 2\n")))
    with pytest.raises(DataError, match=f"^{path}: .*{message}"):
        load_path(path)


def test_the_real_files_in_shared_data():
    counts = {"semeion": 1593, "optdigits": 1934 + 946, "ujipenchars/digits": 220}
    for name, count in counts.items():
        dataset = load_path(SHARED / name)
        assert dataset.labels == [str(d) for d in range(10)], name
        assert len(dataset.y_train) + len(dataset.y_test) == count, name
        assert dataset.image_shape == (28, 28) and dataset.recipe == MNIST_RECIPE
        ink = np.concatenate([dataset.x_train, dataset.x_test]).reshape(count, -1)
        assert (ink.max(axis=1) > 200).all(), name  # every image has bright ink on black
        assert (np.median(ink, axis=1) == 0).all(), name


@pytest.mark.parametrize("fill", [0.3, 0.6, 0.9])
def test_the_page_and_python_render_real_strokes_alike(page, fill):
    """Real UJI digits drawn on the page's #pad with the mouse at three sizes: the page's model
    input and trainer/strokes.py's, from the strokes the page recorded, within one grey level."""
    from benchmarks.page import draw_strokes
    from trainer.sources.stroke_files import read_unipen

    characters = [c for c in read_unipen(SHARED / "ujipenchars" / "UJIpenchars-w01")
                  if c.label.isdigit()][:4]
    for character in characters:
        page.click("#clear")
        draw_strokes(page, fit_to_pad(character.strokes, fill), spacing=math.inf)
        page_input = np.asarray(
            page.evaluate("async () => Array.from(await window.app.preprocess())"))
        python_input = strokes_to_input(page.evaluate("window.app.strokes"), MNIST_RECIPE)
        assert python_input.max() > 200, character.label
        assert np.abs(page_input.reshape(28, 28) - python_input).max() <= 1.0, character.label


@pytest.mark.parametrize("seed", range(5))
def test_a_pen_writer_and_the_copies_of_a_source_stay_on_one_side_of_validation(tmp_path, seed):
    from tests.helpers import write_mnist_idx
    from trainer.config import TrainConfig
    from trainer.dataset import validation_split
    from trainer.sources import resolve_data

    pen = tmp_path / "pen"
    pen.mkdir()
    (pen / "pendigits-orig.tra").write_text(pendigits_file([3, 7, 12, 20]))
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (40, 28, 28), dtype=np.uint8)
    write_mnist_idx(tmp_path / "mnist", images[:30], np.arange(30) % 10, images[30:],
                    np.arange(10))
    dataset = resolve_data([pen, tmp_path / "mnist", pen], log=lambda _: None)
    # The pen file has no test split: a tenth of its 40 characters are held out, 36 train. Given
    # twice, it trains twice as much; its test images count once.
    assert len(dataset.writers) == len(dataset.y_train) == 36 + 30 + 36
    assert len(dataset.y_test) == 4 + 10

    train, val = validation_split(len(dataset.y_train), TrainConfig(seed=seed), dataset.writers)
    assert sorted([*train, *val]) == list(range(len(dataset.y_train)))
    side = {key: set() for key in dataset.writers}
    for positions, name in ((train, "train"), (val, "validation")):
        for key in dataset.writers[positions]:
            side[key].add(name)
    assert all(len(sides) == 1 for sides in side.values())  # every writer on one side only
    pen_writers = {key for key in side if not key.startswith("#")}
    assert pen_writers == {f"pendigits-orig.tra {w}" for w in (3, 7, 12, 20)}
    # MNIST's images, unnamed, count one writer each: only their copies share a side.
    assert len(side) == 4 + 30
    # A tenth of each kind, one writer at least: both kinds are judged in validation.
    held = {key for key, sides in side.items() if sides == {"validation"}}
    assert len(held & pen_writers) == 1 and len(held - pen_writers) == 3


def test_a_weighted_source_counts_exactly_as_if_named_that_many_times(tmp_path):
    """--data-weight: make train's pen writers weigh three times without being named three."""
    from dataclasses import fields

    from trainer.sources import resolve_data

    pen = tmp_path / "pen"
    pen.mkdir()
    (pen / "pendigits-orig.tra").write_text(pendigits_file([3, 7]))
    npz = tmp_path / "digits.npz"
    images = np.random.default_rng(0).integers(0, 255, (20, 28, 28), dtype=np.uint8)
    np.savez(npz, x_train=images[:15], y_train=np.arange(15) % 10, x_test=images[15:],
             y_test=np.arange(5))
    weighed = resolve_data([npz, pen], log=lambda _: None, weights=[1, 3])
    named = resolve_data([npz, pen, pen, pen], log=lambda _: None)
    for field in fields(weighed):
        value, expected = getattr(weighed, field.name), getattr(named, field.name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, expected), field.name
        else:
            assert value == expected, field.name
    assert len(weighed.y_train) == 15 + 3 * 18 and len(weighed.y_test) == 5 + 2


def test_without_writers_the_validation_split_is_a_random_share():
    from trainer.config import TrainConfig
    from trainer.dataset import validation_split

    train, val = validation_split(100, TrainConfig(seed=3))
    order = np.random.default_rng(3).permutation(100)
    assert list(val) == list(order[:10]) and list(train) == list(order[10:])


def test_data_named_mnist_where_no_such_path_is_the_trainers_default_mnist(tmp_path, monkeypatch):
    import trainer.sources as sources

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sources, "_default_mnist", lambda log: "the default")
    assert sources.load_path(Path("mnist")) == "the default"
    (tmp_path / "mnist").mkdir()  # a folder of that name is read as what it holds
    with pytest.raises(sources.DataError):
        sources.load_path(Path("mnist"))
