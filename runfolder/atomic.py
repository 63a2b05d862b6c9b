"""Files and folders that appear complete or not at all."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def real_path(path: Path) -> Path:
    """`path` with every symbolic link followed; OSError (ELOOP) for a loop of them."""
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.11's word for a loop
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def staging_path(target: Path) -> Path:
    """The hidden sibling where `target`'s new content is built: .NAME.partial, beside the
    folder `target` resolves to (through a symbolic link, the real one)."""
    target = real_path(target)
    return target.with_name(f".{target.name}.partial")


def staging_dir(target: Path) -> Path:
    """A fresh, empty sibling of `target` to build its new content in."""
    staging = staging_path(target)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def replace_dir(new: Path, target: Path) -> None:
    """Put a finished folder in place of `target` (the folder it resolves to), never leaving a
    half-written one there."""
    target = real_path(target)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)  # what was there stays
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_whole(target: Path, write: Callable[[Path], object]) -> None:
    """`write(path)` to a hidden sibling, then rename it over `target`: never half a file.

    The sibling keeps `target`'s suffix, which writers such as Keras and matplotlib go by.
    """
    partial = target.with_name(f".partial.{target.name}")
    try:
        write(partial)
        os.replace(partial, target)
    except BaseException:  # a full disk, Ctrl-C: no half-written file stays behind
        partial.unlink(missing_ok=True)
        raise
