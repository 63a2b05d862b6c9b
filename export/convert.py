"""Trained model folder -> TF.js graph model plus the metadata the page reads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from export import ExportError, require_free, require_trained
from export.graph_fixes import unfuse_scalar_biases
from export.parity import BACKENDS, PROB_LIMITS, Parity, check_parity
from runfolder.atomic import replace_dir, staging_dir
from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE

METADATA = "metadata.json"
CONVERTER = Path(sys.executable).with_name("tensorflowjs_converter")
QUANTIZE_FLAGS = {"none": [], "float16": ["--quantize_float16=*"], "uint8": ["--quantize_uint8=*"]}


def load_trained(model_dir: Path) -> tuple[keras.Model, dict]:
    """The classifier (augmentation left behind) and the run record of a training folder."""
    require_trained(model_dir)
    model_file = model_dir / CLASSIFIER_MODEL
    try:
        classifier = in_float32(keras.models.load_model(model_file, compile=False))
    except (OSError, ValueError) as error:
        raise ExportError(f"{model_file}: cannot load the classifier ({error})") from None
    return classifier, json.loads((model_dir / RUN_FILE).read_text())


def in_float32(classifier: keras.Model) -> keras.Model:
    """The classifier computing in float32: a mixed-precision model's float16 compute becomes
    casts that TF.js cannot run. Its weights are float32 either way."""
    config = classifier.get_config()
    if "mixed_float16" not in json.dumps(config):
        return classifier
    rebuilt = keras.Model.from_config(_float32_policies(config))
    rebuilt.set_weights(classifier.get_weights())
    return rebuilt


def _float32_policies(config):
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy":
            return {**config, "config": {**config["config"], "name": "float32"}}
        return {key: _float32_policies(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_float32_policies(item) for item in config]
    return config


def load_test_sample(model_dir: Path, images: int) -> tuple[np.ndarray, np.ndarray]:
    with np.load(model_dir / TEST_SAMPLE) as sample:
        return sample["x"][:images], sample["y"][:images]


def export_model(
    model_dir: Path,
    out: Path,
    quantize: str = "none",
    force: bool = False,
    backends: tuple[str, ...] = BACKENDS,
    images: int = 256,
    max_accuracy_drop: float = 0.005,
    allow_accuracy_drop: bool = False,
    log: Callable[[str], None] = print,
) -> dict:
    """Convert, prove parity in Chromium on every backend, then put the bundle at `out`."""
    require_free(out, force)
    classifier, run = load_trained(model_dir)
    x, y = load_test_sample(model_dir, images)
    try:
        staging = staging_dir(out)
    except OSError as error:
        raise ExportError(f"{out.parent}: cannot write the export here ({error})") from None
    try:
        with tempfile.TemporaryDirectory(prefix="export-") as tmp:
            saved_model = Path(tmp) / "saved_model"
            classifier.export(saved_model, format="tf_saved_model", verbose=False)
            started = time.monotonic()
            convert_saved_model(saved_model, staging, quantize, model_dir)
            conversion_seconds = time.monotonic() - started
            reports = check_parity(classifier, staging, x, y, backends, PROB_LIMITS[quantize])
            for report in reports:
                log(f"parity on {report.summary()}")
            reference = None
            if quantize != "none":
                reference = Path(tmp) / "unquantized"
                convert_saved_model(saved_model, reference, "none", model_dir)
                (reference_report,) = check_parity(classifier, reference, x, y, ("cpu",))
                reference_bytes = folder_bytes(reference)
        size = folder_bytes(staging)
        if reference is not None:
            judge_quantization(
                quantize, size, reference_bytes, reports, reference_report,
                max_accuracy_drop, allow_accuracy_drop, log,
            )
        failed = [report for report in reports if not report.ok]
        if failed:
            raise ExportError(f"{out}: TF.js disagrees with Keras on {failed[0].summary()}")

        metadata = {
            "name": f"{run['model']} ({model_dir.name})",
            "labels": run["labels"],
            "input_size": run["input_size"],
            "channels": run["channels"],
            "input": run.get("input", "drawing"),
            "preprocessing": run["preprocessing"],
            "not_sure_threshold": run["metrics"].get("not_sure_threshold"),
            "accuracy": {
                "keras_test": run["metrics"]["test_accuracy"],
                "tfjs_sample": reports[0].tfjs_accuracy,
                "sample_images": len(x),
            },
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "quantization": quantize,
            "format": "tfjs_graph_model",
            "model_bytes": size,
            "unquantized_bytes": reference_bytes if reference is not None else size,
            "weight_shards": len(list(staging.glob("*.bin"))),
            "conversion_seconds": round(conversion_seconds, 2),
            "parity": [report.to_json() for report in reports],
        }
        (staging / METADATA).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
        replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(
        f"exported {out}: {size:,} bytes in {metadata['weight_shards']} weight shard(s), "
        f"quantization {quantize}, converted in {conversion_seconds:.1f} s"
    )
    return metadata


def judge_quantization(
    quantize: str,
    size: int,
    reference_bytes: int,
    reports: list[Parity],
    reference: Parity,
    max_drop: float,
    allow_drop: bool,
    log: Callable[[str], None],
) -> None:
    """Report what quantization saved and cost; refuse a loss beyond `max_drop`."""
    quantized = min(report.tfjs_accuracy for report in reports)
    log(
        f"{quantize}: {reference_bytes:,} -> {size:,} bytes ({size / reference_bytes:.0%}); "
        f"TF.js accuracy {reference.tfjs_accuracy:.2%} -> {quantized:.2%} "
        f"on {reference.images} test images"
    )
    drop = reference.tfjs_accuracy - quantized
    if drop > max_drop:
        message = (
            f"{quantize} quantization loses {drop:.2%} accuracy "
            f"(more than --max-accuracy-drop {max_drop:.2%})"
        )
        if not allow_drop:
            raise ExportError(f"{message}; pass --allow-accuracy-drop to export anyway")
        log(f"WARNING: {message}. Exporting anyway, as --allow-accuracy-drop asks.")


def convert_saved_model(saved_model: Path, out: Path, quantize: str, model_dir: Path) -> None:
    """tensorflowjs_converter to a graph model, then the rewrites every backend needs."""
    result = subprocess.run(
        [
            str(CONVERTER),
            "--input_format=tf_saved_model",
            "--output_format=tfjs_graph_model",
            "--signature_name=serving_default",
            "--saved_model_tags=serve",
            *QUANTIZE_FLAGS[quantize],
            str(saved_model),
            str(out),
        ],
        capture_output=True,
        text=True,
        # oneDNN's graph rewrites fuse hard-swish into convolutions (_FusedHardSwish), an
        # activation the wasm backend lacks; without them the graph is portable.
        env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"},
    )
    if result.returncode != 0:
        raise ExportError(f"{model_dir / CLASSIFIER_MODEL}: {converter_problem(result.stderr)}")
    model_file = out / "model.json"
    model = json.loads(model_file.read_text())
    if unfuse_scalar_biases(model):
        model_file.write_text(json.dumps(model))


def converter_problem(stderr: str) -> str:
    """One line out of the converter's traceback: the ops TF.js lacks, or its last words."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for i, line in enumerate(lines[:-1]):
        if line.startswith("ValueError: Unsupported Ops in the model"):
            return f"TF.js has no kernel for these ops: {lines[i + 1]}"
    return f"tensorflowjs_converter failed: {lines[-1] if lines else 'no output'}"


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def verify(
    model_dir: Path, export_dir: Path, backends: tuple[str, ...], images: int
) -> list[Parity]:
    classifier, _ = load_trained(model_dir)
    model_file, metadata_file = export_dir / "model.json", export_dir / METADATA
    for path in (model_file, metadata_file):
        if not path.is_file():
            raise ExportError(f"{path}: not found (run make export first)")
    quantize = json.loads(metadata_file.read_text())["quantization"]
    x, y = load_test_sample(model_dir, images)
    return check_parity(classifier, export_dir, x, y, backends, PROB_LIMITS[quantize])
