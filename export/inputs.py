"""What the export reads and where it writes, checked before TensorFlow loads.

Each problem is one ExportError naming the file and what is wrong with it.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from export import ExportError, require_images
from runfolder.atomic import real_path
from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE
from runfolder.record import RecordError, read_json_file, read_record
from runfolder.sample import SampleError, read_test_sample
from runfolder.schema import METADATA_SCHEMA, schema_problem

MODEL_JSON = "model.json"
METADATA = "metadata.json"


@dataclass(frozen=True)
class Training:
    """A training folder as the export uses it: its run record and its test images."""

    folder: Path
    run: dict
    x: np.ndarray
    y: np.ndarray

    @property
    def classifier_file(self) -> Path:
        return self.folder / CLASSIFIER_MODEL


def read_training(folder: Path, images: int) -> Training:
    """The run record and the first `images` test images of a complete training folder."""
    require_images(images)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder}: a file, not a training folder")
    for name in (CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE):
        if not (folder / name).is_file():
            raise ExportError(f"{folder / name}: not found (train a model first: make train)")
    if not zipfile.is_zipfile(folder / CLASSIFIER_MODEL):
        raise ExportError(f"{folder / CLASSIFIER_MODEL}: not a Keras model (no zip archive)")
    try:
        run = read_record(folder)
    except RecordError as error:
        raise ExportError(str(error)) from None
    try:
        x, y = read_test_sample(folder, run, images)
    except SampleError as error:
        raise ExportError(str(error)) from None
    return Training(folder, run, x, y)


def require_replaceable(out: Path, force: bool) -> None:
    """Refuse, in one line, to put an export anywhere but in a new folder or over an export;
    over an export only with `force`; never inside an export (a page's live model)."""
    try:
        real = real_path(out)
    except OSError as error:
        raise ExportError(f"{out}: {error.strerror}") from None
    inside = next((folder for folder in real.parents if is_export(folder)), None)
    if inside is not None:
        raise ExportError(f"{out}: inside the export {inside}, which it would damage; "
                          "choose another --out")
    if out.is_dir():
        if not is_export(out):
            raise ExportError(
                f"{out}: not an export (no {MODEL_JSON} and {METADATA}), so it is not replaced; "
                "choose another --out"
            )
        if not force:
            raise ExportError(f"{out}: an export is already there (pass --force to replace it)")
    elif out.exists() or out.is_symlink():
        raise ExportError(f"{out}: a file, not an export folder; choose another --out")
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
