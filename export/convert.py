"""Trained model folder -> TF.js graph model plus the metadata the page reads."""

from __future__ import annotations

import fnmatch
import json
import math
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

from export import (
    BACKENDS,
    FEATURES,
    OUTPUT_LAYER_WEIGHTS,
    POOLED,
    QUANTIZATIONS,
    ExportError,
    ExportOptions,
    graph_outputs,
    require_backends,
)
from export.inputs import (
    METADATA,
    MODEL_JSON,
    read_export,
    read_training,
    require_page_metadata,
    require_replaceable,
)
from export.parity import Parity, check_parity
from export.references import references
from export.version import version_keys
from runfolder.atomic import replace_dir, staging_dir
from runfolder.finished import FinishedRun
from runfolder.layout import PROBABILITIES

# A run recorded before its sources named their credit: nothing named, no licence of its own.
NO_CREDIT: dict[str, list | None] = {"trained_on": [], "licence": None}
# Bytes a value in the dtypes the converter quantizes to.
QUANTIZED_BYTES = {"float16": 2, "uint16": 2, "uint8": 1}
# Where `python -m export.graph_rewrites` is found, whatever the working folder.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def export_model(
    model_dir: Path, out: Path, options: ExportOptions, log: Callable[[str], None] = print
) -> dict:
    """Convert, prove parity in Chromium on every backend, then put the bundle at `out`.

    The export is built beside `out` and renamed into place: whatever fails, `out` is as it was.
    """
    training = read_training(model_dir, options.images)
    require_replaceable(out, options.force)
    classifier = with_features(load_classifier(training))
    staging = make_staging(out)
    try:
        metadata = build_export(classifier, training, staging, options, log)
        replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(
        f"exported {out}: {metadata['model_bytes']:,} bytes in {metadata['weight_shards']} "
        f"weight shard(s), quantization {options.quantize}, "
        f"converted in {metadata['conversion_seconds']:.1f} s"
    )
    return metadata


def load_classifier(training: FinishedRun) -> keras.Model:
    """The saved classifier (augmentation was left behind by the trainer), computing in float32,
    its output bias kept in the graph."""
    return with_kept_bias(in_float32(training.classifier))


def with_kept_bias(classifier: keras.Model) -> keras.Model:
    """The classifier with an all-zero output bias (an untrained model's) raised by one: the
    converter drops a bias of zeros from the graph (x + 0 is x), and the page reads the output
    layer's bias from the graph's weights. Softmax gives the same probabilities for logits all
    raised alike, and so does the personal head started from them."""
    layer = classifier.get_layer(PROBABILITIES)
    weights = layer.get_weights()
    if len(weights) == 2 and not weights[1].any():
        layer.set_weights([weights[0], weights[1] + 1])
    return classifier


def with_features(classifier: keras.Model) -> keras.Model:
    """The classifier with two more outputs: the features its output layer reads, and those of its
    last pooling (Flatten or global pooling) layer. Same weights, none added: the page learns a
    person's writing from them (web/personal-head.js). When only Dropout lies between the two
    (MobileNetV3Small's head), they are one tensor as the model reads, which the converter names
    once: the features output serves as both (export.graph_outputs)."""
    layers = classifier.layers
    pooling = [layer for layer in layers if isinstance(layer, POOLING_LAYERS)]
    if not pooling:
        raise ExportError(f"{classifier.name}: no Flatten or global pooling layer to read the "
                          "pooled features from")
    output_layer = classifier.get_layer(PROBABILITIES)
    outputs = {PROBABILITIES: classifier.output, FEATURES: output_layer.input}
    between = layers[layers.index(pooling[-1]) + 1 : layers.index(output_layer)]
    if not all(isinstance(layer, keras.layers.Dropout) for layer in between):
        outputs[POOLED] = pooling[-1].output
    return keras.Model(classifier.input, outputs, name=classifier.name)


POOLING_LAYERS = (keras.layers.Flatten, keras.layers.GlobalAveragePooling2D,
                  keras.layers.GlobalMaxPooling2D)


def make_staging(out: Path) -> Path:
    try:
        return staging_dir(out)
    except OSError as error:
        problem = error.strerror or error
        raise ExportError(f"{out.parent}: cannot write the export here ({problem})") from None


