"""run.json, the record a finished training writes: read and checked the same way by every
command that reads it (the export, the evaluation)."""

from __future__ import annotations

import json
from pathlib import Path

from runfolder.layout import RUN_FILE


class RecordError(Exception):
    """run.json cannot be used; the message names the file and the problem."""


def read_record(folder: Path, fields: tuple[str, ...]) -> dict:
    """The run record in `folder`, holding every one of `fields` (a dot goes one level down)."""
    path = folder / RUN_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # unreadable, not UTF-8, or not JSON
        raise RecordError(f"{path}: not a readable run record ({first_line(error)})") from None
    missing = [field for field in fields if not _has(record, field.split("."))]
    if missing:
        raise RecordError(f"{path}: no {', '.join(missing)} (not a complete run record)")
    return record


def _has(record: object, keys: list[str]) -> bool:
    return not keys or (
        isinstance(record, dict) and keys[0] in record and _has(record[keys[0]], keys[1:])
    )


def first_line(error: BaseException) -> str:
    """An exception in one line, for a one-line error message."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
