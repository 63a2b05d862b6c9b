import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from tests.helpers import ROOT
from trainer.augment import RandomAffine, RandomElastic, RandomThickness, build_augmentation
from trainer.config import TrainConfig

SIZE = 28
CENTRE = (SIZE - 1) / 2


def dots(count: int, row: int, col: int) -> np.ndarray:
    """`count` black images with one bright pixel at (row, col)."""
    images = np.zeros((count, SIZE, SIZE, 1), "float32")
    images[:, row, col] = 255
    return images


def centroids(images) -> np.ndarray:
    """(count, 2) ink centroids as (row, col)."""
    ink = keras.ops.convert_to_numpy(images)[..., 0]
    rows, cols = np.indices(ink.shape[1:])
    mass = ink.sum(axis=(1, 2))[:, None]
    return np.stack([(ink * rows).sum(axis=(1, 2)), (ink * cols).sum(axis=(1, 2))], 1) / mass


def squares(count: int, side: int = 12) -> np.ndarray:
    images = np.zeros((count, SIZE, SIZE, 1), "float32")
    start = (SIZE - side) // 2
    images[:, start : start + side, start : start + side] = 255
    return images


def test_identity_at_inference_and_changes_in_training():
    layer = RandomAffine(0.05, 0.1, 0.1, seed=1)
    images = squares(8)
    np.testing.assert_array_equal(layer(images, training=False), images)
    np.testing.assert_array_equal(layer(images), images)
    augmented = keras.ops.convert_to_numpy(layer(images, training=True))
    assert augmented.shape == images.shape and augmented.dtype == np.float32
    assert np.abs(augmented - images).max(axis=(1, 2, 3)).min() > 10  # every image changed


def test_zero_ranges_are_identity_in_training_too():
    images = squares(4)
    np.testing.assert_allclose(RandomAffine()(images, training=True), images, atol=1e-3)


def test_translation_moves_a_dot_by_at_most_the_range():
    row, col = SIZE // 2, SIZE // 2
    moved = centroids(RandomAffine(translation=0.1, seed=2)(dots(64, row, col), training=True))
    shift = np.abs(moved - [row, col])
    assert shift.max() <= 0.1 * SIZE + 1e-3
    assert shift.max() > 0.5 * 0.1 * SIZE  # and it does move


def test_rotation_keeps_the_distance_from_the_centre():
    row, col = SIZE // 2, SIZE - 4
    turned = centroids(RandomAffine(rotation=0.05, seed=3)(dots(64, row, col), training=True))
    radius = np.hypot(row - CENTRE, col - CENTRE)
    np.testing.assert_allclose(np.hypot(*(turned - CENTRE).T), radius, atol=1.0)
    angles = np.degrees(np.arctan2(turned[:, 0] - CENTRE, turned[:, 1] - CENTRE))
    assert np.abs(angles).max() <= 18 + 3 and np.abs(angles).max() > 5


def test_zoom_scales_the_ink_area_within_the_range():
    zoom = 0.2
    images = squares(64)
    zoomed = keras.ops.convert_to_numpy(RandomAffine(zoom=zoom, seed=4)(images, training=True))
    ratio = zoomed.sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    # A sampling window (1 + z) times the side shows the content 1 / (1 + z)^2 as large.
    assert ratio.min() >= 1 / (1 + zoom) ** 2 - 0.02 and ratio.max() <= 1 / (1 - zoom) ** 2 + 0.02
    assert ratio.min() < 0.9 and ratio.max() > 1.1  # both zoom in and zoom out occur


PEN_LAYERS = {
    "shear": lambda seed: RandomAffine(shear=0.3, seed=seed),
    "elastic": lambda seed: RandomElastic(2.0, seed=seed),
    "thickness": lambda seed: RandomThickness(0.5, seed=seed),
}


@pytest.mark.parametrize("kind", PEN_LAYERS)
def test_pen_variations_are_identity_at_inference_and_vary_in_training(kind):
    images = squares(16)
    layer = PEN_LAYERS[kind](7)
    np.testing.assert_array_equal(layer(images, training=False), images)
    np.testing.assert_array_equal(layer(images), images)
    varied = keras.ops.convert_to_numpy(layer(images, training=True))
    assert varied.shape == images.shape and varied.dtype == np.float32
    assert np.abs(varied - images).max(axis=(1, 2, 3)).min() > 1  # every image changed
    again = keras.ops.convert_to_numpy(PEN_LAYERS[kind](7)(images, training=True))
    np.testing.assert_array_equal(varied, again)  # same seed, same draws


