import json

from tests.conftest import run_cli


def test_export_writes_graph_model_and_metadata(exported_dir, trained_dir):
    model = json.loads((exported_dir / "model.json").read_text())
    assert model["format"] == "graph-model"
    assert "Random" not in json.dumps(model["modelTopology"])
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    run = json.loads((trained_dir / "run.json").read_text())
    assert metadata["labels"] == run["labels"]
    assert metadata["preprocessing"] == run["preprocessing"]
    assert (metadata["input_size"], metadata["channels"]) == (28, 1)
    assert metadata["accuracy"]["test"] == run["metrics"]["test_accuracy"]
    assert metadata["weight_shards"] == len(list(exported_dir.glob("*.bin"))) >= 1
    parity = metadata["parity"]
    assert parity["images"] == 256 and parity["backend"] == "cpu"
    assert parity["top1_agreement"] == 1.0 and parity["max_prob_diff"] <= 1e-4
    assert not list(exported_dir.parent.glob(".*partial"))


def test_verify_runs_tfjs_in_chromium_and_prints_both_figures(exported_dir, trained_dir):
    result = run_cli("export", "verify", trained_dir, "--export", exported_dir)
    assert "top-1 agreement 100.00% on 256 images" in result.stdout
    max_diff = float(result.stdout.split("max |dprob| ")[1].split()[0])
    assert max_diff <= 1e-4


def test_missing_model_is_one_clear_line(tmp_path):
    out = tmp_path / "web-model"
    result = run_cli("export", "convert", tmp_path / "nothing", "--out", out, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'nothing' / 'best.keras'}: not found (train a model first: make train)"
    )
    assert not out.exists()
