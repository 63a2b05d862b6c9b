"""What the export reads and where it writes, checked before TensorFlow loads.

Each problem is one OneLineError (an ExportError, or runfolder's for run.json, the classifier and
the test sample) naming the file and what is wrong with it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

from export import ExportError, require_images
from runfolder.finished import FinishedRun
from runfolder.guard import OutputKind, refuse_unsafe_out
from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE
from runfolder.record import read_json_file
from runfolder.schema import METADATA_SCHEMA, schema_problem

MODEL_JSON = "model.json"
METADATA = "metadata.json"


def read_training(folder: Path, images: int) -> FinishedRun:
    """A complete training folder, its record and its first `images` test images checked."""
    require_images(images)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder}: a file, not a training folder")
    for name in (CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE):
        if not (folder / name).is_file():
            raise ExportError(f"{folder / name}: not found (train a model first: make train)")
    if not zipfile.is_zipfile(folder / CLASSIFIER_MODEL):
        raise ExportError(f"{folder / CLASSIFIER_MODEL}: not a Keras model (no zip archive)")
    training = FinishedRun.read(folder)
    training.test_sample(images)
    return training


# An export is replaced only with --force; never from inside it (a page's live model).
EXPORT_OUTPUT = OutputKind(
    is_one=lambda folder: is_export(folder),
    error=ExportError,
    unresolvable="{out}: {reason}",
    inside="{out}: inside the export {inside}, which it would damage; choose another --out",
    a_file="{out}: a file, not an export folder; choose another --out",
    not_one=f"{{out}}: not an export (no {MODEL_JSON} and {METADATA}), so it is not replaced; "
    "choose another --out",
    needs_force="{out}: an export is already there (pass --force to replace it)",
)


def require_replaceable(out: Path, force: bool) -> None:
    """Refuse, in one line, to put an export anywhere but in a new or empty folder or over an
    export; over an export only with `force`; never inside an export."""
    refuse_unsafe_out(out, EXPORT_OUTPUT, force)
    require_writable(out.parent)


def is_export(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (MODEL_JSON, METADATA))


def require_writable(folder: Path) -> None:
    """`folder`, or the nearest of its parents that exists, takes new files."""
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    if not existing.is_dir():
        raise ExportError(f"{existing}: cannot write the export here (a file, not a folder)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"{existing}: cannot write the export here (permission denied)")


def read_export(folder: Path) -> dict:
    """The metadata of a finished export, once its model and every weight shard are there."""
    model_file = folder / MODEL_JSON
    model = read_json(model_file, "run make export first")
    try:
        shards = [name for group in model["weightsManifest"] for name in group["paths"]]
    except (KeyError, TypeError):
        raise ExportError(f"{model_file}: no weightsManifest (not a TF.js graph model)") from None
    for name in shards:
        if not (folder / name).is_file():
            raise ExportError(f"{folder / name}: not found (the export is incomplete)")
    metadata_file = folder / METADATA
    metadata = read_json(metadata_file, "run make export first")
    require_page_metadata(metadata, metadata_file)
    return metadata


def require_page_metadata(metadata: object, metadata_file: Path) -> None:
    """`metadata` is what the page accepts (web/metadata.schema.json), or an ExportError."""
    problem = schema_problem(metadata, METADATA_SCHEMA)
    if problem:
        raise ExportError(f"{metadata_file}: {problem} (the page would refuse this export)")


def read_json(path: Path, when_missing: str = "") -> Any:
    if not path.is_file():
        raise ExportError(f"{path}: not found" + (f" ({when_missing})" if when_missing else ""))
    return read_json_file(path, "JSON file", ExportError)
