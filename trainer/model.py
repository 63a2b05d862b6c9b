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


def build_training_model(classifier: keras.Model, augmentation: keras.Sequential) -> keras.Model:
    inputs = keras.Input(classifier.input_shape[1:], name="pixels")
    return keras.Model(inputs, classifier(augmentation(inputs)), name="trainer")
