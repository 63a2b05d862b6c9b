"""How sure the model must be before the page shows its answer without "not sure".

The threshold comes from evidence, the validation split: the lowest top probability t such that,
among the answers at least t sure, fewer than 1% are wrong. Training computes it when it ends
(run.json `metrics.not_sure_threshold`), the export copies it into metadata.json, and the page says
"not sure" below it. Numpy only, so that the report can apply it to any set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_ERROR_RATE = 0.01  # among the answers the page gives without "not sure"
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
