"""How large is a kanji model on the page, and what does each --quantize choice cost?

    python -m benchmarks.kanji_model [--out build/kanji-model] [--backends wasm] [--images 256]

Builds the model `configs/kanji-etl.toml` trains, MobileNetV3Small (alpha 1.0) at 64x64 with
ETL9B's 3,036 classes (JIS X 0208 level-1 kanji and 71 hiragana), with random weights
(`--weights none`) and no training (batch normalisation's statistics are set from the test
images, see calibrate_batch_norm), as a training folder (OUT/run: classifier.keras, run.json,
test_sample.npz) that the export takes. Then exports it with every --quantize choice into
OUT/CHOICE (model.json, weight shards, metadata.json: a normal export, which the page can load)
and prints each choice's size and how far TF.js strays from Keras.

The test sample is random pen strokes, and its labels are the float32 Keras model's own answers:
with random weights there is nothing else to be right about, so "accuracy" is top-1 agreement with
Keras. A random model's top two answers nearly tie (1e-5 apart at the median), which makes that
agreement a harsh measure: a trained model's answers are far more decisive. Quantized exports are
made with --allow-accuracy-drop (the guard would refuse any of them here); one that the export
still refuses (beyond its parity rule: export/__init__.py) is reported as refused.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from PIL import Image, ImageDraw

from benchmarks.common import fail, print_header
from export import BACKENDS, QUANTIZATIONS, ExportError, ExportOptions, require_backends
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE
from runfolder.quiet import quiet_tensorflow
from trainer.sources.etl import ETL_RECIPE, ETL_SIZE, jis_to_char

CLASSES = 3036  # ETL9B's
# Of JIS X 0208's 83 hiragana, ETL9B has neither the small ones nor the obsolete ゐ and ゑ.
NOT_IN_ETL9B = set("ぁぃぅぇぉっゃゅょゎゐゑ")
LEVEL1_KANJI = (0x3021, 0x4F53)  # the first and the last


def etl9b_labels() -> list[str]:
    hiragana = [jis_to_char(code) for code in range(0x2421, 0x2474)]
    kanji = [jis_to_char(row << 8 | cell) for row in range(0x30, 0x50) for cell in range(0x21, 0x7F)
             if LEVEL1_KANJI[0] <= row << 8 | cell <= LEVEL1_KANJI[1]]
    labels = [char for char in hiragana if char not in NOT_IN_ETL9B] + kanji
    assert len(labels) == CLASSES, len(labels)
    return labels


def random_strokes(count: int, rng: np.random.Generator) -> np.ndarray:
    """(count, 64, 64) uint8: a few bright 3 px strokes on black, as the page's input looks."""
    images = np.zeros((count, ETL_SIZE, ETL_SIZE), np.uint8)
    for image in images:
        canvas = Image.new("L", (ETL_SIZE, ETL_SIZE))
        draw = ImageDraw.Draw(canvas)
        for _ in range(rng.integers(2, 9)):
            points = rng.uniform(6, ETL_SIZE - 6, (rng.integers(2, 5), 2))
            draw.line([tuple(point) for point in points], fill=255, width=3)
        image[:] = np.asarray(canvas)
    return images


def calibrate_batch_norm(model, batch: np.ndarray) -> None:
    """Batch normalisation's statistics set to those of `batch`, the weights left random.

    Freshly built, each layer divides by a variance of 1 that its input does not have, and the
    features fade to ~1e-10 by the last layer: every image then gets the same uniform answer, on
    which no quantization can show any error. One pass in training mode with momentum 0 stores
    each layer's own statistics, as a trained model's would be.
    """
    import keras

    from trainer.model import BACKBONE

    layers = [layer for layer in model.get_layer(BACKBONE).layers
              if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
    model(batch, training=True)
    for layer, momentum in zip(layers, momenta, strict=True):
        layer.momentum = momentum


def write_run(folder: Path, images: int) -> None:
    """A training folder as the trainer leaves it, with what the export reads."""
    import keras

    from trainer.model import build_mobilenet_v3_small

    keras.utils.set_random_seed(0)
    classifier = build_mobilenet_v3_small(ETL_SIZE, CLASSES, channels=1, alpha=1.0)
    x = random_strokes(images, np.random.default_rng(0))
    batch = x[..., None].astype("float32")
    calibrate_batch_norm(classifier, batch)
    y = classifier.predict(batch, verbose=0).argmax(1)
    folder.mkdir(parents=True, exist_ok=True)
    classifier.save(folder / CLASSIFIER_MODEL)
    np.savez_compressed(folder / TEST_SAMPLE, x=x, y=y)
    run = {
        "model": "mobilenetv3small",
        "labels": etl9b_labels(),
        "input": "drawing",
        "input_size": ETL_SIZE,
        "channels": 1,
        "preprocessing": ETL_RECIPE.to_json(),
        "data_source": "none: random weights, random strokes labelled by the model itself",
        "settings": {},
        "metrics": {"test_accuracy": 1.0, "not_sure_threshold": None},
    }
    (folder / RUN_FILE).write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")


def export_each(run: Path, out: Path, backends: tuple[str, ...], images: int) -> list[dict]:
    from export.convert import export_model

    rows: list[dict] = []
    for choice in QUANTIZATIONS:
        options = ExportOptions(choice, force=True, backends=backends, images=images,
                                allow_accuracy_drop=True)
        try:
            metadata = export_model(run, out / choice, options, log=lambda message: None)
        except OneLineError as error:  # the export's refusal, e.g. of a quantization's loss
            rows.append({"choice": choice, "refused": str(error)})
            continue
        parity = metadata["parity"]
        rows.append({
            "choice": choice,
            "bytes": metadata["model_bytes"],
            "max_prob_diff": max(p["max_prob_diff"] for p in parity),
            "prob_limit": QUANTIZATIONS[choice].parity.prob_diff,
            "top1_agreement": min(p["top1_agreement"] for p in parity),
        })
    return rows


def main(
    out: Annotated[Path, typer.Option(help="The training folder and the exports go here.")] = Path(
        "build/kanji-model"
    ),
    backends: Annotated[
        str, typer.Option(help=f"TF.js backends to compare with Keras: {', '.join(BACKENDS)}.")
    ] = "wasm",
    images: Annotated[int, typer.Option(help="Test images compared on each backend.",
                                        min=1)] = 256,
) -> None:
    chosen = tuple(name.strip() for name in backends.split(","))
    try:
        require_backends(chosen)
    except ExportError as error:
        fail(str(error))
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: a file, not a folder")
    print_header()  # random weights: no trained model
    write_run(out / "run", images)
    rows = export_each(out / "run", out, chosen, images)
    unquantized = rows[0].get("bytes", 0)  # "none" comes first
    print(f"MobileNetV3Small 64x64, {CLASSES:,} classes, random weights; {images} images on "
          f"{', '.join(chosen)}; {platform.machine()}, Python {platform.python_version()}")
    print("| --quantize | model.json + shards | of float32 | max abs(dprob) vs Keras (limit) "
          "| top-1 agreement |")
    print("|---|---|---|---|---|")
    for row in rows:
        if "refused" in row:
            print(f"| {row['choice']} | refused: {row['refused']} | | | |")
            continue
        ratio = f"{row['bytes'] / unquantized:.0%}" if unquantized else "?"
        print(f"| {row['choice']} | {row['bytes']:,} B | {ratio} "
              f"| {row['max_prob_diff']:.1e} ({row['prob_limit']:.0e}) "
              f"| {row['top1_agreement']:.1%} |")
    print(f"exports in {out}/<choice>")


if __name__ == "__main__":
    quiet_tensorflow()
    run(main)
