"""Training beyond the default: the JAX backend, mixed precision, several devices."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from tests.helpers import NPM_SAMPLE, ROOT, run_export
from trainer.model import CLASSIFIER, PROBABILITIES

pytestmark = pytest.mark.slow  # every test here trains a model for real

TINY = ["--data", str(NPM_SAMPLE), "--limit", "1000", "--batch-size", "50", "--epochs", "1"]


def test_trained_on_jax_in_mixed_precision_exports_under_tensorflow(tmp_path):
    out = tmp_path / "model"
    jax = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "train", *TINY, "--out", str(out),
         "--mixed-precision"], cwd=ROOT, env=jax, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads((out / "run.json").read_text())
    assert run["versions"]["backend"] == "jax" and run["settings"]["mixed_precision"]
    assert run["metrics"]["test_accuracy"] > 0.3  # 900 digits, one epoch: well above 10%
    classifier = keras.models.load_model(out / "best.keras", compile=False).get_layer(CLASSIFIER)
    policies = {layer.dtype_policy.name for layer in classifier.layers if layer.weights}
    assert policies == {"mixed_float16", "float32"}  # float32: only the output layer
    assert classifier.get_layer(PROBABILITIES).dtype_policy.name == "float32"

    web = tmp_path / "web-model"
    exported = run_export("convert", out, "--out", web, "--images", "64", "--backends", "wasm")
    assert "parity on wasm" in exported.stderr
    metadata = json.loads((web / "metadata.json").read_text())
    assert [report["backend"] for report in metadata["parity"]] == ["wasm"]
    assert "float16" not in (web / "model.json").read_text()


def test_several_devices_train_with_mirrored_strategy(tmp_path):
    """Two logical CPU devices stand in for two GPUs: the same command, no other change."""
    out = tmp_path / "model"
    script = textwrap.dedent(f"""
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        two = [tf.config.LogicalDeviceConfiguration()] * 2
        tf.config.set_logical_device_configuration(cpu, two)
        import trainer.train
        trainer.train.training_devices = lambda: [
            device.name for device in tf.config.list_logical_devices("CPU")]
        from trainer.cli import app
        app(["train", *{TINY!r}, "--out", {str(out)!r}])
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "training on 2 devices with MirroredStrategy" in result.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["replicas"] == 2
    assert run["metrics"]["test_accuracy"] > 0.3
    with np.load(out / "test_sample.npz") as sample:
        assert len(sample["y"]) == 1000
