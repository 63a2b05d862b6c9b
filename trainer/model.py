"""The models: augmentation (training only, trainer/augment.py) followed by a classifier that is
exported alone."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from runfolder.errors import OneLineError
from runfolder.layout import CLASSIFIER, PROBABILITIES

BACKBONE = "MobileNetV3Small"


class ModelError(OneLineError):
    """Settings that cannot build a model, e.g. ImageNet weights that cannot be downloaded."""


def build_compact_cnn(input_size: int, num_classes: int, channels: int = 1) -> keras.Model:
    """A small convnet; raw 0..255 pixels in, class probabilities out.

    Batch normalisation would halve training speed on a 2-core CPU for no accuracy gain here.
    """
    inputs = keras.Input((input_size, input_size, channels), name="pixels")
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
    outputs = probabilities(num_classes)(x)
    return keras.Model(inputs, outputs, name=CLASSIFIER)


def build_mobilenet_v3_small(
    input_size: int,
    num_classes: int,
    channels: int = 1,
    alpha: float = 1.0,
    weights: str = "none",
    head: str = "gap",
    head_norm: str = "dropout",
    features: int = 0,
) -> keras.Model:
    """MobileNetV3Small on raw 0..255 pixels, rescaled by the backbone's own preprocessing.

    Grey is repeated to 3 channels; inputs under the backbone's 32 px minimum get a black border
    (a Resizing layer instead would make the SavedModel unfreezable for the converter).
    `weights` is "none", "imagenet" (downloaded by Keras) or a weights file for the backbone.
    `features` > 0 puts a dense layer of that many between the pooling and the output layer: with
    thousands of labels it holds the output layer's weights (and the export) to a fraction, and
    the page's personal head fits on that many features instead of the backbone's 576.
    """
    inputs = keras.Input((input_size, input_size, channels), name="pixels")
    x = inputs
    if channels == 1:
        x = layers.Concatenate(name="grey_to_rgb")([inputs, inputs, inputs])
    border = max(0, 32 - input_size)
    if border:
        x = layers.ZeroPadding2D(((border // 2, border - border // 2),) * 2, name="border")(x)
    backbone = mobilenet_backbone(input_size + border, alpha, weights)
    x = backbone(x)
    x = layers.GlobalAveragePooling2D()(x) if head == "gap" else layers.Flatten()(x)
    if features:
        x = layers.Dense(features, activation="relu", name="bottleneck")(x)
    x = layers.BatchNormalization()(x) if head_norm == "batchnorm" else layers.Dropout(0.2)(x)
    outputs = probabilities(num_classes)(x)
    return keras.Model(inputs, outputs, name=CLASSIFIER)


def probabilities(num_classes: int) -> layers.Dense:
    """The output layer; float32 even under mixed precision, for a stable softmax."""
    return layers.Dense(num_classes, activation="softmax", name=PROBABILITIES, dtype="float32")


def with_more_labels(classifier: keras.Model, num_classes: int) -> keras.Model:
    """The classifier with an output layer of `num_classes`: the first rows, weights and bias,
    are its own; each new label's starts at the mean of theirs, which the run then trains."""
    old = classifier.get_layer(PROBABILITIES)
    kernel, bias = old.get_weights()
    grown = probabilities(num_classes)
    outputs = grown(old.input)
    extra = num_classes - len(bias)
    grown.set_weights([
        np.concatenate([kernel, np.repeat(kernel.mean(1, keepdims=True), extra, 1)], 1),
        np.concatenate([bias, np.full(extra, bias.mean())]),
    ])
    return keras.Model(classifier.input, outputs, name=CLASSIFIER)


# Keras' MobileNetV3 keeps 0.999 of its batch statistics each step, which suits ImageNet's long
# runs; from scratch in a thousand steps (2,279 labels) the page would still see the initial
# statistics, and validation read at chance while training accuracy rose.
SCRATCH_MOMENTUM = 0.99


def mobilenet_backbone(side: int, alpha: float, weights: str) -> keras.Model:
    try:
        backbone = keras.applications.MobileNetV3Small(
            input_shape=(side, side, 3), alpha=alpha, include_top=False,
            weights=None if weights == "none" else weights, include_preprocessing=True,
        )
    except ValueError as error:  # e.g. ImageNet weights exist only for alpha 0.75 and 1.0
        raise ModelError(f"--weights {weights}: {str(error).splitlines()[0]}") from None
    except Exception as error:
        if weights != "imagenet":
            raise ModelError(f"{weights}: cannot load these weights ({error})") from None
        raise ModelError(
            f"--weights imagenet: the download failed ({str(error).splitlines()[0]}). "
            "Fetch that file on a machine with internet and put it in ~/.keras/models/ "
            "(or pass --weights PATH to it), or train from scratch with --weights none"
        ) from None
    if weights == "none":
        for layer in backbone.layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.momentum = SCRATCH_MOMENTUM
    return backbone


def freeze(classifier: keras.Model, until: str | None) -> None:
    """Freeze the backbone's layers up to and including `until`, none when None; thaw the rest."""
    backbone = classifier.get_layer(BACKBONE)
    names = [layer.name for layer in backbone.layers]
    if until is not None and until not in names:
        raise ModelError(
            f"--freeze-until {until}: no such layer in {BACKBONE} "
            f"(its layers run from {names[1]!r} to {names[-1]!r}, e.g. {names[len(names) // 2]!r})"
        )
    frozen = set(names[: names.index(until) + 1]) if until is not None else set()
    for layer in backbone.layers:
        layer.trainable = layer.name not in frozen


def last_backbone_layer(classifier: keras.Model) -> str:
    return classifier.get_layer(BACKBONE).layers[-1].name


def build_training_model(classifier: keras.Model, augmentation: keras.Sequential) -> keras.Model:
    inputs = keras.Input(classifier.input_shape[1:], name="pixels")
    return keras.Model(inputs, classifier(augmentation(inputs)), name="trainer")
