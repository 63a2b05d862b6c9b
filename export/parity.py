"""Do Keras and TF.js give the same answers? Run both on the same images and compare."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
from playwright.sync_api import Error as PlaywrightError

from export import BACKENDS, QUANTIZATIONS, ExportError, ParityRule, graph_outputs
from export.browser import chromium, serve, site_with_model
from export.inputs import MODEL_JSON
from runfolder.record import first_line

HARNESS = """<!doctype html><meta charset="utf-8"><title>parity</title>
<script src="vendor/tf.js"></script>
"""

# Images in and outputs out travel as base64 float32 bytes: as JSON lists of numbers, 256 digits
# took Playwright 2.5 s each way. Each output is asked for by its name (metadata.json's "outputs").
RUN_GRAPH_MODEL = """async ({pixels, shape, backend, outputs}) => {
  tf.wasm.setWasmPaths('vendor/');
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  const model = await tf.loadGraphModel('model/model.json');
  const batch = new Float32Array(Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0)).buffer);
  const results = model.execute(tf.tensor(batch, shape, 'float32'), outputs);
  const encoded = [];
  for (const result of results) {
    const values = await result.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 8192) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    encoded.push(btoa(binary));
  }
  return {backend: tf.getBackend(), outputs: encoded};
}"""


@dataclass
class Parity:
    backend: str
    images: int
    top1_agreement: float
    max_prob_diff: float
    # The features (the output layer's input) and the pooled features, each compared relative to
    # its largest Keras value: the larger of the two.
    feature_size: int
    pooled_size: int
    max_feature_diff: float
    tfjs_accuracy: float
    keras_accuracy: float
    rule: ParityRule  # the --quantize choice's (export/__init__.py says why)

    def beyond(self) -> list[str]:
        """The rule's bounds this backend's answers break, by name; none when it agrees."""
        return [name for name, broken in (
            ("top-1 agreement", self.top1_agreement < self.rule.top1_agreement),
            ("max |dprob|", self.max_prob_diff > self.rule.prob_diff),
            ("max |dfeature|", self.max_feature_diff > self.rule.feature_diff),
        ) if broken]

    @property
    def ok(self) -> bool:
        return not self.beyond()

    def summary(self) -> str:
        return (
            f"{self.backend}: top-1 agreement {self.top1_agreement:.2%} (at least "
            f"{self.rule.top1_agreement:.0%}) on {self.images} images, "
            f"max |dprob| {self.max_prob_diff:.1e} (limit {self.rule.prob_diff:.0e}), "
            f"max |dfeature| {self.max_feature_diff:.1e} (limit {self.rule.feature_diff:.0e}) "
            f"of the largest feature (both outputs), "
            f"accuracy TF.js {self.tfjs_accuracy:.2%} / Keras {self.keras_accuracy:.2%}"
            + (f"; beyond the rule: {', '.join(self.beyond())}" if self.beyond() else "")
        )

    def to_json(self) -> dict:
        return asdict(self)


def as_batch(images: np.ndarray) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, C) images as the float32 (N, H, W, C) batch models take."""
    return images.astype(np.float32).reshape(len(images), *images.shape[1:3], -1)


def tfjs_predict(model_dir: Path, images: np.ndarray, backends: tuple[str, ...],
                 names: list[str]) -> dict:
    """The converted graph model's outputs `names` (name -> array) on each backend, from real TF.js
    in headless Chromium."""
    batch = as_batch(images)
    arguments = {"pixels": base64.b64encode(batch.tobytes()).decode(), "shape": list(batch.shape),
                 "outputs": names}
    answers = {}
    with site_with_model(model_dir) as site, serve(site) as base, chromium() as browser:
        (site / "parity.html").write_text(HARNESS)
        for backend in backends:
            page = browser.new_page()
            page.goto(base + "parity.html")
            try:
                result = page.evaluate(RUN_GRAPH_MODEL, {**arguments, "backend": backend})
            except PlaywrightError as error:
                raise ExportError(
                    f"{model_dir / MODEL_JSON}: TF.js on {backend} cannot run it "
                    f"({first_line(error)})"
                ) from None
            page.close()
            if result["backend"] != backend:
                raise ExportError(f"TF.js ran on {result['backend']}, not {backend}")
            answers[backend] = {
                name: np.frombuffer(base64.b64decode(output), np.float32).reshape(len(images), -1)
                for name, output in zip(names, result["outputs"], strict=True)}
    return answers


def check_parity(
    model: keras.Model,
    model_dir: Path,
    images: np.ndarray,
    labels: np.ndarray,
    backends: tuple[str, ...] = BACKENDS,
    quantize: str = "none",
) -> list[Parity]:
    """`model`: the classifier with its feature outputs (export.convert.with_features)."""
    names = graph_outputs(model)
    outputs = model.predict(as_batch(images), verbose=0)
    expected = outputs[names["probabilities"]]
    features, pooled = outputs[names["features"]], outputs[names["pooled"]]
    keras_accuracy = float(np.mean(expected.argmax(1) == labels))
    reports = []
    for backend, answers in tfjs_predict(model_dir, images, backends,
                                         sorted(set(names.values()))).items():
        actual = answers[names["probabilities"]]
        reports.append(Parity(
            backend=backend,
            images=len(images),
            top1_agreement=float(np.mean(expected.argmax(1) == actual.argmax(1))),
            max_prob_diff=float(np.abs(expected - actual).max()),
            feature_size=features.shape[1],
            pooled_size=pooled.shape[1],
            max_feature_diff=max(relative_difference(keras_values, answers[names[name]])
                                 for name, keras_values in (("features", features),
                                                            ("pooled", pooled))),
            tfjs_accuracy=float(np.mean(actual.argmax(1) == labels)),
            keras_accuracy=keras_accuracy,
            rule=QUANTIZATIONS[quantize].parity,
        ))
    return reports


def relative_difference(expected: np.ndarray, actual: np.ndarray) -> float:
    """The largest |expected - actual|, relative to the largest |expected|."""
    scale = max(float(np.abs(expected).max()), np.finfo(np.float32).tiny)
    return float(np.abs(expected - actual).max() / scale)
