"""What every benchmark repeats: the header line naming what was measured, Markdown tables and
percentages, and the one-line failure for bad input (flags checked before anything is measured).

Each benchmark prints HEADER's line first, and BENCHMARKS.md copies it above the table:

    commit 1a0ef82 · model a8c47f6c4b05 · AMD EPYC · 2026-12-07

"model" is the first 12 hex digits of each measured model's hash: an export's model_hash (its
metadata.json; the hash the page's service worker checks), a training run's SHA-256 of its
classifier.keras (the file export converts), "none" where no trained model is measured (random
weights, or code alone). Several models are joined by ", "."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import typer

from runfolder.commandline import fail
from runfolder.layout import CLASSIFIER_MODEL

ROOT = Path(__file__).resolve().parents[1]
HASH_DIGITS = 12
SEPARATOR = " · "
# The header line, as tests/test_docs.py finds it above each table of BENCHMARKS.md.
HEADER = re.compile(r"^commit (?:[0-9a-f]{7,}|unknown) · model (?:none|[0-9a-f]{12}(?:, "
                    r"[0-9a-f]{12})*) · [^·]+ · \d{4}-\d{2}-\d{2}$")


class Character(Protocol):
    """A drawn character as the benchmarks read one, from either of the trainer's stroke readers
    (trainer/sources/strokes.py for pendigits and UJI, trainer/sources/unipen.py for UNIPEN)."""

    @property
    def label(self) -> str: ...
    @property
    def strokes(self) -> list[list[tuple[float, float]]]: ...
    @property
    def writer(self) -> str: ...


# Flag checks, made before anything is measured.


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


def header(*models: Path) -> str:
    """The line that names what a benchmark measured: commit, models, CPU, date (UTC)."""
    names = ", ".join(model_id(model) for model in models) or "none"
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return SEPARATOR.join([f"commit {commit()}", f"model {names}", cpu_name(), today])


def print_header(*models: Path) -> None:
    typer.echo(header(*models))


def model_id(model: Path) -> str:
    """An export's model_hash or a run's classifier.keras hash, shortened; one error line when
    `model` is neither."""
    metadata, classifier = model / "metadata.json", model / CLASSIFIER_MODEL
    try:
        if metadata.is_file():
            model_hash = json.loads(metadata.read_text()).get("model_hash")
            if isinstance(model_hash, str):
                return model_hash[:HASH_DIGITS]
            from export.version import model_hash as exported_hash  # an export made before it

            return exported_hash(model)[:HASH_DIGITS]
        if classifier.is_file():
            return hashlib.sha256(classifier.read_bytes()).hexdigest()[:HASH_DIGITS]
    except (OSError, ValueError, KeyError) as error:
        fail(f"{model}: cannot tell which model it holds ({error})")
    fail(f"{model}: neither an export (metadata.json) nor a training run ({CLASSIFIER_MODEL})")


def commit() -> str:
    """The checkout's short commit, "unknown" outside a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


def cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def percent(share: float | None) -> str:
    """A share as the tables write it, two decimals; "-" where there is none."""
    return "-" if share is None else f"{share:.2%}"


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]],
                   align: str = "") -> str:
    """A Markdown table; `align` holds "l" or "r" for each column (left where it is shorter)."""
    sides = align.ljust(len(columns), "l")
    lines = ["| " + " | ".join(columns) + " |",
             "|" + "|".join("---:" if side == "r" else "---" for side in sides) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def taught_drawings(characters: Sequence[Character], writer: str, per_digit: int) -> list[int]:
    """The indices of the writer's first `per_digit` drawings of each digit: what both teaching
    benchmarks (teach_writers.py, teach_page.py) teach."""
    seen: Counter[str] = Counter()
    taught = []
    for i, character in enumerate(characters):
        if character.writer == writer and seen[character.label] < per_digit:
            taught.append(i)
            seen[character.label] += 1
    return taught
