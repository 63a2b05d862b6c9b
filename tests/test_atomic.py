"""runfolder.atomic: a folder is replaced whole, through a symbolic link the folder it names, and
a failed replacement leaves what was there (issue 35)."""

from pathlib import Path

import pytest

from runfolder.atomic import replace_dir, staging_dir, staging_path
from trainer.output import lock_path


def a_folder(path: Path, name: str, text: str) -> Path:
    path.mkdir()
    (path / name).write_text(text)
    return path


def test_through_a_symbolic_link_the_folder_it_names_is_replaced(tmp_path):
    real = a_folder(tmp_path / "real", "old.txt", "old")
    link = tmp_path / "link"
    link.symlink_to(real)
    staging = staging_dir(link)
    assert staging == tmp_path / ".real.partial"
    (staging / "new.txt").write_text("new")
    replace_dir(staging, link)
    assert link.is_symlink() and [p.name for p in real.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_two_names_of_one_folder_share_one_lock_and_one_staging_folder(tmp_path):
    real = a_folder(tmp_path / "real", "run.json", "{}")
    (tmp_path / "link").symlink_to(real)
    assert lock_path(tmp_path / "link") == lock_path(real) == tmp_path / ".real.lock"
    assert staging_path(tmp_path / "link") == staging_path(real)


def test_a_failed_replacement_leaves_what_was_there(tmp_path):
    target = a_folder(tmp_path / "m", "run.json", "the finished run")
    with pytest.raises(OSError):
        replace_dir(tmp_path / "no-such-staging", target)
    assert (target / "run.json").read_text() == "the finished run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
