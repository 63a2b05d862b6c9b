"""Reference drawings' features, shipped in metadata.json: what the page's personal head is fitted
beside when a person teaches it a label of their own, so that the label is learnt apart from what
the model already reads (web/personal-head.js). The first test images of each label that the model
reads right, up to PER_LABEL a label and REFERENCES in all, as the features its output layer reads,
8-bit (value = signed byte * scale): 25 kB of base64 for the digits model's 200 of 128 features.
"""

from __future__ import annotations

import base64

import keras
import numpy as np

from export import FEATURES
from export.parity import as_batch
from runfolder.layout import PROBABILITIES

PER_LABEL = 20
REFERENCES = 200


def references(classifier: keras.Model, x: np.ndarray, y: np.ndarray) -> dict:
    """metadata.json's "references": of `classifier` (with_features') on images x, labels y."""
    outputs = classifier.predict(as_batch(x), batch_size=256, verbose=0)
    right = np.flatnonzero(outputs[PROBABILITIES].argmax(axis=1) == y)
    chosen: list[int] = []
    taken: dict[int, int] = {}
    for i in right:
        if taken.get(int(y[i]), 0) < PER_LABEL and len(chosen) < REFERENCES:
            chosen.append(int(i))
            taken[int(y[i])] = taken.get(int(y[i]), 0) + 1
    features = outputs[FEATURES][chosen]
    largest = float(np.abs(features).max()) if len(chosen) else 0.0
    scale = largest / 127 if largest > 0 else 1.0
    data = np.rint(features / scale).astype(np.int8)
    return {"labels": [int(y[i]) for i in chosen], "scale": scale,
            "features": base64.b64encode(data.tobytes()).decode("ascii")}
