"""The use cases the trainer serves, each trained for real on small data."""

import json

import keras
import numpy as np
import pytest

from runfolder.layout import CLASSIFIER_MODEL
from tests.helpers import (
    SHARED_DATA,
    run_export,
    run_trainer,
    save,
    write_photos,
)
from trainer.model import BACKBONE, CLASSIFIER

pytestmark = pytest.mark.slow  # every test here trains a model for real

KMNIST = SHARED_DATA / "kmnist"


def test_etl9b_characters_at_64px_with_mobilenet(etl_model):
    run = json.loads((etl_model / "run.json").read_text())
    assert run["labels"] == ["あ", "い", "亜"] and run["input"] == "drawing"
    assert run["input_size"] == run["preprocessing"]["size"] == 64
    assert run["preprocessing"]["box"] == 52
    with np.load(etl_model / "test_sample.npz") as sample:
        assert sample["x"].shape[1:] == (64, 64) and set(sample["y"]) <= {0, 1, 2}
    assert len(run["metrics"]["history"]["val_accuracy"]) == 2
    classifier = keras.models.load_model(etl_model / CLASSIFIER_MODEL)
    assert classifier.get_layer(BACKBONE).output_shape[-1] == 288  # --alpha 0.5 halves 576


def test_a_64px_character_model_on_the_page(etl_model, browser, tmp_path):
    """The export and the page follow the model's own recipe: 64x64 input, 52 px box."""
    from benchmarks.page import draw_strokes
    from export.browser import serve, site_with_model
    from trainer.preprocess import Recipe
    from trainer.strokes import strokes_to_input

    web = tmp_path / "web-model"
    run_export("convert", etl_model, "--out", web, "--backends", "wasm", "--images", "64")
    recipe = Recipe.from_json(json.loads((web / "metadata.json").read_text())["preprocessing"])
    assert (recipe.size, recipe.box) == (64, 52)
    classifier = keras.models.load_model(etl_model / CLASSIFIER_MODEL)
    with site_with_model(web) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        page.evaluate("window.app.ready")
        assert page.title() == "Draw a character"
        draw_strokes(page, [[(0.45, 0.1), (0.55, 0.3), (0.45, 0.5), (0.55, 0.7), (0.5, 0.9)]])
        page_input = np.asarray(
            page.evaluate("async () => Array.from(await window.app.preprocess())"))
        python_input = strokes_to_input(page.evaluate("window.app.strokes"), recipe)
        ranked = page.evaluate("window.app.predict()")
        # Taught as another label, the drawing reads as it: MobileNetV3Small's features are its
        # pooled features too, one output for both (export.graph_outputs).
        wanted = next(label for label in ["あ", "い", "亜"] if label != ranked[0]["label"])
        page.evaluate("(label) => window.app.teach(label)", wanted)
        assert page.evaluate("window.app.predict()")[0]["label"] == wanted
        assert page.evaluate("window.app.adapted") is True
        page.close()
    assert page_input.shape == (64 * 64,)
    assert np.abs(page_input.reshape(64, 64) - python_input).max() <= 1.0
    keras_probs = classifier.predict(python_input[None, :, :, None], verbose=0)[0]
    assert ranked[0]["label"] == ["あ", "い", "亜"][int(keras_probs.argmax())]


def test_the_real_hiragana_of_kmnist(tmp_path):
    out = tmp_path / "model"
    run_trainer("train", "--data", KMNIST, "--out", out, "--epochs", "2")
    run = json.loads((out / "run.json").read_text())
    assert run["labels"] == list("おきすつなはまやれを")
    assert sum(run["class_counts"]["train"]) == 8100
    # 8,100 real characters, two epochs: far above chance (10%) on 1,000 held-out ones.
    assert run["metrics"]["test_accuracy"] > 0.5




