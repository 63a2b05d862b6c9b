"""The export: real conversions checked in real TF.js, and one line for each bad input."""

import base64
import hashlib
import json
import re
import shutil
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from export import (
    BACKENDS,
    EXACT,
    FORMAT_VERSION,
    QUANTIZATIONS,
    QUANTIZED,
    ExportError,
    ParityRule,
)
from export.catalog import read_catalog
from export.convert import convert_saved_model
from export.parity import Parity
from runfolder.layout import CLASSIFIER_MODEL, PROBABILITIES
from tests.helpers import run_export
from trainer.model import BACKBONE


def read_parity(stdout: str) -> dict[str, tuple[float, float]]:
    """{backend: (top-1 agreement %, max |dprob|)} from verify's report."""
    found = re.findall(r"^(\w+): top-1 agreement ([\d.]+)% .* max \|dprob\| (\S+) ", stdout, re.M)
    return {backend: (float(agree), float(diff)) for backend, agree, diff in found}


def test_export_writes_graph_model_and_metadata(exported_dir, trained_dir):
    model = json.loads((exported_dir / "model.json").read_text())
    assert model["format"] == "graph-model"
    assert "Random" not in json.dumps(model["modelTopology"])
    # The compact CNN in as few ops as TF.js can run it (export/graph_rewrites.py): the rescaling is
    # in the first kernel, and Flatten reshapes to a constant shape. The Identity after Reshape is
    # the pooled output, the one after Softmax the features output: run only when asked for.
    assert [n["op"] for n in model["modelTopology"]["node"] if n["op"] != "Const"] == [
        "Placeholder", "_FusedConv2D", "MaxPool", "_FusedConv2D", "_FusedConv2D", "MaxPool",
        "Reshape", "Identity", "_FusedMatMul", "_FusedMatMul", "Identity", "Softmax", "Identity"]
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    run = json.loads((trained_dir / "run.json").read_text())
    assert metadata["labels"] == run["labels"]
    assert metadata["preprocessing"] == run["preprocessing"]
    assert metadata["ink_limit"] == run["ink_limit"] and 0.1 < run["ink_limit"] < 0.6
    assert (metadata["input_size"], metadata["channels"]) == (28, 1)
    assert metadata["accuracy"]["keras_test"] == run["metrics"]["test_accuracy"]
    assert metadata["quantization"] == "none"
    assert metadata["model_bytes"] == sum(p.stat().st_size for p in exported_dir.iterdir()
                                          if p.name != "metadata.json")
    assert metadata["weight_shards"] == len(list(exported_dir.glob("*.bin"))) >= 1
    assert metadata["conversion_seconds"] > 0
    assert metadata["backends"] == list(BACKENDS)  # the page's order and selector
    assert metadata["format_version"] == FORMAT_VERSION
    shards = [exported_dir / path for group in model["weightsManifest"] for path in group["paths"]]
    model_bytes = b"".join(path.read_bytes() for path in [exported_dir / "model.json", *shards])
    assert metadata["model_hash"] == hashlib.sha256(model_bytes).hexdigest()
    assert [p["backend"] for p in metadata["parity"]] == list(BACKENDS)
    for parity in metadata["parity"]:
        assert parity["images"] == 256
        assert parity["top1_agreement"] == 1.0 and parity["max_prob_diff"] <= 1e-4
        assert parity["max_feature_diff"] <= 1e-4
    # The features the output layer reads and the pooled features are outputs too, named in
    # metadata.json, and that layer's weights are named there; no weight is added for them.
    signature = model["signature"]["outputs"]
    assert metadata["outputs"] == {"probabilities": "probabilities", "features": "features",
                                   "pooled": "pooled"}
    assert signature["features"]["tensorShape"]["dim"][1]["size"] == "128"
    assert metadata["feature_size"] == 128
    assert metadata["pooled_size"] == int(signature["pooled"]["tensorShape"]["dim"][1]["size"])
    weights = {weight["name"]: weight["shape"] for group in model["weightsManifest"]
               for weight in group["weights"]}
    assert weights[metadata["output_layer"]["kernel"]] == [128, len(metadata["labels"])]
    assert weights[metadata["output_layer"]["bias"]] == [len(metadata["labels"])]
    # Reference drawings' features, 8-bit, that a label taught on the page is fitted beside:
    # of test images the model reads right, 20 a label at most.
    references = metadata["references"]
    assert 0 < len(references["labels"]) <= 200 and references["scale"] > 0
    assert max(Counter(references["labels"]).values()) <= 20
    assert len(base64.b64decode(references["features"])) == 128 * len(references["labels"])
    assert not list(exported_dir.parent.glob(".*"))  # no staging folder left behind