def test_thickness_makes_strokes_bolder_and_finer_but_keeps_them_in_place():
    images = np.zeros((64, SIZE, SIZE, 1), "float32")
    images[:, 6:22, 13:16] = 255  # a 3 px stem
    varied = keras.ops.convert_to_numpy(RandomThickness(1.0, seed=1)(images, training=True))
    ratio = varied.sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    assert ratio.max() > 1.3 and ratio.min() < 0.7  # bolder and finer pens both occur
    assert ratio.max() <= 2 + 1e-3  # a 3x3 dilation widens a 3 px stem to 5 px at most
    np.testing.assert_allclose(centroids(varied), centroids(images), atol=0.6)


def test_shear_slants_a_vertical_stem_and_leaves_its_middle():
    images = np.zeros((64, SIZE, SIZE, 1), "float32")
    images[:, 4:24, 13:15] = 255
    slanted = keras.ops.convert_to_numpy(RandomAffine(shear=0.3, seed=2)(images, training=True))
    top, bottom = centroids(slanted[:, 4:9]), centroids(slanted[:, 19:24])
    drift = np.abs(top[:, 1] - bottom[:, 1])  # the stem's x at the top and at the bottom
    assert drift.max() > 2 and drift.max() <= 0.3 * 15 + 1
    np.testing.assert_allclose(centroids(slanted)[:, 1], 13.5, atol=0.6)


def test_elastic_moves_each_pixel_by_at_most_its_magnitude():
    row, col = SIZE // 2, SIZE // 2
    moved = centroids(RandomElastic(2.0, seed=3)(dots(64, row, col), training=True))
    shift = np.hypot(*(moved - [row, col]).T)
    assert shift.max() <= 2.0 * np.sqrt(2) + 0.2 and shift.max() > 0.5


def test_same_seed_same_draws():
    images = squares(8)

    def draw(seed: int):
        layer = RandomAffine(0.05, 0.1, 0.1, seed=seed)
        return keras.ops.convert_to_numpy(layer(images, training=True))

    np.testing.assert_array_equal(draw(5), draw(5))
    assert np.abs(draw(5) - draw(6)).max() > 1


def test_builder_kinds():
    fused = build_augmentation(TrainConfig(augment="fused"))
    stock = build_augmentation(TrainConfig(augment="stock"))
    none = build_augmentation(TrainConfig(augment="none"))
    assert [type(layer).__name__ for layer in none.layers] == ["Identity"]
    assert fused.name == stock.name == "augmentation"
    assert [type(layer).__name__ for layer in fused.layers] == ["RandomAffine"]
    assert [type(layer).__name__ for layer in stock.layers] == [
        "RandomRotation", "RandomZoom", "RandomTranslation"
    ]
    pen = build_augmentation(TrainConfig(thickness=0.5, elastic=1.0, shear=0.2))
    assert [type(layer).__name__ for layer in pen.layers] == [
        "RandomThickness", "RandomAffine", "RandomElastic"]
    assert pen.layers[1].shear == 0.2
    with pytest.raises(ValueError, match="zoom"):
        RandomAffine(zoom=1.5)


def test_trains_saves_and_loads(tmp_path):
    inputs = keras.Input((SIZE, SIZE, 1))
    x = build_augmentation(TrainConfig(augment="fused"), seed=0)(inputs)
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("sgd", "mse", jit_compile=False)
    model.fit(squares(4), np.zeros((4, 2)), batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")

    loaded = keras.models.load_model(tmp_path / "model.keras")
    layer = loaded.get_layer("augmentation").layers[0]
    assert isinstance(layer, RandomAffine)
    assert (layer.rotation, layer.zoom, layer.translation, layer.seed) == (0.05, 0.1, 0.1, 0)
    np.testing.assert_allclose(loaded.predict(squares(2), verbose=0),
                               model.predict(squares(2), verbose=0), rtol=1e-6)


JAX_FIT = """
import keras, numpy as np
from trainer.augment import build_augmentation
from trainer.config import TrainConfig
def model(kind):
    inputs = keras.Input((8, 8, 1))
    x = build_augmentation(TrainConfig(augment=kind), seed=0)(inputs)
    m = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    m.compile("sgd", "mse")
    return m
fused = model("fused")
history = fused.fit(np.ones((4, 8, 8, 1)), np.zeros((4, 2)), batch_size=4, verbose=0)
print(keras.backend.backend(), fused.jit_compile, model("stock").jit_compile,
      np.isfinite(history.history["loss"][0]))
"""


@pytest.mark.slow
def test_runs_inside_a_jitted_jax_train_step():
    result = subprocess.run(
        [sys.executable, "-c", JAX_FIT], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # The stock layers declare supports_jit=False, which switches jit off for the whole model.
    assert result.stdout.split() == ["jax", "True", "False", "True"]
