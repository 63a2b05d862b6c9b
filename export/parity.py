"""Do Keras and TF.js give the same answers? Run both on the same images and compare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from export.browser import chromium, serve, site_with_model

MAX_PROB_DIFF = 1e-4

HARNESS = """<!doctype html><meta charset="utf-8"><title>parity</title>
<script src="vendor/tf.es2017.min.js"></script>
"""

RUN_GRAPH_MODEL = """async ({pixels, shape, backend}) => {
  await tf.setBackend(backend);
  await tf.ready();
  const model = await tf.loadGraphModel('model/model.json');
  const output = model.predict(tf.tensor(pixels, shape, 'float32'));
  return {backend: tf.getBackend(), probs: Array.from(await output.data())};
}"""


@dataclass
class Parity:
    backend: str
    images: int
    top1_agreement: float
    max_prob_diff: float

    @property
    def ok(self) -> bool:
        return self.top1_agreement == 1.0 and self.max_prob_diff <= MAX_PROB_DIFF

    def summary(self) -> str:
        return (
            f"parity on {self.backend}: top-1 agreement {self.top1_agreement:.2%} "
            f"on {self.images} images, max |dprob| {self.max_prob_diff:.1e} "
            f"(limit {MAX_PROB_DIFF:.0e})"
        )


def tfjs_predict(model_dir: Path, images: np.ndarray, backend: str = "cpu") -> np.ndarray:
    """Probabilities from the converted graph model in real TF.js in headless Chromium."""
    batch = images.astype(np.float32).reshape(len(images), *images.shape[1:3], -1)
    with site_with_model(model_dir) as site, serve(site) as base, chromium() as browser:
        (site / "parity.html").write_text(HARNESS)
        page = browser.new_page()
        page.goto(base + "parity.html")
        result = page.evaluate(
            RUN_GRAPH_MODEL,
            {"pixels": batch.ravel().tolist(), "shape": list(batch.shape), "backend": backend},
        )
    if result["backend"] != backend:
        raise RuntimeError(f"TF.js ran on {result['backend']}, not {backend}")
    return np.asarray(result["probs"], dtype=np.float32).reshape(len(images), -1)


def check_parity(
    classifier: keras.Model, model_dir: Path, images: np.ndarray, backend: str = "cpu"
) -> Parity:
    expected = classifier.predict(images[..., None].astype(np.float32), verbose=0)
    actual = tfjs_predict(model_dir, images, backend)
    return Parity(
        backend=backend,
        images=len(images),
        top1_agreement=float(np.mean(expected.argmax(1) == actual.argmax(1))),
        max_prob_diff=float(np.abs(expected - actual).max()),
    )
