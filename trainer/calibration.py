"""How sure the model must be before the page shows its answer without "not sure", and how much
ink a drawing may have before the page calls it a scribble.

The threshold comes from evidence, the validation writers (the named writers of the validation
split, pen writers the model did not train on; every validation image where no source names its
writers): the highest top probability t such that at most RIGHT_FLAGGED of their right answers are
below it. Below t the page says "not sure" and shows its two best candidates; the misreads it flags
are those below t too, so t is as high as the right answers allow. Training computes it when it
ends (run.json `metrics.not_sure_threshold`), from MIN_RIGHT_ANSWERS right answers at least (else
--init's model's, or none), and the export copies it into metadata.json. Numpy only, so that the
report can apply it to any set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Issue 32: flag at most 2% of right answers on writers the model never saw. Chosen on validation
# writers with a margin, as writers of other countries are less sure of their right answers too.
MAX_RIGHT_FLAGGED = 0.02
MIN_MISREADS_FLAGGED = 0.5  # and at least half of the misreads
RIGHT_FLAGGED = 0.015
# A drawing with more ink than nearly every training character (this quantile of their mean ink),
# and a margin on top, is a scribble: people win digit games by scribbling over the pad.
INK_QUANTILE = 0.999
INK_MARGIN = 1.1
INK_SAMPLE = 20_000  # training images read to find it (ETL's stay on disk)
NEVER_SURE = 1.0  # when no answer is right
# The threshold of fewer right answers is little more than the lowest of a handful (one validation
# drawing read right at 0.9996 flagged every answer of a fine-tuned model): from fewer, a run from
# --init keeps its model's threshold, and another run writes none (the page's default).
MIN_RIGHT_ANSWERS = 200
# The INK_QUANTILE of fewer drawings is their largest: from fewer, --init keeps its model's limit.
MIN_INK_IMAGES = round(1 / (1 - INK_QUANTILE))


def not_sure_threshold(
    correct: np.ndarray, confidence: np.ndarray, right_flagged: float = RIGHT_FLAGGED
) -> float:
    """The highest t among the right answers' top probabilities such that at most `right_flagged`
    of the right answers are below t (flagged "not sure"); NEVER_SURE when none is right."""
    right = np.sort(confidence[correct])
    if not right.size:
        return NEVER_SURE
    return float(right[min(len(right) - 1, int(right_flagged * len(right)))])


def flagged_shares(correct: np.ndarray, confidence: np.ndarray,
                   threshold: float) -> tuple[float | None, float | None]:
    """(share of right answers flagged "not sure", share of misreads flagged) at `threshold`."""
    flagged = confidence < threshold
    return (float(flagged[correct].mean()) if correct.any() else None,
            float(flagged[~correct].mean()) if (~correct).any() else None)


def validation_answers(
    model: Any, validation: Any, writers: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(right, top probability) of a Keras model's answers to a (images, labels) batch pipeline;
    only of the images `writers` marks, where it marks some."""
    probabilities = model.predict(validation, verbose=0)
    labels = np.concatenate([np.asarray(y) for _, y in validation])
    if labels.ndim == 2:  # mixup's one-hot targets (validation images are never mixed)
        labels = labels.argmax(axis=1)
    if writers is not None and writers.any():
        probabilities, labels = probabilities[writers], labels[writers]
    return probabilities.argmax(axis=1) == labels, probabilities.max(axis=1)


def ink_limit(images: np.ndarray) -> float:
    """The largest mean ink (0..1) of an input the page accepts as a character: INK_QUANTILE of
    the training inputs' mean ink, times INK_MARGIN, at most 1."""
    ink = images.reshape(len(images), -1).mean(axis=1) / 255
    return min(1.0, float(np.quantile(ink, INK_QUANTILE)) * INK_MARGIN)
