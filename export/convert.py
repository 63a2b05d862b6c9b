"""Trained model folder -> TF.js graph model plus the metadata the page reads."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from export import ExportError, require_trained
from export.parity import Parity, check_parity
from trainer.atomic import replace_dir, staging_dir
from trainer.layout import BEST_MODEL, RUN_FILE, TEST_SAMPLE
from trainer.model import CLASSIFIER

METADATA = "metadata.json"
CONVERTER = Path(sys.executable).with_name("tensorflowjs_converter")


def load_trained(model_dir: Path) -> tuple[keras.Model, dict]:
    """The classifier (augmentation left behind) and the run record of a training folder."""
    require_trained(model_dir)
    model_file = model_dir / BEST_MODEL
    try:
        trained = keras.models.load_model(model_file)
        classifier = trained.get_layer(CLASSIFIER)
    except (OSError, ValueError) as error:
        raise ExportError(f"{model_file}: cannot load the classifier ({error})") from None
    return classifier, json.loads((model_dir / RUN_FILE).read_text())


def load_test_sample(model_dir: Path) -> np.ndarray:
    with np.load(model_dir / TEST_SAMPLE) as sample:
        return sample["x"]


def export_model(model_dir: Path, out: Path, log=print) -> dict:
    """Convert, write metadata, prove parity in Chromium, then put the bundle at `out`."""
    classifier, run = load_trained(model_dir)
    try:
        staging = staging_dir(out)
    except OSError as error:
        raise ExportError(f"{out.parent}: cannot write the export here ({error})") from None

    with tempfile.TemporaryDirectory(prefix="saved-model-") as tmp:
        saved_model = Path(tmp) / "saved_model"
        classifier.export(saved_model, format="tf_saved_model", verbose=False)
        started = time.monotonic()
        convert_saved_model(saved_model, staging, model_dir)
        conversion_seconds = time.monotonic() - started

    weight_files = sorted(staging.glob("*.bin"))
    parity = check_parity(classifier, staging, load_test_sample(model_dir))
    log(parity.summary())
    if not parity.ok:
        raise ExportError(f"{staging}: TF.js disagrees with Keras; {parity.summary()}")

    metadata = {
        "name": f"{run['model']} ({model_dir.name})",
        "labels": run["labels"],
        "input_size": run["input_size"],
        "channels": run["channels"],
        "input": "drawing",
        "preprocessing": run["preprocessing"],
        "accuracy": {"test": run["metrics"]["test_accuracy"]},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "quantization": "none",
        "format": "tfjs_graph_model",
        "model_bytes": sum(p.stat().st_size for p in staging.iterdir()),
        "weight_shards": len(weight_files),
        "conversion_seconds": round(conversion_seconds, 2),
        "parity": parity.__dict__,
    }
    (staging / METADATA).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    replace_dir(staging, out)
    log(
        f"exported {out}: {metadata['model_bytes']:,} bytes in {len(weight_files)} weight "
        f"shard(s), converted in {conversion_seconds:.1f} s"
    )
    return metadata


def convert_saved_model(saved_model: Path, out: Path, model_dir: Path) -> None:
    result = subprocess.run(
        [
            str(CONVERTER),
            "--input_format=tf_saved_model",
            "--output_format=tfjs_graph_model",
            "--signature_name=serving_default",
            "--saved_model_tags=serve",
            str(saved_model),
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        unsupported = [line for line in lines if "Unsupported Ops" in line]
        detail = unsupported[0] if unsupported else (lines[-1] if lines else "no output")
        raise ExportError(f"{model_dir / BEST_MODEL}: tensorflowjs_converter failed: {detail}")


def verify(model_dir: Path, export_dir: Path, backend: str = "cpu") -> Parity:
    classifier, _ = load_trained(model_dir)
    if not (export_dir / "model.json").is_file():
        raise ExportError(f"{export_dir / 'model.json'}: not found (run make export first)")
    return check_parity(classifier, export_dir, load_test_sample(model_dir), backend)