def test_photo_folder_transfer_learning_partly_frozen_with_mixup_and_oversampling(
    tmp_path, backbone_weights
):
    """Photos on a MobileNetV3Small from a weights file, frozen up to a layer, in two phases."""
    from trainer.model import mobilenet_backbone

    photos = tmp_path / "photos"
    write_photos(photos)
    out = tmp_path / "model"
    result = run_trainer(
        "train", "--data", photos, "--out", out, "--image-size", "32", "--model",
        "mobilenetv3small", "--alpha", "0.75", "--weights", backbone_weights, "--head-epochs",
        "1", "--epochs", "2", "--mixup", "0.2", "--balance", "oversample", "--flip",
        "horizontal", "--batch-size", "8", "--validation-fraction", "0.2",
        "--freeze-until", "expanded_conv_2_add", "--head", "flatten", "--head-norm", "batchnorm",
        "--schedule", "constant",
    )
    run = json.loads((out / "run.json").read_text())
    assert run["labels"] == ["dots", "red", "stripes"]
    assert run["input"] == "photo" and run["channels"] == 3 and run["input_size"] == 32
    assert run["preprocessing"] == {"kind": "photo-centre-crop", "size": 32}
    oversampled = run["class_counts"]["oversampled"]
    assert oversampled == [max(run["class_counts"]["train"])] * 3
    assert "class counts (oversampled)" in result.stderr
    with np.load(out / "test_sample.npz") as sample:
        assert sample["x"].shape[1:] == (32, 32, 3)

    # Phase two runs at a tenth of the rate of phase one; history.csv keeps both, a row an epoch.
    assert run["metrics"]["history"]["learning_rate"] == pytest.approx([1e-3, 1e-4])
    rows = (out / "history.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["0", "1"]
    classifier = keras.models.load_model(out / "last.keras").get_layer(CLASSIFIER)
    assert {"Flatten", "BatchNormalization"} <= {type(x).__name__ for x in classifier.layers}
    assert "Dropout" not in {type(layer).__name__ for layer in classifier.layers}

    start = mobilenet_backbone(32, 0.75, str(backbone_weights))
    trained = classifier.get_layer(BACKBONE)
    boundary = [layer.name for layer in trained.layers].index("expanded_conv_2_add")
    for index, (before, after) in enumerate(zip(start.layers, trained.layers, strict=True)):
        if index <= boundary:
            assert all(np.array_equal(a, b) for a, b in zip(
                before.get_weights(), after.get_weights(), strict=True)), f"{after.name} changed"
    last_conv = trained.get_layer("conv_1")  # after the boundary: trained in phase two
    assert not np.array_equal(last_conv.get_weights()[0],
                              start.get_layer("conv_1").get_weights()[0])


def test_preview_augment_of_photos_with_the_photo_extras(tmp_path):
    import matplotlib.image

    from trainer.augment import build_augmentation
    from trainer.config import TrainConfig
    from trainer.photo import PhotoRecipe, photo_pixels, photo_to_input
    from trainer.preview import write_preview
    from trainer.sources import load_path

    photos = tmp_path / "photos"
    rng = np.random.default_rng(0)
    for channel, colour in enumerate(["red", "green", "blue"]):
        for i in range(2):  # wider than tall, so the centre square is cut out
            pixels = rng.integers(0, 80, (40, 56, 3))
            pixels[..., channel] += np.linspace(100, 175, 56).astype(int)
            save(photos / colour / f"{i}.{'jpg' if i else 'png'}", pixels)
    config = tmp_path / "photos.toml"
    config.write_text('image-size = 32\nflip = "horizontal"\ncontrast = 0.3\nerasing = 0.5\n')
    out = tmp_path / "preview.png"
    run_trainer("preview-augment", "--data", photos, "--config", config, "--out", out,
                "--variants", "3")
    picture = matplotlib.image.imread(out)
    assert picture.shape[0] > 150 and picture.shape[2] in (3, 4)  # three rows of colour panels

    # The same grid, drawn again: each row is a photo as the page would prepare it, then three
    # augmented versions of that photo, each nearer to it (or its mirror) than to another row's.
    # Red, green and blue photos tell the rows apart whatever shape augmentation gives them.
    dataset = load_path(photos, image_size=32)
    augmentation = build_augmentation(TrainConfig(flip="horizontal", contrast=0.3, erasing=0.5))
    rows, grid = write_preview(dataset, augmentation, out, variants=3, seed=0)
    assert grid.shape == (3, 4, 32, 32, 3)
    files = dataset.x_train.source.paths
    for row, index in zip(grid, dataset.x_train.indices[rows], strict=True):
        np.testing.assert_array_equal(row[0], photo_to_input(photo_pixels(files[index]),
                                                             PhotoRecipe(32)))
    originals = grid[:, 0]
    for r, row in enumerate(grid):
        for variant in row[1:]:
            assert np.abs(variant - row[0]).max() > 50  # augmented, not a copy
            distances = [min(np.abs(variant - image).mean(), np.abs(variant - mirrored).mean())
                         for image, mirrored in zip(originals, originals[:, :, ::-1], strict=True)]
            assert int(np.argmin(distances)) == r, distances
