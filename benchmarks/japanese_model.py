"""How well does a Japanese model read a hand it never saw? tomoe_data's writer, kana and kanji
apart, top-1 and top-10; KanjiVG's variant forms; KMNIST's ten classes; each with the weights as
trained and as the export quantizes them.

    python -m benchmarks.japanese_model MODEL [--tomoe ../shared/data/tomoe]
        [--kanjivg ../shared/data/kanjivg] [--kmnist ../shared/data/kmnist]

MODEL is a training folder (`python -m trainer train --config configs/japanese.toml`). Every
tomoe character whose label (its candidate group's: っ is read as つ) is among the model's is
drawn on the page's pad with the model's recipe, and the Keras classifier ranks the labels. A
model trained on KanjiVG alone never saw tomoe's hand: its synthetic writer draws from KanjiVG's
shapes. KanjiVG's variant forms (`05b57-Kaisho.svg`) are drawn as they are, unvaried; the
synthetic writer draws them too in training, in turn with the main form, so they measure the
shapes learnt rather than a held-out hand. KMNIST's test images (cursive kuzushiji from classical
books, 28x28) are normalised with the model's recipe and ranked among its ten labels alone and
among all. The synthetic writer's held-out seeds are the run's own test split (run.json).

float16, head-uint8 and uint8 are the export's --quantize choices, simulated on the Keras weights
the way the converter quantizes each weight tensor (tensorflowjs.quantization). The converter
folds batch normalisation into the convolutions first, which this does not: the export's own
check of TF.js against Keras (`python -m export convert`) is the exact figure.
"""

from __future__ import annotations

import os
import platform
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import fail, print_header
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.layout import PROBABILITIES
from runfolder.quiet import quiet_tensorflow
from trainer.dataset import DataError
from trainer.evalsets import drawing_recipe
from trainer.preprocess import Recipe, images_to_inputs
from trainer.sources.japanese import is_kana, model_label
from trainer.sources.kanjivg import FILE_NAME, kanjivg_files, read_kanjivg
from trainer.sources.kmnist import load_kmnist
from trainer.sources.tomoe import read_tdic, tdic_files
from trainer.strokes import fit_to_pad, render_inputs

TOP = 10
BATCH = 256
WEIGHTS = ("float32", "float16", "head-uint8", "uint8")  # as trained, then as exported
MAIN_FORM = 5  # a KanjiVG file name of 5 hex digits alone (05b57.svg) is the main form


def tomoe_set(tomoe: Path, labels: list[str], recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, label indices) of tomoe's characters that the model has a label for, each once."""
    index = {label: k for k, label in enumerate(labels)}
    seen, strokes, y = set(), [], []
    for file in tdic_files(tomoe):
        for character in read_tdic(file):
            key = (character.label, str(character.strokes))
            label = model_label(character.label)
            if label in index and key not in seen:
                seen.add(key)
                strokes.append(character.strokes)
                y.append(index[label])
    return render_inputs(strokes, recipe), np.array(y, np.int64)


def variant_set(kanjivg: Path, labels: list[str], recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, label indices) of KanjiVG's variant forms of the model's labels, unvaried."""
    index = {label: k for k, label in enumerate(labels)}
    strokes, y = [], []
    for file in kanjivg_files(kanjivg):
        named = FILE_NAME.fullmatch(file.name)
        if named is None:  # kanjivg_files lists only the files named as KanjiVG names them
            continue
        code = named.group(1)
        label = model_label(chr(int(code, 16)))
        if file.stem != code and label in index:
            reference = read_kanjivg(file)
            points = [[(float(px), float(py)) for px, py in stroke] for stroke in reference]
            strokes.append(fit_to_pad(points))
            y.append(index[label])
    return render_inputs(strokes, recipe), np.array(y, np.int64)


def kmnist_set(kmnist: Path, labels: list[str], recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, label indices) of KMNIST's images (both splits: the model trained on neither)."""
    dataset = load_kmnist(kmnist)
    index = {label: k for k, label in enumerate(labels)}
    missing = [char for char in dataset.labels if model_label(char) not in index]
    if missing:
        raise DataError(f"{kmnist}: the model has no label for {''.join(missing)}")
    images = np.concatenate([np.asarray(dataset.x_train), np.asarray(dataset.x_test)])
    ours = np.array([index[model_label(char)] for char in dataset.labels])
    y = ours[np.concatenate([dataset.y_train, dataset.y_test])]
    return images_to_inputs(images, replace(recipe, invert=False)), y


