"""How sure the model must be before the page shows its answer without "not sure", and how much
ink a drawing may have before the page calls it a scribble.

The threshold comes from evidence, the validation split: the lowest top probability t such that,
among the answers at least t sure, fewer than 1% are wrong. Training computes it when it ends
(run.json `metrics.not_sure_threshold`), the export copies it into metadata.json, and the page says
"not sure" below it. Numpy only, so that the report can apply it to any set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_ERROR_RATE = 0.01  # among the answers the page gives without "not sure"
# A drawing with more ink than nearly every training character (this quantile of their mean ink),
# and a margin on top, is a scribble: people win digit games by scribbling over the pad.
INK_QUANTILE = 0.999
INK_MARGIN = 1.1
INK_SAMPLE = 20_000  # training images read to find it (ETL's stay on disk)
NEVER_SURE = 1.0  # when even the most confident answers are wrong too often


def not_sure_threshold(
    correct: np.ndarray, confidence: np.ndarray, max_error_rate: float = MAX_ERROR_RATE
) -> float:
    """The lowest t among the answers' top probabilities such that the answers with top
    probability >= t have an error rate under `max_error_rate`; NEVER_SURE when none has."""
    order = np.argsort(-confidence, kind="stable")
    sure, wrong = confidence[order], ~correct[order]
    error_rate = np.cumsum(wrong) / np.arange(1, len(sure) + 1)
    # "top probability >= t" takes in every answer as sure as t: count ties together.
    whole = np.append(sure[1:] != sure[:-1], True)
    allowed = np.flatnonzero(whole & (error_rate < max_error_rate))
    return float(sure[allowed[-1]]) if allowed.size else NEVER_SURE


def validation_threshold(model: Any, validation: Any) -> float:
    """The threshold on a Keras model's answers to a (images, labels) batch pipeline."""
    probabilities = model.predict(validation, verbose=0)
    labels = np.concatenate([np.asarray(y) for _, y in validation])
    if labels.ndim == 2:  # mixup's one-hot targets (validation images are never mixed)
        labels = labels.argmax(axis=1)
    return not_sure_threshold(probabilities.argmax(axis=1) == labels, probabilities.max(axis=1))


def ink_limit(images: np.ndarray) -> float:
    """The largest mean ink (0..1) of an input the page accepts as a character: INK_QUANTILE of
    the training inputs' mean ink, times INK_MARGIN, at most 1."""
    ink = images.reshape(len(images), -1).mean(axis=1) / 255
    return min(1.0, float(np.quantile(ink, INK_QUANTILE)) * INK_MARGIN)
