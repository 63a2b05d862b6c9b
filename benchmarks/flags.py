"""Flag checks the benchmarks share, made before anything is measured: a bad flag ends the
command in one line naming it, exit status 2 (split_writers.fail)."""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.common import fail


def numbers_up_to(text: str, flag: str, most: float, each: str) -> list[float]:
    """Comma-separated numbers, each above 0 and at most `most` (`each` says what one is); once
    each, in their order."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        fail(f"{flag}: {text!r} is not comma-separated numbers")
    if not all(0 < value <= most for value in values):  # nan too
        fail(f"{flag}: {text!r}: each is {each}, above 0 and at most {most:g}")
    return list(dict.fromkeys(values))


def require_writable_file(path: Path, flag: str) -> None:
    """A file the command can write at its end: refused before the run, not after minutes of it."""
    if path.is_dir():
        fail(f"{flag}: {path}: a folder, not a file")
    folder = path.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{flag}: {folder}: not a folder this can write in")


def require_one_of(value: str, choices: tuple[str, ...], flag: str) -> None:
    if value not in choices:
        fail(f"{flag} {value}: not one of {', '.join(choices)}")
