import base64
import json
import re
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from export import ExportError
from export.convert import convert_saved_model
from export.graph_fixes import UNFUSED
from tests.conftest import run_cli
from trainer.model import CLASSIFIER


def read_parity(stdout: str) -> dict[str, tuple[float, float]]:
    """{backend: (top-1 agreement %, max |dprob|)} from verify's report."""
    found = re.findall(r"^(\w+): top-1 agreement ([\d.]+)% .* max \|dprob\| (\S+) ", stdout, re.M)
    return {backend: (float(agree), float(diff)) for backend, agree, diff in found}


def test_export_writes_graph_model_and_metadata(exported_dir, trained_dir):
    model = json.loads((exported_dir / "model.json").read_text())
    assert model["format"] == "graph-model"
    assert "Random" not in json.dumps(model["modelTopology"])
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    run = json.loads((trained_dir / "run.json").read_text())
    assert metadata["labels"] == run["labels"]
    assert metadata["preprocessing"] == run["preprocessing"]
    assert (metadata["input_size"], metadata["channels"]) == (28, 1)
    assert metadata["accuracy"]["keras_test"] == run["metrics"]["test_accuracy"]
    assert metadata["quantization"] == "none"
    assert metadata["model_bytes"] == sum(p.stat().st_size for p in exported_dir.iterdir()
                                          if p.name != "metadata.json")
    assert metadata["weight_shards"] == len(list(exported_dir.glob("*.bin"))) >= 1
    assert metadata["conversion_seconds"] > 0
    assert [p["backend"] for p in metadata["parity"]] == ["wasm", "webgl", "cpu"]
    for parity in metadata["parity"]:
        assert parity["images"] == 256
        assert parity["top1_agreement"] == 1.0 and parity["max_prob_diff"] <= 1e-4
    assert not list(exported_dir.parent.glob(".*partial"))


def test_verify_reports_each_backend(exported_dir, trained_dir):
    result = run_cli("export", "verify", trained_dir, "--export", exported_dir, "--images", "500")
    parity = read_parity(result.stdout)
    assert set(parity) == {"wasm", "webgl", "cpu"}, result.stdout
    for agreement, max_diff in parity.values():
        assert agreement == 100.0 and max_diff <= 1e-4
    assert "on 500 images" in result.stdout


def test_trained_mobilenet_runs_on_wasm_webgl_and_cpu(mobilenet_dir, tmp_path):
    out = tmp_path / "model"
    result = run_cli("export", "convert", mobilenet_dir, "--out", out)
    nodes = json.loads((out / "model.json").read_text())["modelTopology"]["node"]
    fused = [base64.b64decode(s).decode() for n in nodes
             for s in n.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])]
    assert "_FusedHardSwish" not in fused  # oneDNN's fusion, which wasm cannot run
    metadata = json.loads((out / "metadata.json").read_text())
    assert {p["backend"]: p["top1_agreement"] for p in metadata["parity"]} == {
        "wasm": 1.0, "webgl": 1.0, "cpu": 1.0
    }
    assert all(p["max_prob_diff"] <= 1e-4 for p in metadata["parity"]), result.stderr


def test_scalar_bias_fusions_are_split_for_wasm(mobilenet_dir, tmp_path):
    """With the squeeze-excite convolutions' biases at zero (as in a fresh MobileNetV3Small), the
    converter fuses hard-sigmoid's scalar `+ 3` into them as a rank-0 bias, which wasm rejects."""
    zeroed = tmp_path / "zeroed"
    shutil.copytree(mobilenet_dir, zeroed)
    model = keras.models.load_model(zeroed / "best.keras")
    backbone = model.get_layer(CLASSIFIER).get_layer("MobileNetV3Small")
    for layer in backbone.layers:
        if layer.name.endswith("squeeze_excite_conv_1"):
            layer.bias.assign(np.zeros(layer.bias.shape))
    model.save(zeroed / "best.keras")
    out = tmp_path / "model"
    run_cli("export", "convert", zeroed, "--out", out)
    model = json.loads((out / "model.json").read_text())
    weights = [w for group in model["weightsManifest"] for w in group["weights"]]
    scalars = {w["name"] for w in weights if w["shape"] == []}
    nodes = model["modelTopology"]["node"]
    assert sum(n["name"].endswith("/unfused") for n in nodes) >= 1
    assert not [n for n in nodes if n["op"] in UNFUSED and set(n["input"]) & scalars]
    metadata = json.loads((out / "metadata.json").read_text())
    assert [p["backend"] for p in metadata["parity"] if p["top1_agreement"] == 1.0] == [
        "wasm", "webgl", "cpu"
    ]


