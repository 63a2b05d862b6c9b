"""Grad-CAM (Selvaraju et al. 2017): where in the image the model found the evidence for a label.

The last convolution's feature maps, weighted by the mean gradient of the label's score (the
output layer's logit, before softmax) with respect to each map, summed and rectified. For the
compact CNN that is its last Conv2D; MobileNetV3Small shrinks a 28 px input to 1x1 by its last
convolutions, which would show nothing, so its last convolution whose map is still at least
MIN_MAP_SIDE across is used. Needs TensorFlow (a GradientTape).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from trainer.model import PROBABILITIES

MIN_MAP_SIDE = 4
CONVOLUTIONS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)
BATCH = 64


class GradCam:
    def __init__(self, classifier: keras.Model) -> None:
        self.output = classifier.get_layer(PROBABILITIES)
        holder, self.layer = target_layer(classifier)
        self.forward, self.covered_side = _forward(classifier, holder, self.layer, self.output)

    @property
    def layer_name(self) -> str:
        return self.layer.name

    def heatmaps(self, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """(N, H, W) maps in 0..1 over the input images, one per (image, class)."""
        maps = [self._batch(images[start : start + BATCH], classes[start : start + BATCH])
                for start in range(0, len(images), BATCH)]
        return np.concatenate(maps) if maps else np.zeros((0, *images.shape[1:3]))

    def _batch(self, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
        x = tf.constant(_with_channels(images), tf.float32)
        with tf.GradientTape() as tape:
            features, penultimate = self.forward(x)
            logits = tf.matmul(penultimate, self.output.kernel) + self.output.bias
            chosen = tf.gather(logits, classes, axis=1, batch_dims=1)
        gradients = tape.gradient(chosen, features)
        weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
        cams = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))[..., None]
        covered, side = self.covered_side, images.shape[1]
        cams = tf.image.resize(cams, (covered, covered), method="bilinear")[..., 0].numpy()
        border = (covered - side) // 2  # the black border MobileNetV3Small adds below 32 px
        cams = cams[:, border : border + side, border : border + side]
        peak = cams.max(axis=(1, 2), keepdims=True)
        return np.divide(cams, peak, out=np.zeros_like(cams), where=peak > 0)


def target_layer(classifier: keras.Model) -> tuple[keras.Model | None, keras.layers.Layer]:
    """(the nested backbone holding it, or None; the convolution Grad-CAM looks at)."""
    found: list[tuple[keras.Model | None, keras.layers.Layer]] = []
    for layer in classifier.layers:
        inner = layer.layers if isinstance(layer, keras.Model) else [layer]
        holder = layer if isinstance(layer, keras.Model) else None
        found += [(holder, each) for each in inner if isinstance(each, CONVOLUTIONS)]
    if not found:
        raise ValueError(f"{classifier.name}: no convolution for Grad-CAM")
    large = [pair for pair in found if pair[1].output.shape[1] >= MIN_MAP_SIDE]
    return (large or found)[-1]


def _forward(
    classifier: keras.Model, holder: keras.Model | None, layer: keras.layers.Layer,
    output: keras.layers.Layer,
) -> tuple[Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]], int]:
    """x -> (the layer's feature maps, the output layer's input); and the side of the image the
    maps cover (the input's, or the backbone's input's)."""
    if holder is None:
        model = keras.Model(classifier.inputs, [layer.output, output.input])
        return (lambda x: model(x)), classifier.input_shape[1]
    # A nested backbone: the layers before it, it (exposing the inner maps), the head after it.
    at = classifier.layers.index(holder)
    before = keras.Model(classifier.inputs, classifier.layers[at - 1].output)
    inner = keras.Model(holder.inputs, [layer.output, holder.outputs[0]])
    head = classifier.layers[at + 1 : classifier.layers.index(output)]

    def forward(x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        features, y = inner(before(x))
        for each in head:
            y = each(y)
        return features, y

    return forward, holder.input_shape[1]


def _with_channels(images: np.ndarray) -> np.ndarray:
    return images[..., None] if images.ndim == 3 else images
