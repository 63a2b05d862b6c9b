"""The models: augmentation (training only) followed by a classifier that is exported alone."""

from __future__ import annotations

import keras
from keras import layers

CLASSIFIER = "classifier"
AUGMENTATION = "augmentation"


def build_augmentation(rotation: float, zoom: float, translation: float) -> keras.Sequential:
    """Pen-like variation: small turns, size and position changes; no flips for characters.

    The layers are active only in training, and keep RNG state, so they stay out of the export.
    """
    return keras.Sequential(
        [
            layers.RandomRotation(rotation, fill_mode="constant"),
            layers.RandomZoom(zoom, fill_mode="constant"),
            layers.RandomTranslation(translation, translation, fill_mode="constant"),
        ],
        name=AUGMENTATION,
    )


def build_compact_cnn(input_size: int, num_classes: int) -> keras.Model:
    """A small convnet; raw 0..255 pixels in, class probabilities out.

    Batch normalisation would halve training speed on a 2-core CPU for no accuracy gain here.
    """
    inputs = keras.Input((input_size, input_size, 1), name="pixels")
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=CLASSIFIER)


def build_mobilenet_v3_small(
    input_size: int, num_classes: int, alpha: float = 1.0, weights: str | None = None
) -> keras.Model:
    """MobileNetV3Small on raw 0..255 grey pixels, rescaled by the backbone's own preprocessing.

    Grey is repeated to 3 channels; inputs under the backbone's 32 px minimum get a black border
    (a Resizing layer instead would make the SavedModel unfreezable for the converter).
    """
    inputs = keras.Input((input_size, input_size, 1), name="pixels")
    x = layers.Concatenate(name="grey_to_rgb")([inputs, inputs, inputs])
    border = max(0, 32 - input_size)
    if border:
        x = layers.ZeroPadding2D(((border // 2, border - border // 2),) * 2, name="border")(x)
    backbone = keras.applications.MobileNetV3Small(
        input_shape=(input_size + border, input_size + border, 3), alpha=alpha,
        include_top=False, weights=weights, include_preprocessing=True,
    )
    x = backbone(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=CLASSIFIER)


def build_training_model(classifier: keras.Model, augmentation: keras.Sequential) -> keras.Model:
    inputs = keras.Input(classifier.input_shape[1:], name="pixels")
    return keras.Model(inputs, classifier(augmentation(inputs)), name="trainer")