@pytest.mark.parametrize("quantize, ratio, limit", [("float16", 0.5, 1e-3), ("uint8", 0.25, 2e-2)])
def test_quantization_shrinks_and_reports(trained_dir, tmp_path, quantize, ratio, limit):
    out = tmp_path / "model"
    result = run_cli("export", "convert", trained_dir, "--out", out, "--quantize", quantize,
                     "--backends", "cpu", "--max-accuracy-drop", "0.02")
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["quantization"] == quantize
    weights = sum(p.stat().st_size for p in out.glob("*.bin"))
    assert metadata["model_bytes"] < metadata["unquantized_bytes"]
    assert weights == pytest.approx(ratio * (metadata["unquantized_bytes"]
                                             - (out / "model.json").stat().st_size), rel=0.02)
    assert f"{quantize}: {metadata['unquantized_bytes']:,} -> {metadata['model_bytes']:,}" in (
        result.stderr
    )
    assert "TF.js accuracy" in result.stderr
    (parity,) = metadata["parity"]
    assert parity["prob_limit"] == limit and parity["max_prob_diff"] <= limit


def test_quantization_loss_beyond_tolerance_is_refused(trained_dir, tmp_path):
    out = tmp_path / "model"
    args = ["export", "convert", trained_dir, "--out", out, "--quantize", "uint8",
            "--backends", "cpu", "--images", "64", "--max-accuracy-drop", "-1"]
    refused = run_cli(*args, check=False)
    assert refused.returncode == 2 and not out.exists()
    assert "uint8 quantization loses" in refused.stderr
    assert "pass --allow-accuracy-drop" in refused.stderr.strip().splitlines()[-1]
    allowed = run_cli(*args, "--allow-accuracy-drop")
    assert "WARNING: uint8 quantization loses" in allowed.stderr
    assert (out / "model.json").is_file()


def test_existing_export_needs_force(exported_dir, trained_dir, tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("someone's export")
    refused = run_cli("export", "convert", trained_dir, "--out", out, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: {out}: an export is already there (pass --force to replace it)"
    )
    assert (out / "keep.txt").is_file()
    run_cli("export", "convert", trained_dir, "--out", out, "--force", "--backends", "cpu",
            "--images", "64")
    assert (out / "model.json").is_file() and not (out / "keep.txt").exists()


def test_missing_model_is_one_clear_line(tmp_path):
    out = tmp_path / "web-model"
    result = run_cli("export", "convert", tmp_path / "nothing", "--out", out, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'nothing' / 'best.keras'}: not found (train a model first: make train)"
    )
    assert not out.exists()


def test_unwritable_folder_is_one_clear_line(trained_dir, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("export", "convert", trained_dir, "--out", blocker / "model", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"error: {blocker}: cannot write the export here"
    )


def test_ops_tfjs_lacks_are_listed(tmp_path):
    class Decomposition(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4, 4], tf.float32)])
        def __call__(self, x):
            return tf.linalg.svd(x, compute_uv=False)

    tf.saved_model.save(Decomposition(), str(tmp_path / "saved"))
    expected = r"model/best.keras: TF.js has no kernel for these ops: Svd$"
    with pytest.raises(ExportError, match=expected):
        convert_saved_model(tmp_path / "saved", tmp_path / "js", "none", Path("model"))