def test_verify_reports_each_backend(exported_dir, trained_dir):
    result = run_export("verify", trained_dir, "--export", exported_dir, "--images", "100")
    parity = read_parity(result.stdout)
    assert set(parity) == set(BACKENDS), result.stdout
    for agreement, max_diff in parity.values():
        assert agreement == 100.0 and max_diff <= 1e-4
    assert "on 100 images" in result.stdout


def test_mobilenet_runs_on_every_backend_in_fewer_fused_ops(etl_model, tmp_path):
    """export/graph_rewrites.py's rewrites, each checked by the export's parity on every backend:
    the depthwise convolutions' batch normalisation goes into their kernels, hard-sigmoid's
    `+ 3` into the squeeze-excite biases (one block's zeroed, as in a fresh MobileNetV3Small,
    where the converter would otherwise fuse it as a single-value bias that wasm rejects; the
    others trained), and grey to RGB is no ConcatV2. oneDNN would fuse hard-swish into
    convolutions, which wasm cannot run either."""
    zeroed = tmp_path / "zeroed"
    shutil.copytree(etl_model, zeroed)
    classifier = keras.models.load_model(zeroed / CLASSIFIER_MODEL)
    first_block = classifier.get_layer(BACKBONE).get_layer("expanded_conv_squeeze_excite_conv_1")
    first_block.bias.assign(np.zeros(first_block.bias.shape))
    classifier.save(zeroed / CLASSIFIER_MODEL)
    out = tmp_path / "model"
    run_export("convert", zeroed, "--out", out, "--images", "16")

    model = json.loads((out / "model.json").read_text())
    nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
    ops = Counter(n["op"] for n in nodes.values())
    assert ops["ConcatV2"] == 0 and ops["DepthwiseConv2dNative"] == 0
    assert ops["FusedDepthwiseConv2dNative"] == 11
    fused = [base64.b64decode(s).decode() for n in nodes.values()
             for s in n.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])]
    assert "_FusedHardSwish" not in fused
    shapes = {w["name"]: w["shape"] for group in model["weightsManifest"] for w in group["weights"]}
    biases = [shapes[n["input"][2]] for n in nodes.values() if n["op"].startswith("_Fused")
              or n["op"] == "FusedDepthwiseConv2dNative"]
    assert biases and all(len(shape) == 1 for shape in biases)
    readers = Counter(name for n in nodes.values() for name in n.get("input", []))
    scalars_added_to_a_bias = [  # hard-swish's `+ 3` stays: it reads the convolution twice
        n for n in nodes.values() if n["op"] == "AddV2" and shapes.get(n["input"][1]) == []
        and "Conv" in nodes[n["input"][0]]["op"] and readers[n["input"][0]] == 1]
    assert not scalars_added_to_a_bias
    metadata = json.loads((out / "metadata.json").read_text())
    assert [p["backend"] for p in metadata["parity"]] == list(BACKENDS)
    for parity in metadata["parity"]:
        assert parity["top1_agreement"] == 1.0 and parity["max_prob_diff"] <= 1e-4
    # Global pooling, Dropout, the output layer: the pooled features are the features, which the
    # converter names once, and one output gives both.
    assert metadata["outputs"] == {"probabilities": "probabilities", "features": "features",
                                   "pooled": "features"}
    assert metadata["pooled_size"] == metadata["feature_size"]


def check_quantized(out: Path, stderr: str, quantize: str, ratio: float) -> None:
    """The export is `ratio` of the float32 weights' size, says so, and keeps within the rule
    for quantized exports."""
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["quantization"] == quantize
    weights = sum(p.stat().st_size for p in out.glob("*.bin"))
    assert metadata["model_bytes"] < metadata["unquantized_bytes"]
    assert weights == pytest.approx(ratio * (metadata["unquantized_bytes"]
                                             - (out / "model.json").stat().st_size), rel=0.02)
    assert f"{quantize}: {metadata['unquantized_bytes']:,} -> {metadata['model_bytes']:,}" in stderr
    assert "TF.js accuracy" in stderr
    (parity,) = metadata["parity"]
    assert parity["rule"] == asdict(QUANTIZED)
    assert parity["top1_agreement"] >= QUANTIZED.top1_agreement
    assert parity["max_prob_diff"] <= QUANTIZED.prob_diff
    assert parity["max_feature_diff"] <= QUANTIZED.feature_diff


