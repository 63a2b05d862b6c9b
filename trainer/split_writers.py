"""Split UCI pendigits' training file by writer, so a model can train on some writers' pen strokes
and be measured on writers it never saw (`make train` trains on writers 1-20):

    python -m trainer split-writers ../shared/data/pendigits/pendigits-orig.tra \
        --test-writers 21-30 --out build/pendigits-writers

writes OUT/pendigits-orig.tra (the other writers) and OUT/pendigits-orig.tes (the test writers),
which the trainer reads as one set with its test split (`--data OUT`). Each character's writer is
in the `.COMMENT label writer sample` line UCI put after its `.SEGMENT`.
"""

from __future__ import annotations

import re
from pathlib import Path

from runfolder.atomic import write_whole
from trainer.config import ConfigError
from trainer.dataset import DataError, whole_text
from trainer.sniff import sniff
from trainer.sources.stroke_files import WRITER

SPLIT_FILES = ("pendigits-orig.tra", "pendigits-orig.tes")  # what --out holds: training, test


def split(text: str, test_writers: set[int]) -> tuple[str, str, int, int]:
    """(train text, test text, train characters, test characters)."""
    header, *segments = re.split(r"(?m)^(?=\.SEGMENT)", text)
    train, test = [header], [header]
    for segment in segments:
        lines = segment.splitlines()
        writer = WRITER.match(lines[1]) if len(lines) > 1 else None
        if writer is None:
            raise DataError(f"no '.COMMENT label writer sample' after {lines[0]!r}")
        (test if int(writer.group(1)) in test_writers else train).append(segment)
    return "".join(train), "".join(test), len(train) - 1, len(test) - 1


def split_pendigits(source: Path, test_writers: str, out: Path) -> tuple[int, int]:
    """Write `source`'s characters into `out`'s two files by writer; (training, test)
    characters. Both files are checked before either is written; `out` is a new folder or a
    split's."""
    try:
        first, last = (int(part) for part in test_writers.split("-"))
    except ValueError:
        raise ConfigError(f"--test-writers: {test_writers!r} is not a range of writers like "
                          "21-30") from None
    check_out(out)
    text = whole_text(source, "a pendigits-orig file")
    try:
        train, test, n_train, n_test = split(text, set(range(first, last + 1)))
    except DataError as error:
        raise DataError(f"{source}: {error}") from None
    if not n_train + n_test:
        raise DataError(f"{source}: no .SEGMENT characters, so not a pendigits-orig file "
                        f"({sniff(source).description}); {out} is left as it was")
    if not n_train or not n_test:
        raise DataError(f"{source}: {n_train:,} characters for training and {n_test:,} of "
                        f"writers {test_writers} (a pendigits-orig file has both; {out} is left "
                        "as it was)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in zip(SPLIT_FILES, (train, test), strict=True):

            def write(path: Path, content: str = content) -> None:
                path.write_text(content)

            write_whole(out / name, write)
    except OSError as error:
        raise DataError(f"{error.filename or out}: {error.strerror or error}") from None
    return n_train, n_test


def check_out(out: Path) -> None:
    """--out is new, or a folder holding nothing but a split's two files."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: a file, not a folder")
    ours = {*SPLIT_FILES, *(f".partial.{name}" for name in SPLIT_FILES)}  # write_whole's too
    others = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.is_dir() else []
    if others:
        raise ConfigError(f"--out {out}: holds {others[0]}, so it is not a split of writers; "
                          "choose another --out")