def build_export(
    classifier: keras.Model,
    training: FinishedRun,
    staging: Path,
    options: ExportOptions,
    log: Callable[[str], None],
) -> dict:
    """The converted model and its metadata.json in `staging`, once TF.js agrees with Keras."""
    with tempfile.TemporaryDirectory(prefix="export-") as tmp:
        saved_model = Path(tmp) / "saved_model"
        classifier.export(saved_model, format="tf_saved_model", verbose=False)
        started = time.monotonic()
        convert_saved_model(saved_model, staging, options.quantize, training.classifier_file)
        seconds = time.monotonic() - started
        x, y = training.test_sample(options.images)
        reports = check_parity(classifier, staging, x, y, options.backends, options.quantize)
        for report in reports:
            log(f"parity on {report.summary()}")
        failed = [report for report in reports if not report.ok]
        if failed:  # before the accuracy guard, which --allow-accuracy-drop would let pass
            raise ExportError(
                f"{training.classifier_file}: TF.js disagrees with Keras on {failed[0].summary()}"
            )
        unquantized_bytes = folder_bytes(staging)
        if options.quantize != "none":
            unquantized_bytes = float32_bytes(staging)
            judge_quantization(options, folder_bytes(staging), unquantized_bytes, reports, log)
    metadata = metadata_for(training, options, reports, staging, seconds, unquantized_bytes,
                            graph_outputs(classifier))
    metadata["references"] = references(classifier, *training.test_sample())  # all of it
    require_page_metadata(metadata, staging / METADATA)
    (staging / METADATA).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    return metadata


def metadata_for(
    training: FinishedRun,
    options: ExportOptions,
    reports: list[Parity],
    staging: Path,
    conversion_seconds: float,
    unquantized_bytes: int,
    outputs: dict[str, str],
) -> dict:
    """What the page reads (labels, input, preprocessing, backends, the graph's `outputs`) and
    what the export proved."""
    return {
        **version_keys(staging),
        "name": f"{training.architecture} ({training.folder.name})",
        "labels": training.labels,
        "input_size": training.input_size,
        "channels": training.channels,
        "input": training.input,
        "preprocessing": training.preprocessing,
        "not_sure_threshold": training.not_sure_threshold,
        "ink_limit": training.ink_limit,
        "candidate_groups": training.candidate_groups,
        "one_character": training.one_character,
        "credit": training.credit or NO_CREDIT,
        "outputs": outputs,
        "feature_size": reports[0].feature_size,
        "pooled_size": reports[0].pooled_size,
        "output_layer": output_layer_weights(staging, reports[0].feature_size,
                                             len(training.labels)),
        "backends": list(BACKENDS),
        "accuracy": {
            "keras_test": training.metrics["test_accuracy"],
            "tfjs_sample": reports[0].tfjs_accuracy,
            "sample_images": reports[0].images,
        },
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "quantization": options.quantize,
        "format": "tfjs_graph_model",
        "model_bytes": folder_bytes(staging),
        "unquantized_bytes": unquantized_bytes,
        "weight_shards": len(list(staging.glob("*.bin"))),
        "conversion_seconds": round(conversion_seconds, 2),
        "parity": [report.to_json() for report in reports],
    }


def output_layer_weights(export_dir: Path, feature_size: int, labels: int) -> dict:
    """The names model.json gives the output layer's kernel and bias: the page reads them from
    the graph model's weights to start a personal head from (web/personal-head.js)."""
    weights = [weight for group in json.loads((export_dir / MODEL_JSON).read_text())
               ["weightsManifest"] for weight in group["weights"]
               if any(fnmatch.fnmatchcase(weight["name"], pattern)
                      for pattern in OUTPUT_LAYER_WEIGHTS.split(","))]
    by_shape = {tuple(weight["shape"]): weight["name"] for weight in weights}
    shapes = {"kernel": (feature_size, labels), "bias": (labels,)}
    missing = [f"{part} {list(shape)}" for part, shape in shapes.items() if shape not in by_shape]
    if missing:
        raise ExportError(f"{export_dir / MODEL_JSON}: the output layer's {' and '.join(missing)} "
                          "are not among the graph's weights (the converter dropped them)")
    return {part: by_shape[shape] for part, shape in shapes.items()}


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


