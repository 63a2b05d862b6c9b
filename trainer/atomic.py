"""Folders that appear complete or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path


def staging_dir(target: Path) -> Path:
    """A fresh, empty sibling of `target` to build its new content in."""
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def replace_dir(new: Path, target: Path) -> None:
    """Put a finished folder in place of `target`, never leaving a half-written one there."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
