"""The permanent path keeps the model whole: a symbol of one's own fine-tuned into a model.

    python -m benchmarks.fine_tune_symbol --model models/mnist [--writer gmd/kast] ...

One UNIPEN writer's drawings, as a person would save them on the page (Quick, Draw!'s ndjson,
strokes fitted to the pad): 5 of each of two digits (`--digits`) and 5 of a symbol the model
lacks (`--symbol`, from unipen-more's section 1d). `python -m trainer train --init MODEL` fine-tunes
the model on them (its replay of the model's own data included, trainer/replay.py), run from this
folder, where the model's run.json names its data. Then, in Keras: the model's own test images
before and after (run.json's metrics.replay), the writer's other drawings of the symbol, their
other digits before and after (and how many are now read as the symbol), the not-sure threshold
and ink limit kept or chosen, and the share of the test sample the page would call "not sure".
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import Character, fail, print_header
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.quiet import quiet_tensorflow
from trainer.dataset import MNIST_RECIPE, DataError
from trainer.sources.unipen import is_unipen_root, read_segment_file
from trainer.strokes import fit_to_pad, render_inputs

TAUGHT = 5  # drawings of each label, as the page's teach panel asks for a symbol


def writer_drawings(root: Path, section: str, writer: str) -> Sequence[Character]:
    """The characters of one writer's segment file (`source/name`) of a section."""
    source, _, name = writer.partition("/")
    path = root / "data" / section / source / f"{name}.dat"
    if not path.is_file():
        fail(f"--writer {writer}: no {path}")
    try:
        return read_segment_file(path, root, source)
    except DataError as error:
        fail(str(error))


def ndjson(drawings: list[Character]) -> str:
    """The drawings as the page saves them: one JSON line each, strokes as [xs, ys] on the pad."""
    lines = []
    for character in drawings:
        strokes = fit_to_pad(character.strokes)
        lines.append(json.dumps({"word": character.label, "drawing": [
            [[x for x, _ in stroke], [y for _, y in stroke]] for stroke in strokes]}))
    return "\n".join(lines) + "\n"


def answers(run: FinishedRun, *image_sets: np.ndarray) -> list[np.ndarray]:
    """The probabilities of the run's classifier (loaded once, checked) for each set of images."""
    return [run.classifier.predict(images[..., None].astype("float32"), verbose=0)
            for images in image_sets]


def main(
    model: Annotated[Path, typer.Option(help="The model to fine-tune: a training folder.")] = Path(
        "models/mnist"),
    unipen: Annotated[Path, typer.Option(help="UNIPEN's folder (the writer's digits).")] = Path(
        "../shared/data/unipen"),
    more: Annotated[Path, typer.Option(help="unipen-more's folder (the writer's symbol).")] = Path(
        "../shared/data/unipen-more"),
    writer: Annotated[str, typer.Option(help="source/name of the writer's segment files.")] = (
        "gmd/kast"),
    digits: Annotated[str, typer.Option(help="The two digits taught beside the symbol.")] = "37",
    symbol: Annotated[str, typer.Option(help="The symbol taught, one the model lacks.")] = "+",
) -> None:
    for flag, folder in (("--unipen", unipen), ("--more", more)):
        if not is_unipen_root(folder):
            fail(f"{flag} {folder}: not a UNIPEN folder (data/ and include/)")
    try:
        parent = FinishedRun.read(model)
        sample, _ = parent.test_sample()
    except OneLineError as error:
        fail(str(error))
    if parent.preprocessing != MNIST_RECIPE.to_json():
        fail(f"--model {model}: not a digits model of the page's 28x28 recipe")
    if symbol in parent.labels:
        fail(f"--symbol {symbol}: the model already reads it")
    if len(digits) != 2 or not all(digit in parent.labels for digit in digits):
        fail(f"--digits {digits}: two of the model's labels, such as 37")
    written = writer_drawings(unipen, "1a", writer)
    symbols = [c for c in writer_drawings(more, "1d", writer) if c.label == symbol]
    if len(symbols) <= TAUGHT:
        fail(f"--writer {writer}: {len(symbols)} drawings of {symbol}, more than {TAUGHT} needed")
    print_header(model)
    taught = [c for digit in digits for c in [c for c in written if c.label == digit][:TAUGHT]]
    taught += symbols[:TAUGHT]
    kept = {id(c) for c in taught}
    others = [c for c in written if id(c) not in kept]

    with tempfile.TemporaryDirectory() as work:
        drawings, out = Path(work) / "my-drawings.ndjson", Path(work) / "mine"
        drawings.write_text(ndjson(taught))
        trained = subprocess.run(
            [sys.executable, "-m", "trainer", "train", "--data", str(drawings), "--init",
             str(model), "--out", str(out)], capture_output=True, text=True)
        if trained.returncode:
            fail(f"fine-tuning failed: {trained.stderr.strip().splitlines()[-1]}")
        tuned = FinishedRun.read(out)
        labels = tuned.labels
        held_symbols = render_inputs([c.strokes for c in symbols[TAUGHT:]], MNIST_RECIPE)
        images = render_inputs([c.strokes for c in others], MNIST_RECIPE)
        truth = np.array([labels.index(c.label) for c in others])
        (before,) = answers(parent, images)
        symbols_read, after, sample_read = answers(tuned, held_symbols, images, sample)
        read_symbols, sure = symbols_read.argmax(axis=1), sample_read.max(axis=1)
        before, after = before.argmax(axis=1), after.argmax(axis=1)
        threshold = tuned.not_sure_threshold
    replay = tuned.metrics["replay"]
    print(f"{model} fine-tuned on {writer}'s {TAUGHT} drawings of each of "
          f"{', '.join(digits)} and {symbol} (python -m trainer train --init)")
    print("| the model's test images, before -> after | the writer's other " + symbol
          + " read | their other digits, before -> after | read as " + symbol
          + " | not-sure threshold (the model's) | ink limit (the model's) | test sample "
          "\"not sure\" |")
    print("|---|---:|---|---:|---|---|---:|")
    print(f"| {replay['test_accuracy_before']:.2%} -> {replay['test_accuracy_after']:.2%} "
          f"({replay['test_images']:,}) "
          f"| {np.mean([labels[k] == symbol for k in read_symbols]):.1%} "
          f"of {len(read_symbols)} "
          f"| {np.mean(before == truth):.2%} -> {np.mean(after == truth):.2%} ({len(truth)}) "
          f"| {np.sum(after == labels.index(symbol))} "
          f"| {threshold if threshold is None else f'{threshold:.3f}'} "
          f"({parent.not_sure_threshold or 0:.3f}) "
          f"| {tuned.ink_limit:.3f} ({parent.ink_limit or 0:.3f}) "
          f"| {np.mean(sure < (threshold or 0)):.1%} |")


if __name__ == "__main__":
    quiet_tensorflow()
    run(main)