def test_float16_halves_the_weights_and_reports(trained_dir, exported_dir, tmp_path):
    out = tmp_path / "model"
    result = run_export("convert", trained_dir, "--out", out, "--quantize", "float16",
                        "--backends", "wasm", "--max-accuracy-drop", "0.02")
    check_quantized(out, result.stderr, "float16", 0.5)
    float32 = json.loads((exported_dir / "metadata.json").read_text())  # the same model's
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["unquantized_bytes"] == float32["model_bytes"]
    # An export into SITE/model is the site's default model, named by its training folder.
    assert read_catalog(tmp_path) == [{"name": trained_dir.name, "folder": "model/"}]


def test_uint8_beyond_the_accuracy_guard_is_refused_unless_allowed(trained_dir, tmp_path,
                                                                    monkeypatch):
    """TF.js made to read a tenth of the images wrong, beyond a guard of 5% (a negative guard,
    which once forced this, is refused: tests/test_bad_inputs.py). --allow-accuracy-drop lets
    that loss pass, never a broken conversion's."""
    from dataclasses import replace

    import export.convert

    parity = export.convert.check_parity
    broken = {"max_prob_diff": 0.5}
    monkeypatch.setattr(export.convert, "check_parity", lambda *args: [
        replace(report, tfjs_accuracy=report.keras_accuracy - 0.1, **broken)
        for report in parity(*args)])
    out = tmp_path / "model"
    args = ["convert", trained_dir, "--out", out, "--quantize", "uint8",
            "--backends", "wasm", "--images", "64", "--max-accuracy-drop", "0.05"]
    refused = run_export(*args, "--allow-accuracy-drop", code=2)
    assert not out.exists() and not list(tmp_path.iterdir())
    assert refused.stderr.strip().splitlines()[-1].endswith("; beyond the rule: max |dprob|")
    broken.clear()
    refused = run_export(*args, code=2)
    assert not out.exists() and not list(tmp_path.iterdir())
    assert "uint8 quantization loses" in refused.stderr
    assert "pass --allow-accuracy-drop" in refused.stderr.strip().splitlines()[-1]
    allowed = run_export(*args, "--allow-accuracy-drop")
    assert "WARNING: uint8 quantization loses" in allowed.stderr
    check_quantized(out, allowed.stderr, "uint8", 0.25)


def stored_dtypes(out: Path) -> dict[str, str]:
    """{weight name: the dtype model.json stores it in} for the weights that were float32."""
    model = json.loads((out / "model.json").read_text())
    return {w["name"]: w.get("quantization", {}).get("dtype", w["dtype"])
            for group in model["weightsManifest"] for w in group["weights"]
            if w["dtype"] == "float32"}


def test_head_uint8_stores_the_output_layer_in_8_bits_the_rest_in_float16(trained_dir, tmp_path):
    """float16 for the rest halves the weights (the output layer is 1,290 of the CNN's 188k)."""
    out = tmp_path / "model"
    result = run_export("convert", trained_dir, "--out", out, "--quantize", "head-uint8",
                        "--backends", "wasm")
    dtypes = stored_dtypes(out)
    head = {name for name in dtypes if f"/{PROBABILITIES}_1/" in name}
    assert len(head) == 2  # kernel and bias
    assert {dtypes[name] for name in head} == {"uint8"}
    assert {dtype for name, dtype in dtypes.items() if name not in head} == {"float16"}
    check_quantized(out, result.stderr, "head-uint8", 0.5)
    assert "WARNING" not in result.stderr  # within --max-accuracy-drop's default
    # Quantized wrong: the 8-bit output layer read at twice its weights. Every answer and the
    # accuracy stay (the logits doubled), the probabilities do not: the check refuses it.
    model = json.loads((out / "model.json").read_text())
    for weight in (w for group in model["weightsManifest"] for w in group["weights"]
                   if w["name"] in head):
        weight["quantization"] = {**weight["quantization"],
                                  "scale": weight["quantization"]["scale"] * 2,
                                  "min": weight["quantization"]["min"] * 2}
    (out / "model.json").write_text(json.dumps(model))
    refused = run_export("verify", trained_dir, "--export", out, "--backends", "wasm",
                         "--images", "64", code=1)
    assert "top-1 agreement 100.00%" in refused.stdout
    assert refused.stdout.rstrip().endswith("; beyond the rule: max |dprob|"), refused.stdout


