"""UNIPEN as distributed: segment files that include pen data, written here in that layout, and the
real train_r01_v07 section 1a in ../shared/data/unipen."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import L_SHAPE, SHARED_DATA, run_cli
from trainer.dataset import MNIST_RECIPE, DataError, text_lines
from trainer.sources import load_path, unipen
from trainer.sources.unipen import HELD_OUT_SOURCES
from trainer.strokes import strokes_to_input

HELD_OUT = HELD_OUT_SOURCES[0]
# L_SHAPE's two strokes in a tablet's units, y up (the box is 500 high), x at twice y's scale.
STEM = [(2 * x, 500 - y) for x, y in L_SHAPE[0]]
FOOT = [(2 * x, 500 - y) for x, y in L_SHAPE[1]]
HOVER = [(5, 5), (900, 900)]  # a pen-up block with points: a component, never ink
HEADER = ".X_POINTS_PER_INCH 1000\n.Y_POINTS_PER_INCH 500\n.COORD X Y\n"


def pen_file(writer: str, blocks: list[tuple[str, list[tuple[int, int]]]]) -> str:
    lines = [f".WRITER_ID {writer}", ".STYLE MIXED"]
    for keyword, points in blocks:
        lines += [keyword, *(f"  {x} {y}" for x, y in points)]
    return "\n".join(lines) + "\n.PEN_UP\n"


# Components: 0 stem, 1 hover, 2 foot, 3 stem again, 4 foot again.
BLOCKS = [(".PEN_DOWN", STEM), (".PEN_UP", HOVER), (".PEN_DOWN", FOOT), (".DT 20", []),
          (".PEN_UP", []), (".PEN_DOWN", STEM), (".PEN_DOWN", FOOT)]
SEGMENTS = ['.SEGMENT CHARACTER 0-2 OK "4"', '.SEGMENT CHARACTER 3,4 ? "4"',
            '.SEGMENT CHARACTER 0:1-0:2 ? "1"']


def write_tree(root: Path, sources: dict[str, str], segments: list[str] = SEGMENTS) -> Path:
    """ROOT/data/1a/SOURCE/w.dat including ROOT/include/SOURCE/{SOURCE.doc,data/w.dat}, the
    second written by writer `sources[SOURCE]`."""
    for source, writer in sources.items():
        (root / "include" / source / "data").mkdir(parents=True)
        (root / "include" / source / f"{source}.doc").write_text(HEADER)
        (root / "include" / source / "data" / "w.dat").write_text(pen_file(writer, BLOCKS))
        (root / "data" / "1a" / source).mkdir(parents=True)
        (root / "data" / "1a" / source / "w.dat").write_text("\n".join([
            ".VERSION 1.0", f".INCLUDE {source}/{source}.doc", f".INCLUDE {source}/data/w.dat",
            *segments]) + "\n")
    return root


def expected(*strokes: list[tuple[int, int]]) -> np.ndarray:
    """What the page makes of the strokes: per inch, y down."""
    inches = [[(x / 1000, -y / 500) for x, y in stroke] for stroke in strokes]
    return np.rint(strokes_to_input(inches, MNIST_RECIPE))


def test_components_ranges_points_writers_and_held_out_sources(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim", HELD_OUT: "alek"})
    data = load_path(root)
    assert data.labels == ["1", "4"]
    assert data.y_train.tolist() == [1, 1, 0] and data.y_test.tolist() == [1, 1, 0]
    assert data.writers.tolist() == ["abc/kim"] * 3
    assert data.test_writers.tolist() == [f"{HELD_OUT}/alek"] * 3
    stem_and_foot = expected(STEM, FOOT)  # the hover between them draws nothing
    np.testing.assert_array_equal(data.x_train[0], stem_and_foot)
    np.testing.assert_array_equal(data.x_train[1], stem_and_foot)
    np.testing.assert_array_equal(data.x_train[2], expected(STEM[1:3]))
    rows = np.flatnonzero(data.x_train[0].max(axis=1) > 128)
    top, bottom = (np.count_nonzero(data.x_train[0][row] > 128) for row in (rows[0], rows[-1]))
    assert bottom > 3 * top  # y up in the file: the foot at the bottom, upright


def test_one_source_of_the_tree_is_read_whole(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim", HELD_OUT: "alek"})
    gmd = load_path(root / HELD_OUT)
    assert len(gmd.y_train) + len(gmd.y_test) == 3
    assert set(gmd.writers) | set(gmd.test_writers) == {f"{HELD_OUT}/alek"}


def test_root_ok_keeps_the_verified_segments_alone(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim", HELD_OUT: "alek"})
    verified = load_path(root / "ok")
    assert verified.labels == ["4"]  # the one OK segment of each source
    assert verified.y_train.tolist() == verified.y_test.tolist() == [0]
    assert verified.test_writers.tolist() == [f"{HELD_OUT}/alek"]


# As unipen-more writes them: a double quote, a backslash, and a ligature (not a character).
ESCAPED = ['.SEGMENT CHARACTER 0-2 OK "\\""', '.SEGMENT CHARACTER 3,4 ? "\\\\"',
           '.SEGMENT CHARACTER 0:1-0:2 ? "\\@"', '.SEGMENT CHARACTER 3 ? "+"']


def test_escaped_labels_are_decoded_and_a_ligature_is_no_label(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"}, ESCAPED)
    data = load_path(root)
    assert data.labels == ['"', "+", "\\"]
    assert sorted(data.labels[k] for k in data.y_train) == ['"', "+", "\\"]


def test_root_section_reads_one_section_with_the_held_out_split(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim", HELD_OUT: "alek"})
    symbols = root / "data" / "1d" / HELD_OUT
    symbols.mkdir(parents=True)
    (symbols / "s.dat").write_text("\n".join([
        f".INCLUDE {HELD_OUT}/data/w.dat", '.SEGMENT CHARACTER 0-2 OK "+"']) + "\n")
    section = load_path(root / "1d")
    assert section.labels == ["+"]
    assert len(section.y_train) == 0 and section.test_writers.tolist() == [f"{HELD_OUT}/alek"]
    assert load_path(root / "1a").labels == ["1", "4"]


def test_a_missing_header_is_passed_over_but_not_missing_pen_data(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    (root / "include" / "abc" / "abc.doc").unlink()
    assert len(load_path(root / "abc").y_train) + len(load_path(root / "abc").y_test) == 3
    (root / "include" / "abc" / "data" / "w.dat").unlink()
    with pytest.raises(DataError) as error:
        load_path(root)
    assert str(error.value) == (f"{root / 'data/1a/abc/w.dat'}: line 3: .INCLUDE abc/data/w.dat: "
                                f"no such file in {root / 'include'}")



@pytest.mark.parametrize("value", ["nan", "inf", "1e7", "9" * 400])
def test_a_coordinate_no_pad_could_hold_is_named_with_its_file_and_line(tmp_path, value):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    pen = root / "include" / "abc" / "data" / "w.dat"
    lines = pen.read_text().splitlines()
    lines[3] = f"  {value} 20"  # the stem's first point
    pen.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as error:
        load_path(root)
    assert str(error.value) == f"{pen}: line 4: a coordinate beyond ±1,000,000"


def test_a_byte_order_mark_is_read_past(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    segments = root / "data" / "1a" / "abc" / "w.dat"
    before = load_path(root)
    segments.write_bytes(b"\xef\xbb\xbf" + segments.read_bytes().removeprefix(b".VERSION 1.0\n"))
    after = load_path(root)  # the first line is now an .INCLUDE, behind the mark
    assert np.array_equal(before.x_train, after.x_train)

def segment_file(root: Path) -> Path:
    return root / "data" / "1a" / "abc" / "w.dat"


def include_instead(root: Path, name: str) -> None:
    """The segment file includes `name` in place of its pen data."""
    segments = segment_file(root)
    segments.write_text(segments.read_text().replace(".INCLUDE abc/data/w.dat", f".INCLUDE {name}"))


def chain(root: Path, files: int, includes_each: int) -> None:
    """The segment file includes c0, which includes c1 `includes_each` times, and so on."""
    for k in range(files):
        (root / "include" / f"c{k}.dat").write_text(f".INCLUDE c{k + 1}.dat\n" * includes_each)
    (root / "include" / f"c{files}.dat").write_text(pen_file("kim", BLOCKS))
    include_instead(root, "c0.dat")


def outside_link(root: Path) -> None:
    (root / "include" / "abc" / "data" / "w.dat").unlink()
    (root / "include" / "abc" / "data" / "w.dat").symlink_to(root.parent / "elsewhere.dat")


def scale(value: str):
    def write(root: Path) -> None:
        doc = root / "include" / "abc" / "abc.doc"
        doc.write_text(doc.read_text().replace("INCH 1000", f"INCH {value}"))
    return write


def segment_number(root: Path) -> None:
    segments = segment_file(root)
    segments.write_text(segments.read_text().replace("CHARACTER 0-2", "CHARACTER 0-" + "9" * 5000))


# Each hostile tree: what it does to a good one, and the start of its one error line after the
# file and line it names.
HOSTILE_TREES = {
    "include up out of the folder": (lambda root: include_instead(root, "../../elsewhere.dat"),
                                     "data/1a/abc/w.dat: line 3: .INCLUDE ../../elsewhere.dat: "
                                     "outside"),
    "include an absolute path": (lambda root: include_instead(root, "/etc/passwd"),
                                 "data/1a/abc/w.dat: line 3: .INCLUDE /etc/passwd: outside"),
    "include a symlink out of the folder": (outside_link, "data/1a/abc/w.dat: line 3: "
                                            ".INCLUDE abc/data/w.dat: outside"),
    "32 files, each including the next twice": (lambda root: chain(root, 32, 2),
                                                "include/c15.dat: line 1: .INCLUDE c16.dat: "
                                                "includes nested over 16"),
    "10 files, each including the next 4 times": (lambda root: chain(root, 10, 4),
                                                  "include/c9.dat: line 3: the includes add up to "
                                                  "over 256 files"),
    "1,000 nested includes": (lambda root: chain(root, 1000, 1),
                              "include/c15.dat: line 1: .INCLUDE c16.dat: includes nested over "
                              "16"),
    "a 5,000-digit segment number": (segment_number, "data/1a/abc/w.dat: line 4: .SEGMENT range "
                                     f"'0-{'9' * 38}... (5,002 characters)' is not like 25"),
    "random bytes": (lambda root: segment_file(root).write_bytes(
        np.random.default_rng(0).bytes(1 << 20)), "data/1a/abc/w.dat: not UNIPEN text (NUL"),
    "UTF-16": (lambda root: segment_file(root).write_text(
        segment_file(root).read_text(), encoding="utf-16"),
        "data/1a/abc/w.dat: not UNIPEN text (NUL"),
    "an infinite scale": (scale("9" * 400), "include/abc/abc.doc: line 1: .X_POINTS_PER_INCH 9999"),
    "a scale of 0": (scale("0"), "include/abc/abc.doc: line 1: .X_POINTS_PER_INCH 0: not a finite"),
    "a negative scale": (scale("-2"), "include/abc/abc.doc: line 1: .X_POINTS_PER_INCH -2: not a "),
    "a scale of nan": (scale("nan"), "include/abc/abc.doc: line 1: .X_POINTS_PER_INCH nan: not a "),
}


@pytest.mark.parametrize("damage, message", HOSTILE_TREES.values(), ids=HOSTILE_TREES)
def test_a_hostile_tree_is_one_line_naming_its_file(tmp_path, damage, message):
    (tmp_path / "elsewhere.dat").write_text(pen_file("eve", BLOCKS))
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    damage(root)
    with pytest.raises(DataError) as error:
        load_path(root)
    assert str(error.value).startswith(f"{root}/{message}"), error.value
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


def test_an_included_file_is_read_once_per_segment_file(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    chain(root, 3, 2)  # c3 included 8 times: 40 components, component 0-2 the same as before
    read = Counter()
    monkeypatch.setattr(unipen, "text_lines", lambda path, *args, **kwargs: (
        read.update([path.name]), text_lines(path, *args, **kwargs))[1])
    assert len(load_path(root).y_train) == 3
    assert read == {"w.dat": 1, "abc.doc": 1, "c0.dat": 1, "c1.dat": 1, "c2.dat": 1, "c3.dat": 1}


BAD_SEGMENTS = {
    "past the components": ('.SEGMENT CHARACTER 4-5 OK "4"',
                            ".SEGMENT 4-5 names component 5, but the included files hold 5 (0-4)"),
    "backwards": ('.SEGMENT CHARACTER 2-0 OK "4"', ".SEGMENT 2-0: the range ends before it starts"),
    "not a range": ('.SEGMENT CHARACTER 1-2-3 OK "4"', ".SEGMENT range '1-2-3' is not like 25"),
    "pen up only": ('.SEGMENT CHARACTER 1 OK "4"', ".SEGMENT 1 names no pen-down points"),
    "no label": (".SEGMENT CHARACTER 1 OK", "not a .SEGMENT line like"),
}


@pytest.mark.parametrize("segment, message", BAD_SEGMENTS.values(), ids=BAD_SEGMENTS)
def test_a_bad_segment_is_named_with_its_file_and_line(tmp_path, segment, message):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"}, SEGMENTS[:1] + [segment])
    with pytest.raises(DataError) as error:
        load_path(root)
    assert str(error.value).startswith(f"{root / 'data/1a/abc/w.dat'}: line 5: {message}")


def test_an_unknown_source_is_named_with_those_there_are(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"})
    with pytest.raises(DataError, match=r"unipen/xyz: no such UNIPEN section or source .*: abc\)$"):
        load_path(root / "xyz")


def test_a_bad_tree_given_to_train_is_one_line_and_exit_2(tmp_path):
    root = write_tree(tmp_path / "unipen", {"abc": "kim"}, ['.SEGMENT CHARACTER 9 OK "4"'])
    result = run_cli("trainer", "train", "--data", root, "--out", tmp_path / "m", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {root / 'data/1a/abc/w.dat'}: line 4: .SEGMENT 9 names component 9, but the "
        "included files hold 5 (0-4)"]
    assert not (tmp_path / "m").exists()


# ../shared/data/README.md
UNIPEN_DIGITS = {"0": 1646, "1": 1748, "2": 1653, "3": 1591, "4": 1626, "5": 1522, "6": 1518,
                 "7": 1546, "8": 1558, "9": 1545}


@pytest.mark.slow  # 16,000 characters drawn: a minute or two
def test_the_real_unipen_section_1a_reads_every_digit():
    data = load_path(SHARED_DATA / "unipen")
    y = np.concatenate([data.y_train, data.y_test])
    assert len(y) == 15_953
    assert Counter(data.labels[k] for k in y) == UNIPEN_DIGITS
    writers = set(data.writers) | set(data.test_writers)
    assert len(writers) == 268
    assert {w.split("/")[0] for w in data.test_writers} == set(HELD_OUT_SOURCES)
    assert not {w.split("/")[0] for w in data.writers} & set(HELD_OUT_SOURCES)
    assert len(data.y_test) == 1145 + 1462  # GMD and Valladolid
    assert (data.x_train.reshape(len(data.y_train), -1).max(axis=1) > 128).all()  # ink in each