def quantized(classifier, weights: str):
    """The classifier with each weight tensor stored as `weights` says and read back, as TF.js
    does (head-uint8: the output layer 8-bit, the others float16)."""
    if weights == "float32":
        return classifier
    import keras

    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")  # a banner tensorflowjs imports
    from tensorflowjs.quantization import dequantize_weights, quantize_weights

    copy = keras.models.clone_model(classifier)
    for layer, original in zip(copy.layers, classifier.layers, strict=True):
        eight_bits = weights == "uint8" or (weights == "head-uint8" and layer.name == PROBABILITIES)
        dtype = np.uint8 if eight_bits else np.float16
        layer.set_weights([dequantize_weights(*quantize_weights(w.astype(np.float32), dtype))
                           for w in original.get_weights()])
    return copy


def ranks(classifier, x: np.ndarray, y: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    """Each true label's rank among the labels (or the label indices `among`): 0 is top-1."""
    probabilities = np.concatenate([  # called, not predict(): no retracing for each copy
        classifier(x[start:start + BATCH, ..., None].astype("float32"), training=False).numpy()
        for start in range(0, len(x), BATCH)])
    if among is not None:
        probabilities = probabilities[:, among]
        y = np.searchsorted(among, y)
    return (probabilities > probabilities[np.arange(len(y)), y][:, None]).sum(axis=1)


def row(name: str, weights: str, rank: np.ndarray) -> str:
    return (f"| {name} | {weights} | {len(rank):,} | {np.mean(rank == 0):.2%} "
            f"| {np.mean(rank < TOP):.2%} |")


def main(
    model: Annotated[Path, typer.Argument(help="A training folder.")],
    tomoe: Annotated[Path, typer.Option(help="tomoe_data's folder or .tdic file.")] = Path(
        "../shared/data/tomoe"),
    kanjivg: Annotated[Path, typer.Option(help="KanjiVG's folder (its variant forms).")] = Path(
        "../shared/data/kanjivg"),
    kmnist: Annotated[Path, typer.Option(help="KMNIST's folder.")] = Path(
        "../shared/data/kmnist"),
) -> None:
    try:
        trained = FinishedRun.read(model)
        labels, recipe = trained.labels, drawing_recipe(trained)
        if recipe is None:
            fail(f"{model}: a photo model; this benchmark reads drawn characters")
        x, y = tomoe_set(tomoe, labels, recipe)
        x_variant, y_variant = variant_set(kanjivg, labels, recipe)
        x_kmnist, y_kmnist = kmnist_set(kmnist, labels, recipe)
    except OneLineError as error:
        fail(str(error))
    print_header(model)
    classifier = trained.classifier
    kana = np.array([is_kana(labels[k]) for k in y], bool)
    metrics = trained.metrics
    print(f"{model}: {len(labels):,} labels, {trained.architecture} "
          f"{trained.input_size}x{trained.input_size}; {platform.machine()}, "
          f"Python {platform.python_version()}")
    print(f"synthetic writer's held-out seeds (the run's test split): "
          f"{metrics['test_accuracy']:.2%} top-1; trained in "
          f"{metrics.get('train_seconds', 0):.0f} s")
    print("\n| set | weights | characters | top-1 | top-10 |\n|---|---|---:|---:|---:|")
    for weights in WEIGHTS:
        read = quantized(classifier, weights)
        tomoe_ranks = ranks(read, x, y)
        for name, chosen in (("tomoe kana", kana), ("tomoe kanji", ~kana)):
            if chosen.any():
                print(row(name, weights, tomoe_ranks[chosen]))
        print(row("tomoe all", weights, tomoe_ranks))
        if len(y_variant):
            print(row("KanjiVG variant forms", weights, ranks(read, x_variant, y_variant)))
    ten = np.unique(y_kmnist)
    among_ten = ranks(classifier, x_kmnist, y_kmnist, among=ten)
    among_all = ranks(classifier, x_kmnist, y_kmnist)
    print(f"\nKMNIST's {len(y_kmnist):,} images (float32): {np.mean(among_ten == 0):.2%} top-1 "
          f"among its ten labels; {np.mean(among_all == 0):.2%} top-1 and "
          f"{np.mean(among_all < TOP):.2%} top-10 among all {len(labels):,}")


if __name__ == "__main__":
    quiet_tensorflow()
    run(main)