def test_quantized_exports_are_judged_by_what_they_cost_unquantized_by_every_value():
    """Unquantized, TF.js gives Keras' every answer, every value within rounding. Quantized, it
    may turn an answer in a hundred and move a peaked softmax by hundredths (the Japanese model's
    head-uint8: 3.3e-2, its features 1.0e-2), not by a broken conversion's tenths."""
    assert {name: choice.parity for name, choice in QUANTIZATIONS.items()} == {
        "none": EXACT, "float16": QUANTIZED, "uint8": QUANTIZED, "head-uint8": QUANTIZED}
    measured = {"backend": "cpu", "images": 1000, "top1_agreement": 1.0, "max_prob_diff": 1e-5,
                "feature_size": 128, "pooled_size": 1024, "max_feature_diff": 1e-5,
                "tfjs_accuracy": 0.915, "keras_accuracy": 0.915}

    def beyond(rule: ParityRule, **changed: float) -> list[str]:
        return Parity(**{**measured, **changed}, rule=rule).beyond()

    assert beyond(EXACT) == beyond(QUANTIZED) == []
    japanese_head_uint8 = {"max_prob_diff": 3.3e-2, "max_feature_diff": 1.0e-2}
    assert beyond(QUANTIZED, **japanese_head_uint8) == []
    assert beyond(EXACT, **japanese_head_uint8) == ["max |dprob|", "max |dfeature|"]
    assert beyond(EXACT, top1_agreement=0.999) == ["top-1 agreement"]
    assert beyond(QUANTIZED, top1_agreement=0.999) == []
    assert beyond(QUANTIZED, top1_agreement=0.98) == ["top-1 agreement"]
    assert beyond(QUANTIZED, max_prob_diff=0.2) == ["max |dprob|"]
    assert beyond(QUANTIZED, max_feature_diff=0.2) == ["max |dfeature|"]
    summary = Parity(**{**measured, "max_prob_diff": 0.2}, rule=QUANTIZED).summary()
    assert summary.endswith("; beyond the rule: max |dprob|")


def test_a_name_pattern_that_matches_nothing_is_refused(tmp_path):
    class NoOutputLayer(tf.Module):
        def __init__(self):
            self.kernel = tf.Variable(tf.random.normal([4, 3]))

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def __call__(self, x):
            return tf.matmul(x, self.kernel)

    tf.saved_model.save(NoOutputLayer(), str(tmp_path / "saved"))
    expected = (r"^model/classifier.keras: --quantize head-uint8: no weight named like "
                rf"\*/{PROBABILITIES}/\* or .* to store as uint8$")
    with pytest.raises(ExportError, match=expected):
        convert_saved_model(tmp_path / "saved", tmp_path / "js", "head-uint8",
                            Path("model/classifier.keras"))


def test_force_replaces_an_export_at_any_path(trained_dir, exported_dir, tmp_path):
    """A space and a non-ASCII letter in both paths: the converter gets them as they are."""
    model_dir = tmp_path / "trained models ü" / "tiny"
    shutil.copytree(trained_dir, model_dir)
    out = tmp_path / "web site é" / "model"
    shutil.copytree(exported_dir, out)
    (out / "old.txt").write_text("from the export before")
    refused = run_export("convert", model_dir, "--out", out, code=2)
    assert refused.stderr == (
        f"error: {out}: an export is already there (pass --force to replace it)\n"
    )

    run_export("convert", model_dir, "--out", out, "--force", "--backends", "cpu", "--images", "64")
    assert not (out / "old.txt").exists()
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["name"] == "cnn (tiny)"
    assert [(p["backend"], p["images"], p["top1_agreement"]) for p in metadata["parity"]] == [
        ("cpu", 64, 1.0)
    ]
    # beside it only the site's catalog, which an export into SITE/model writes (docs/page.md)
    assert sorted(path.name for path in out.parent.iterdir()) == ["model", "models.json"]


def test_ops_tfjs_lacks_are_listed(tmp_path):
    class Decomposition(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4, 4], tf.float32)])
        def __call__(self, x):
            return tf.linalg.svd(x, compute_uv=False)

    tf.saved_model.save(Decomposition(), str(tmp_path / "saved"))
    expected = r"model/classifier.keras: TF.js has no kernel for these ops: Svd$"
    with pytest.raises(ExportError, match=expected):
        convert_saved_model(tmp_path / "saved", tmp_path / "js", "none",
                            Path("model/classifier.keras"))
