"""Every figure of one evaluated set, from the true labels and the model's probabilities, with
scikit-learn's metrics and calibration curve. Numpy and scikit-learn only."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    top_k_accuracy_score,
)

from trainer.calibration import flagged_shares, not_sure_threshold
from trainer.dataset import is_named

TOP_K = 3  # the page shows the top 3 labels
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Calibration:
    """The reliability diagram's non-empty bins of top probability (uniform over 0..1)."""

    confidence: np.ndarray  # mean top probability in each bin
    accuracy: np.ndarray  # share of right answers in each bin
    count: np.ndarray  # answers in each bin
    expected_error: float  # ECE: the count-weighted mean of |accuracy - confidence|


@dataclass(frozen=True)
class WriterScore:
    """One writer's images in a set: how many, how many misread, and the commonest misreading."""

    writer: str
    images: int
    misread: int
    commonest: tuple[int, int, int] | None  # (true, read, count), None when none is misread

    @property
    def accuracy(self) -> float:
        return (self.images - self.misread) / self.images


@dataclass(frozen=True)
class Scores:
    y: np.ndarray  # true label indices
    probabilities: np.ndarray  # (N, K)
    accuracy: float
    top_k_accuracy: float
    macro_f1: float  # over the labels the set has
    confusion: np.ndarray  # (K, K): true rows, predicted columns
    precision: np.ndarray  # (K,) per label, 0 where never predicted
    recall: np.ndarray  # (K,) per label, 0 where the set has none
    f1: np.ndarray  # (K,) per label
    support: np.ndarray  # (K,) images of each label in the set
    calibration: Calibration
    own_threshold: float  # the threshold this set's own answers would give
    writers: list[WriterScore]  # worst read first; empty unless the set names 2 writers or more

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        return self.probabilities.max(axis=1)

    @property
    def right(self) -> np.ndarray:
        return self.predicted == self.y

    def mean_confidence(self, right: bool) -> float | None:
        chosen = self.confidence[self.right == right]
        return float(chosen.mean()) if chosen.size else None

    def above(self, threshold: float) -> tuple[float, float | None]:
        """(share of answers at least `threshold` sure, their error rate)."""
        sure = self.confidence >= threshold
        return float(sure.mean()), float((~self.right[sure]).mean()) if sure.any() else None

    def flagged(self, threshold: float) -> tuple[float | None, float | None]:
        """(share of right answers below `threshold`, share of misreads below it): what the
        page's "not sure" flags of each."""
        return flagged_shares(self.right, self.confidence, threshold)

    def risk_coverage(self) -> tuple[np.ndarray, np.ndarray]:
        """(coverage, risk): answering only the k surest, for each k, the share of answers
        given and the share of them wrong."""
        wrong = ~self.right[np.argsort(-self.confidence, kind="stable")]
        given = np.arange(1, len(wrong) + 1)
        return given / len(wrong), np.cumsum(wrong) / given

    def confused_pairs(self) -> list[tuple[int, int, int, float]]:
        """(true, read, count, share of the true label's images) for every confusion, most
        frequent first."""
        errors = self.confusion.copy()
        np.fill_diagonal(errors, 0)
        true, read = np.nonzero(errors)
        counts = errors[true, read]
        order = np.lexsort((read, true, -counts))
        return [(int(true[i]), int(read[i]), int(counts[i]),
                 float(counts[i] / self.support[true[i]])) for i in order]


def score(y: np.ndarray, probabilities: np.ndarray, writers: np.ndarray | None = None) -> Scores:
    """The set's figures; with `writers` (a key per image, trainer/dataset.py), also per writer."""
    classes = np.arange(probabilities.shape[1])
    predicted = probabilities.argmax(axis=1)
    present = np.unique(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # labels never predicted
        precision, recall, f1, support = precision_recall_fscore_support(
            y, predicted, labels=classes, zero_division=0)
        macro_f1 = f1_score(y, predicted, labels=present, average="macro", zero_division=0)
        top_k = top_k_accuracy(y, probabilities)
    right = predicted == y
    confidence = probabilities.max(axis=1)
    return Scores(
        y=y,
        probabilities=probabilities,
        accuracy=float(accuracy_score(y, predicted)),
        top_k_accuracy=top_k,
        macro_f1=float(macro_f1),
        confusion=confusion_matrix(y, predicted, labels=classes),
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        calibration=calibration(right, confidence),
        own_threshold=not_sure_threshold(right, confidence),
        writers=[] if writers is None else by_writer(writers, y, predicted),
    )


def by_writer(writers: np.ndarray, y: np.ndarray, predicted: np.ndarray) -> list[WriterScore]:
    """Each named writer's figures, the worst read first; none for a set of fewer than two
    writers, whose figures are the set's own."""
    keys, groups = np.unique(writers, return_inverse=True)
    named = np.flatnonzero(is_named(keys))
    if len(named) < 2:
        return []
    scores = []
    for group in named:
        mine = groups == group
        wrong = mine & (predicted != y)
        pairs, counts = np.unique(np.stack([y[wrong], predicted[wrong]]), axis=1,
                                  return_counts=True)
        top = counts.argmax() if counts.size else None  # ties: the first (true, read) pair
        commonest = (None if top is None else
                     (int(pairs[0, top]), int(pairs[1, top]), int(counts[top])))
        scores.append(WriterScore(str(keys[group]).strip(), int(mine.sum()), int(wrong.sum()),
                                  commonest))
    return sorted(scores, key=lambda s: (s.accuracy, s.writer))


def top_k_accuracy(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Share of images whose label is among the model's TOP_K most likely."""
    classes = probabilities.shape[1]
    k = min(TOP_K, classes)
    # Two labels: scikit-learn takes the second label's probability alone.
    scores = probabilities[:, 1] if classes == 2 else probabilities
    return float(top_k_accuracy_score(y, scores, k=k, labels=np.arange(classes)))


def calibration(right: np.ndarray, confidence: np.ndarray) -> Calibration:
    """Top-label calibration: how often answers of each confidence are right."""
    accuracy, mean_confidence = calibration_curve(
        right, confidence, n_bins=CALIBRATION_BINS, strategy="uniform")
    # calibration_curve keeps the non-empty bins of these edges; count the answers in each.
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], confidence),
                         minlength=CALIBRATION_BINS)
    counts = counts[counts > 0]
    expected_error = float(np.sum(counts / counts.sum() * np.abs(accuracy - mean_confidence)))
    return Calibration(mean_confidence, accuracy, counts, expected_error)
