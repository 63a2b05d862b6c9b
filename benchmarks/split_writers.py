"""Split UCI pendigits' training file by writer, so a model can train on some writers' pen strokes
and be measured on writers it never saw.

    python -m benchmarks.split_writers ../shared/data/pendigits/pendigits-orig.tra \
        --test-writers 21-30 --out build/pendigits-writers

writes OUT/pendigits-orig.tra (the other writers) and OUT/pendigits-orig.tes (the test writers),
which the trainer reads as one set with its test split (`--data OUT`). Each character's writer is
in the `.COMMENT label writer sample` line UCI put after its `.SEGMENT`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.common import fail
from runfolder.atomic import write_whole
from runfolder.commandline import run
from trainer.sniff import sniff
from trainer.sources.strokes import WRITER


def split(text: str, test_writers: set[int]) -> tuple[str, str, int, int]:
    """(train text, test text, train characters, test characters)."""
    header, *segments = re.split(r"(?m)^(?=\.SEGMENT)", text)
    train, test = [header], [header]
    for segment in segments:
        lines = segment.splitlines()
        writer = WRITER.match(lines[1]) if len(lines) > 1 else None
        if writer is None:
            raise typer.BadParameter(f"no '.COMMENT label writer sample' after {lines[0]!r}")
        (test if int(writer.group(1)) in test_writers else train).append(segment)
    return "".join(train), "".join(test), len(train) - 1, len(test) - 1


SPLIT_FILES = ("pendigits-orig.tra", "pendigits-orig.tes")  # what --out holds: training, test


def main(
    source: Annotated[Path, typer.Argument(help="pendigits-orig.tra")],
    test_writers: Annotated[str, typer.Option(help="Writers held out, e.g. 21-30.")] = "21-30",
    out: Annotated[Path, typer.Option(help="Folder for the two files.")] = Path(
        "build/pendigits-writers"),
) -> None:
    """make train and make report run this, so a bad argument is one line, as the trainer's.
    Both files are checked before either is written; --out is a new folder or a split's."""
    try:
        first, last = (int(part) for part in test_writers.split("-"))
    except ValueError:
        fail(f"--test-writers: {test_writers!r} is not a range of writers like 21-30")
    check_out(out)
    try:
        text = source.read_text(encoding="ascii")
        train, test, n_train, n_test = split(text, set(range(first, last + 1)))
    except OSError as error:
        fail(f"{error.filename or source}: {error.strerror or error}")
    except UnicodeDecodeError:
        fail(f"{source}: not a pendigits-orig file ({sniff(source).description})")
    except typer.BadParameter as error:
        fail(f"{source}: {error}")
    if not n_train + n_test:
        fail(f"{source}: no .SEGMENT characters, so not a pendigits-orig file "
             f"({sniff(source).description}); {out} is left as it was")
    if not n_train or not n_test:
        fail(f"{source}: {n_train:,} characters for training and {n_test:,} of writers "
             f"{test_writers} (a pendigits-orig file has both; {out} is left as it was)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in zip(SPLIT_FILES, (train, test), strict=True):

            def write(path: Path, content: str = content) -> None:
                path.write_text(content)

            write_whole(out / name, write)
    except OSError as error:
        fail(f"{error.filename or out}: {error.strerror or error}")
    print(f"{out}: {n_train:,} characters for training, {n_test:,} of writers {test_writers} "
          "for test")


def check_out(out: Path) -> None:
    """--out is new, or a folder holding nothing but a split's two files."""
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: a file, not a folder")
    ours = {*SPLIT_FILES, *(f".partial.{name}" for name in SPLIT_FILES)}  # write_whole's too
    others = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.is_dir() else []
    if others:
        fail(f"--out {out}: holds {others[0]}, so it is not a split of writers; "
             "choose another --out")


if __name__ == "__main__":
    run(main)