def judge_quantization(
    options: ExportOptions,
    size: int,
    unquantized_bytes: int,
    reports: list[Parity],
    log: Callable[[str], None],
) -> None:
    """Report what quantization saved and cost; refuse a loss beyond --max-accuracy-drop.

    The loss is measured against Keras' float32 answers on the same images: float32 TF.js gives
    every one of them (an unquantized export is refused otherwise), so no second conversion is
    needed to know what the float32 export would have read."""
    before = reports[0].keras_accuracy
    after = min(report.tfjs_accuracy for report in reports)
    log(
        f"{options.quantize}: {unquantized_bytes:,} -> {size:,} bytes "
        f"({size / unquantized_bytes:.0%}); TF.js accuracy {before:.2%} in float32 -> "
        f"{after:.2%} on {reports[0].images} test images"
    )
    drop = before - after
    if drop > options.max_accuracy_drop:
        message = (
            f"{options.quantize} quantization loses {drop:.2%} accuracy "
            f"(more than --max-accuracy-drop {options.max_accuracy_drop:.2%})"
        )
        if not options.allow_accuracy_drop:
            raise ExportError(f"{message}; pass --allow-accuracy-drop to export anyway")
        log(f"WARNING: {message}. Exporting anyway, as --allow-accuracy-drop asks.")


def convert_saved_model(saved_model: Path, out: Path, quantize: str, source: Path) -> None:
    """The converter, with rewrites of our own (export/graph_rewrites.py), to a graph model; a
    failure names `source`, the Keras file the SavedModel came from."""
    result = subprocess.run(
        [
            sys.executable, "-m", "export.graph_rewrites",
            "--input_format=tf_saved_model",
            "--output_format=tfjs_graph_model",
            "--signature_name=serving_default",
            "--saved_model_tags=serve",
            *quantize_flags(quantize),
            "--",  # a quantization flag without patterns would take the path after it as its own
            str(saved_model),
            str(out),
        ],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        # oneDNN's graph rewrites fuse hard-swish into convolutions (_FusedHardSwish), an
        # activation the wasm backend lacks; without them the graph is portable. TensorFlow reads
        # this when it loads, and this process loaded it long ago: hence a process of its own.
        env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                         os.environ.get("PYTHONPATH")]))},
    )
    if result.returncode != 0:
        raise ExportError(f"{source}: {converter_problem(result.stderr)}")
    require_quantized(json.loads((out / MODEL_JSON).read_text()), quantize, source)


def quantize_flags(quantize: str) -> list[str]:
    """The converter's flags for a --quantize choice: one per dtype, with its name patterns."""
    return [
        f"--quantize_{dtype}" + (f"={patterns}" if patterns else "")
        for dtype, patterns in QUANTIZATIONS[quantize].weights.items()
    ]


def require_quantized(model: dict, quantize: str, source: Path) -> None:
    """Every dtype of the choice holds some weight in model.json: a name pattern that matched
    nothing (a model without the layer it names) would export that part unquantized, silently."""
    stored = {
        weight["quantization"]["dtype"]
        for group in model["weightsManifest"]
        for weight in group["weights"]
        if "quantization" in weight
    }
    for dtype, patterns in QUANTIZATIONS[quantize].weights.items():
        if dtype not in stored:
            which = f"named like {' or '.join(patterns.split(','))}" if patterns else "left"
            raise ExportError(
                f"{source}: --quantize {quantize}: no weight {which} to store as {dtype}"
            )


def converter_problem(stderr: str) -> str:
    """One line out of the converter's traceback: the ops TF.js lacks, or its last words."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for i, line in enumerate(lines[:-1]):
        if line.startswith("ValueError: Unsupported Ops in the model"):
            return f"TF.js has no kernel for these ops: {lines[i + 1]}"
    return f"tensorflowjs_converter failed: {lines[-1] if lines else 'no output'}"


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def float32_bytes(folder: Path) -> int:
    """The export's size had its quantized weights stayed float32: 4 bytes a value, and a
    model.json without their quantization entries (written as the converter writes it)."""
    model = json.loads((folder / MODEL_JSON).read_text())
    saved = 0
    for weight in (weight for group in model["weightsManifest"] for weight in group["weights"]):
        if quantization := weight.pop("quantization", None):
            saved += math.prod(weight["shape"]) * (4 - QUANTIZED_BYTES[quantization["dtype"]])
    shards = folder_bytes(folder) - (folder / MODEL_JSON).stat().st_size
    return len(json.dumps(model).encode()) + shards + saved


def verify(
    model_dir: Path, export_dir: Path, backends: tuple[str, ...], images: int
) -> list[Parity]:
    """Run an export in TF.js on each backend and compare it with the Keras classifier."""
    require_backends(backends)
    training = read_training(model_dir, images)
    metadata = read_export(export_dir)
    classifier = with_features(load_classifier(training))
    return check_parity(classifier, export_dir, *training.test_sample(images), backends,
                        metadata["quantization"])
