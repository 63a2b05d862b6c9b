"""python -m trainer split-writers: pendigits' characters go to the file of their writer's side."""

import pytest

from tests.helpers import unipen
from trainer.dataset import DataError
from trainer.sources.stroke_files import read_unipen
from trainer.split_writers import SPLIT_FILES, split

HEADER = '.INCLUDE dene.doc\n.LEXICON "0" "1"\n'
POINTS = "\n.PEN_DOWN\n 1 2\n 3 4\n.PEN_UP\n"


def test_each_character_goes_with_its_writer(tmp_path):
    text = HEADER + "".join(
        f'.SEGMENT DIGIT {i} ? "{label}"\n.COMMENT {label} {writer} {i}{POINTS}'
        for i, (label, writer) in enumerate([("0", 1), ("1", 21), ("1", 2), ("0", 30)]))
    train, test, n_train, n_test = split(text, {21, 30})
    assert (n_train, n_test) == (2, 2)
    (tmp_path / "pendigits-orig.tra").write_text(train)
    (tmp_path / "pendigits-orig.tes").write_text(test)
    assert [c.label for c in read_unipen(tmp_path / "pendigits-orig.tra")] == ["0", "1"]
    assert [c.label for c in read_unipen(tmp_path / "pendigits-orig.tes")] == ["1", "0"]
    assert test.startswith(HEADER) and ".COMMENT 1 21 1" in test


def test_a_file_saved_with_a_byte_order_mark_splits_as_without(tmp_path):
    from tests.test_bad_inputs import invoke

    text = HEADER + f'.SEGMENT DIGIT 0 ? "7"\n.COMMENT 7 21 0{POINTS}'
    text += text.replace(HEADER, "").replace("7 21 0", "7 1 1")
    (tmp_path / "marked.tra").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert invoke("split-writers", tmp_path / "marked.tra", "--out", tmp_path / "out") == 0
    split_files = [(tmp_path / "out" / name).read_text() for name in SPLIT_FILES]
    assert split_files == list(split(text, set(range(21, 31)))[:2])


def test_a_character_without_its_writer_is_refused():
    with pytest.raises(DataError, match="no '.COMMENT label writer sample'"):
        split(unipen([("7", [[(1, 2), (3, 4)]])]), {21})


@pytest.mark.parametrize("args, message", [
    (["missing.tra"], "missing.tra: cannot read (No such file or directory)"),
    (["--test-writers", "abc", "missing.tra"],
     "--test-writers: 'abc' is not a range of writers like 21-30"),
])
def test_a_bad_argument_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    """make train and make report run it: its errors read like the trainer's."""
    from tests.test_bad_inputs import invoke

    assert invoke("split-writers", *args, "--out", tmp_path / "out") == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "out").exists()
