"""run.json, the record a finished training writes: read and checked against its schema
(runfolder/run.schema.json) the same way by every command that reads it (the export, the
evaluation, --init)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runfolder.errors import OneLineError
from runfolder.layout import RUN_FILE
from runfolder.schema import RUN_SCHEMA, schema_problem

LARGEST_RECORD = 64 << 20  # bytes; a run record is some kilobytes


class RecordError(OneLineError):
    """run.json cannot be used; the message names the file and the problem."""


def read_record(folder: Path) -> dict:
    """The run record in `folder`, every field of the schema checked."""
    path = folder / RUN_FILE
    record = read_json_file(path, "run record", RecordError)
    problem = schema_problem(record, RUN_SCHEMA)
    if problem:
        raise RecordError(f"{path}: {problem} (not a complete run record)")
    return record


def read_json_file(path: Path, what: str, error_type: type[Exception]) -> Any:
    """The JSON in `path`, bounded in size and nesting, NaN and Infinity refused (the page's
    JSON.parse refuses them too); `error_type` naming the file and the problem otherwise."""
    try:
        if path.stat().st_size > LARGEST_RECORD:
            raise error_type(f"{path}: {path.stat().st_size:,} bytes, too large for a {what}")
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError) as error:  # unreadable, not UTF-8, not JSON
        reason = "nested too deeply" if isinstance(error, RecursionError) else first_line(error)
        raise error_type(f"{path}: not a readable {what} ({reason})") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def first_line(error: BaseException) -> str:
    """An exception in one line, for a one-line error message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
