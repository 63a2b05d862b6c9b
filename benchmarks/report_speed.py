"""A training run's report (`make report`, `python -m trainer evaluate`): its figures, and how
long it takes.

    python -m benchmarks.report_speed RUN [--data SET ...]

Runs the trainer's evaluate on RUN (its test split, and each --data set) in a process of its own,
TensorFlow's start-up included, writing the report to a temporary folder (RUN is left as it was),
and prints the header line, the table evaluate prints (each set's accuracy, calibration and "not
sure" shares) and the time. A report's figures grow with the labels: a model of
3,000 labels (ETL9B's) is the case to watch; tests/test_evaluate.py checks what such a report
holds, not how long it takes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.common import fail, markdown_table, print_header
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun


def main(
    model: Annotated[Path, typer.Argument(help="A finished training run (its --out).")],
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="Another set, as trainer evaluate's --data. Repeat for several.")] = None,
) -> None:
    try:
        labels = len(FinishedRun.read(model).labels)
    except OneLineError as error:
        fail(str(error))
    print_header(model)
    sets = data or []
    with tempfile.TemporaryDirectory() as work:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "trainer", "evaluate", str(model), "--out",
             str(Path(work) / "report"), *(arg for path in sets for arg in ("--data", str(path)))],
            capture_output=True, text=True)
        seconds = time.monotonic() - started
    if result.returncode:
        fail(f"trainer evaluate: {(result.stderr.strip().splitlines() or ['failed'])[-1]}")
    typer.echo(result.stdout.rstrip("\n") + "\n")
    typer.echo(markdown_table(["labels", "sets (its test split first)", "report, s"],
                              [[f"{labels:,}", f"{1 + len(sets)}", f"{seconds:.0f}"]], "rrr"))


if __name__ == "__main__":
    run(main)
