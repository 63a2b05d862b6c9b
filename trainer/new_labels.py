"""A label the --init model lacks (a symbol taught on the page) starts fitted to the person's
drawings of it. Before fine-tuning, its output row is fitted by softmax regression on the
model's features, the model's own rows held fixed: the person's drawings of the new label are to
be read as it, every other training image (the replay's, the person's other drawings) as the
model reads it. Started at the mean of the other rows instead, the row moved only as fast as
fine-tuning's tenth of the rate: 3 epochs taught a `+` to none of a writer's other +s.
"""

from __future__ import annotations

import keras
import numpy as np

from runfolder.layout import PROBABILITIES

FIT_STEPS = 300  # of gradient descent on a convex problem of a few thousand feature vectors


def fit_new_rows(classifier: keras.Model, known: int, new: np.ndarray, labels: np.ndarray,
                 others: list[np.ndarray]) -> None:
    """Fit the output rows of labels `known`.. of `classifier` (in place) to the images `new`,
    labelled `labels`, against each group of images in `others`: each new label's images weigh
    as much as a label's share of all of them (weighed as much as all the others, a `+` took 1 in
    7 of the same writer's digits), and each group of others as much as another (the person's
    other drawings, drawn with the same pen, as much as thousands of the replay's). Images as
    the classifier takes them."""
    others = [group for group in others if len(group)]
    output = classifier.get_layer(PROBABILITIES)
    features = keras.Model(classifier.input, output.input)
    f_new, *f_others = (
        features.predict((batch[..., None] if batch.ndim == 3 else batch).astype(np.float32),
                         verbose=0)
        for batch in (new, *others))
    f = np.concatenate([f_new, *f_others])
    kernel, bias = output.get_weights()
    targets = np.zeros((len(f), len(bias) - known), np.float32)
    targets[np.arange(len(new)), labels - known] = 1
    new_share = (len(bias) - known) / len(bias)
    weights = np.concatenate([np.full(len(new), new_share / len(new)), *[
        np.full(len(group), (1 - new_share) / len(others) / len(group)) for group in others]])
    fixed = f @ kernel[:, :known] + bias[:known]
    rows, row_bias = kernel[:, known:].copy(), bias[known:].copy()
    step = 1 / np.mean(np.sum(f * f, axis=1))  # below 2/L for softmax regression on these
    for _ in range(FIT_STEPS):
        logits = np.concatenate([fixed, f @ rows + row_bias], axis=1)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p[:, known:] - targets) * weights[:, None]
        rows -= step * (f.T @ error)
        row_bias -= step * error.sum(axis=0)
    kernel[:, known:], bias[known:] = rows, row_bias
    output.set_weights([kernel, bias])
