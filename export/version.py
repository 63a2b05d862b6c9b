"""What says which version an export is: the format of its metadata.json, and the model's hash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from export import FORMAT_VERSION
from export.inputs import MODEL_JSON


def version_keys(export_dir: Path) -> dict:
    """The keys of metadata.json that the page (format_version) and its service worker
    (model_hash) check before they use a model."""
    return {"format_version": FORMAT_VERSION, "model_hash": model_hash(export_dir)}


def model_hash(export_dir: Path) -> str:
    """Hex SHA-256 over model.json's bytes followed by each weight shard's bytes in the order
    model.json's weightsManifest lists them. web/sw.js computes the same over what it downloaded
    and keeps a new model only when the two agree, so a file cut short never replaces a good one.
    """
    model_file = export_dir / MODEL_JSON
    digest = hashlib.sha256(model_file.read_bytes())
    for group in json.loads(model_file.read_text())["weightsManifest"]:
        for path in group["paths"]:
            digest.update((export_dir / path).read_bytes())
    return digest.hexdigest()
