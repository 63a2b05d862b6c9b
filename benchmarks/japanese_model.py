"""How well does a Japanese model read a hand it never saw? tomoe_data's writer, kana and kanji
apart, top-1 and top-10.

    python -m benchmarks.japanese_model MODEL [--tomoe ../shared/data/tomoe]

MODEL is a training folder (`python -m trainer train --config configs/japanese.toml`). Every
tomoe character whose label (its candidate group's: っ is read as つ) is among the model's is
drawn on the page's pad with the model's recipe, and the Keras classifier ranks the labels. A
model trained on KanjiVG alone never saw tomoe's hand: its synthetic writer draws from KanjiVG's
shapes. The synthetic writer's held-out seeds are the run's own test split (run.json).
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import fail, print_header
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.quiet import quiet_tensorflow
from trainer.evalsets import drawing_recipe
from trainer.sources.japanese import is_kana, model_label
from trainer.sources.tomoe import read_tdic, tdic_files
from trainer.strokes import render_inputs

TOP = 10


def tomoe_set(tomoe: Path, labels: list[str], recipe) -> tuple[np.ndarray, np.ndarray]:
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


def main(
    model: Annotated[Path, typer.Argument(help="A training folder.")],
    tomoe: Annotated[Path, typer.Option(help="tomoe_data's folder or .tdic file.")] = Path(
        "../shared/data/tomoe"),
) -> None:
    try:
        trained = FinishedRun.read(model)
        x, y = tomoe_set(tomoe, trained.labels, drawing_recipe(trained))
    except OneLineError as error:
        fail(str(error))
    print_header(model)
    probabilities = trained.classifier.predict(x[..., None].astype("float32"), verbose=0)
    ranks = (probabilities > probabilities[np.arange(len(y)), y][:, None]).sum(axis=1)
    kana = np.array([is_kana(trained.labels[k]) for k in y], bool)
    metrics = trained.metrics
    print(f"{model}: {len(trained.labels):,} labels, {trained.architecture} "
          f"{trained.input_size}x{trained.input_size}; {platform.machine()}, "
          f"Python {platform.python_version()}")
    print(f"synthetic writer's held-out seeds (the run's test split): "
          f"{metrics['test_accuracy']:.2%} top-1; trained in "
          f"{metrics.get('train_seconds', 0):.0f} s")
    print("| tomoe's hand | characters | top-1 | top-10 |")
    print("|---|---:|---:|---:|")
    for name, chosen in (("kana", kana), ("kanji", ~kana), ("all", np.ones_like(kana))):
        if chosen.any():
            print(f"| {name} | {chosen.sum():,} | {np.mean(ranks[chosen] == 0):.2%} "
                  f"| {np.mean(ranks[chosen] < TOP):.2%} |")


if __name__ == "__main__":
    quiet_tensorflow()
    run(main)
