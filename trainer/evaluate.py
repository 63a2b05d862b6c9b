"""`python -m trainer evaluate`: the model's answers on each set, and the report written whole.

    evaluate = load the classifier -> predict each set -> score it -> write the report in a
               staging folder -> rename it into place

The sets are read and checked before this module (and TensorFlow) loads: trainer/evalsets.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from runfolder.atomic import replace_dir, staging_dir
from runfolder.finished import FinishedRun
from trainer.evalsets import EvalSet
from trainer.gradcam import GradCam
from trainer.metrics import Evaluated, write_metrics
from trainer.report import write_report
from trainer.scores import score

PREDICT_BATCH = 256
WORST_WRITERS = 3  # named in the log; the report lists every writer


def evaluate(
    model: FinishedRun, sets: list[EvalSet], out: Path, log: Callable[[str], None]
) -> list[Evaluated]:
    """Score the model on each set and write the report to `out`; the scored sets."""
    classifier = model.classifier  # stock Keras layers only: no trainer code needed to load it
    evaluated = []
    for number, data in enumerate(sets):
        probabilities = predict(classifier, data.x)
        scores = score(data.y, probabilities, data.writers)
        evaluated.append(Evaluated(data, scores, f"set{number}"))
        log(f"{data.name}: {scores.accuracy:.2%} of {len(data.y):,} images")
        if scores.writers:
            log(f"{data.name}: read worst, of {len(scores.writers)} writers: " + ", ".join(
                f"{w.writer} {w.accuracy:.2%} ({w.misread} of {w.images})"
                for w in scores.writers[:WORST_WRITERS]))
    heatmaps = gradcam_for(classifier, log)
    staging = staging_dir(out)
    try:
        write_report(staging, model, evaluated, heatmaps, log)
        write_metrics(staging, model, evaluated)
        replace_dir(staging, out)
    except BaseException:  # a full disk, Ctrl-C: no half-written report stays behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return evaluated


def predict(classifier: keras.Model, images: np.ndarray) -> np.ndarray:
    x = images[..., None] if images.ndim == 3 else images
    return classifier.predict(x.astype(np.float32), batch_size=PREDICT_BATCH, verbose=0)


def gradcam_for(
    classifier: keras.Model, log: Callable[[str], None]
) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    if keras.backend.backend() != "tensorflow":  # Grad-CAM takes its gradients with a tf tape
        log(f"grad-cam: left out under KERAS_BACKEND={keras.backend.backend()} (it needs "
            "tensorflow, the default)")
        return None
    try:
        return GradCam(classifier).heatmaps
    except ValueError as error:
        log(f"grad-cam: {error}")
        return None
