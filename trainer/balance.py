"""Class imbalance: count the classes, then oversample the rare ones or weight them."""

from __future__ import annotations

import numpy as np


def class_counts(y: np.ndarray, num_classes: int) -> list[int]:
    return np.bincount(y, minlength=num_classes).tolist()


def oversample_order(y: np.ndarray, seed: int) -> np.ndarray:
    """Indices that repeat random images of every class until each is as common as the largest."""
    rng = np.random.default_rng(seed)
    target = np.bincount(y).max()
    picks = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        picks += [members, rng.choice(members, target - len(members))]
    return rng.permutation(np.concatenate(picks))


def class_weights(y: np.ndarray, num_classes: int) -> dict[int, float]:
    """Loss weights inversely proportional to class frequency, 1.0 on average per image."""
    counts = np.bincount(y, minlength=num_classes)
    present = np.flatnonzero(counts)
    return {int(c): float(len(y) / (len(present) * counts[c])) for c in present}
