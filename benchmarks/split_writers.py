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
from typing import Annotated, NoReturn

import typer

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


def main(
    source: Annotated[Path, typer.Argument(help="pendigits-orig.tra")],
    test_writers: Annotated[str, typer.Option(help="Writers held out, e.g. 21-30.")] = "21-30",
    out: Annotated[Path, typer.Option(help="Folder for the two files.")] = Path(
        "build/pendigits-writers"),
) -> None:
    """make train and make report run this, so a bad argument is one line, as the trainer's."""
    try:
        first, last = (int(part) for part in test_writers.split("-"))
    except ValueError:
        fail(f"--test-writers: {test_writers!r} is not a range of writers like 21-30")
    try:
        text = source.read_text()
        train, test, n_train, n_test = split(text, set(range(first, last + 1)))
        out.mkdir(parents=True, exist_ok=True)
        (out / "pendigits-orig.tra").write_text(train)
        (out / "pendigits-orig.tes").write_text(test)
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{error.filename or source}: {error.strerror or error}")
    except typer.BadParameter as error:
        fail(f"{source}: {error}")
    print(f"{out}: {n_train:,} characters for training, {n_test:,} of writers {test_writers} "
          "for test")


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


if __name__ == "__main__":
    typer.run(main)
