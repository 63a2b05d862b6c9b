"""Training-time augmentation: one fused random affine resample, or Keras' three stock layers.

The stock RandomRotation, RandomZoom and RandomTranslation resample the batch three times, and
each declares `supports_jit = False`, which turns off jit for the whole train step on JAX.
RandomAffine draws the same three variations, composes them into one matrix per image and
resamples once, with `keras.ops` only, so it runs inside jitted train steps on every backend.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from trainer.config import TrainConfig

AUGMENTATION = "augmentation"


@keras.saving.register_keras_serializable(package="drawrecog")
class RandomAffine(layers.Layer):
    """Random rotation, zoom and translation as one bilinear resample, in training only.

    The ranges mean what they mean for the stock layers, which apply in this order:

    - `rotation`: fraction of a full turn; 0.05 draws an angle in [-18°, +18°]
      (RandomRotation's `factor`).
    - `zoom`: the sampled window is 1 + [-zoom, +zoom] times the image side, the same for both
      axes; above 1 the content shrinks (RandomZoom's `height_factor`, `width_factor=None`).
    - `translation`: shift in [-translation, +translation] of the side, drawn separately for x
      and y (RandomTranslation's `height_factor` and `width_factor`).
    - `shear`: horizontal shear, x moving by [-shear, +shear] times y (a slant, as people slant
      their writing), applied first.

    Uncovered pixels are filled with 0. Inputs are (batch, height, width, channels) images.
    """

    def __init__(
        self,
        rotation: float = 0.0,
        zoom: float = 0.0,
        translation: float = 0.0,
        seed: int | None = None,
        shear: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if rotation < 0 or not 0 <= zoom < 1 or not 0 <= translation <= 1 or shear < 0:
            raise ValueError(
                "RandomAffine needs rotation >= 0, 0 <= zoom < 1, 0 <= translation <= 1 and "
                f"shear >= 0; got rotation={rotation}, zoom={zoom}, translation={translation}, "
                f"shear={shear}"
            )
        self.rotation = rotation
        self.zoom = zoom
        self.translation = translation
        self.shear = shear
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training: bool | None = None):
        if not training:
            return inputs
        images = ops.cast(inputs, self.compute_dtype)
        return ops.image.affine_transform(
            images,
            self._random_transforms(ops.shape(images)),
            interpolation="bilinear",
            fill_mode="constant",
            fill_value=0,
            data_format="channels_last",
        )

    def _random_transforms(self, shape):
        """(batch, 8) projective transforms mapping output pixels to input pixels."""
        batch, height, width = shape[0], shape[1], shape[2]
        # One draw for all four parameters: a single RNG op and seed update per batch.
        ranges = ops.convert_to_tensor(
            [self.rotation * 2 * math.pi, self.zoom, self.translation, self.translation],
            "float32",
        )
        draws = keras.random.uniform((batch, 4), -1.0, 1.0, "float32", self.seed_generator)
        draws = draws * ranges
        angle, scale = draws[:, 0], 1.0 + draws[:, 1]
        shift_x = draws[:, 2] * ops.cast(width, "float32")
        shift_y = draws[:, 3] * ops.cast(height, "float32")
        # Rotate, then zoom, then shift, each about the centre, as the stock layers chain them:
        # input = centre + scale * R(angle) @ (output - shift - centre).
        cx = (ops.cast(width, "float32") - 1.0) / 2.0
        cy = (ops.cast(height, "float32") - 1.0) / 2.0
        a0 = scale * ops.cos(angle)
        b0 = scale * ops.sin(angle)
        a1, b1 = -b0, a0
        if self.shear:  # drawn apart, so that shear 0 leaves the other draws as they were
            slant = keras.random.uniform((batch,), -self.shear, self.shear, "float32",
                                         self.seed_generator)
            a1, b1 = a1 + a0 * slant, b1 + b0 * slant  # R @ [[1, slant], [0, 1]]
        x0, y0 = cx + shift_x, cy + shift_y
        zeros = ops.zeros_like(angle)
        return ops.stack(
            [a0, a1, cx - a0 * x0 - a1 * y0, b0, b1, cy - b0 * x0 - b1 * y0, zeros, zeros],
            axis=1,
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rotation": self.rotation,
            "zoom": self.zoom,
            "translation": self.translation,
            "seed": self.seed,
            "shear": self.shear,
        }


@keras.saving.register_keras_serializable(package="drawrecog")
class RandomElastic(layers.Layer):
    """Elastic distortion (Simard et al. 2003), in training only: every pixel moves by a smooth
    random displacement, up to `magnitude` pixels, interpolated bicubically from a `grid` x `grid`
    lattice of random moves; one bilinear resample, uncovered pixels 0."""

    def __init__(self, magnitude: float = 0.0, grid: int = 4, seed: int | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.magnitude = magnitude
        self.grid = grid
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training: bool | None = None):
        if not training:
            return inputs
        images = ops.cast(inputs, self.compute_dtype)
        batch, height, width, _ = ops.shape(images)
        moves = keras.random.uniform((batch, self.grid, self.grid, 2), -self.magnitude,
                                     self.magnitude, "float32", self.seed_generator)
        field = ops.image.resize(moves, (height, width), interpolation="bicubic")
        rows = ops.arange(height, dtype="float32")[None, :, None] + field[..., 0]
        cols = ops.arange(width, dtype="float32")[None, None, :] + field[..., 1]
        return bilinear_sample(images, rows, cols)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "magnitude": self.magnitude, "grid": self.grid,
                "seed": self.seed}


def bilinear_sample(images, rows, cols):
    """images (B, H, W, C) read at float positions rows, cols (B, H, W), bilinearly; positions
    outside read 0. With keras.ops gathers only, so the batch size may be unknown when traced
    (ops.image.map_coordinates needs it)."""
    shape = ops.shape(images)
    batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
    flat = ops.reshape(images, (-1, channels))
    offset = (ops.arange(batch, dtype="int32") * height * width)[:, None, None]
    top, left = ops.floor(rows), ops.floor(cols)
    last_row, last_col = ops.cast(height - 1, "float32"), ops.cast(width - 1, "float32")
    result = 0.0
    for row, row_weight in ((top, 1 - (rows - top)), (top + 1, rows - top)):
        for col, col_weight in ((left, 1 - (cols - left)), (left + 1, cols - left)):
            inside = (row >= 0) & (row <= last_row) & (col >= 0) & (col <= last_col)
            index = (offset + ops.cast(ops.clip(row, 0, last_row), "int32") * width
                     + ops.cast(ops.clip(col, 0, last_col), "int32"))
            weight = ops.where(inside, row_weight * col_weight, 0.0)[..., None]
            result = result + weight * ops.take(flat, index, axis=0)
    return result


@keras.saving.register_keras_serializable(package="drawrecog")
class RandomThickness(layers.Layer):
    """A thicker or thinner pen, in training only: each image moves towards its 3x3 dilation
    (bolder) or erosion (finer) by a random share in [-amount, +amount], so a model trained on
    one pen reads another's."""

    def __init__(self, amount: float = 0.0, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.amount = amount
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training: bool | None = None):
        if not training:
            return inputs
        images = ops.cast(inputs, self.compute_dtype)
        share = keras.random.uniform((ops.shape(images)[0], 1, 1, 1), -self.amount, self.amount,
                                     "float32", self.seed_generator)
        bolder = ops.max_pool(images, 3, strides=1, padding="same")
        finer = -ops.max_pool(-images, 3, strides=1, padding="same")
        return images + ops.where(share > 0, share * (bolder - images), -share * (finer - images))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "amount": self.amount, "seed": self.seed}


def build_augmentation(config: TrainConfig, seed: int | None = None) -> keras.Sequential:
    """Pen-like variation (small turns, size and position changes), then the photo extras
    (flips, contrast, erasing), as `config` sets them.

    "fused" is one RandomAffine; "stock" is Keras' RandomRotation, RandomZoom and
    RandomTranslation with the same ranges (three resamples, and no jit on JAX); "none" passes
    images through. Every layer is active only in training and keeps RNG state, so none of them
    is exported.
    """
    rotation, zoom, translation = config.rotation, config.zoom, config.translation
    stack = [RandomThickness(config.thickness, seed=seed)] if config.thickness else []
    if config.augment == "fused":
        stack.append(RandomAffine(rotation, zoom, translation, seed=seed, shear=config.shear))
    elif config.augment == "stock":
        stack += [
            layers.RandomRotation(rotation, fill_mode="constant", seed=seed),
            layers.RandomZoom(zoom, fill_mode="constant", seed=seed),
            layers.RandomTranslation(translation, translation, fill_mode="constant", seed=seed),
        ]
    elif not stack:
        stack = [layers.Identity()]
    if config.elastic:
        stack.append(RandomElastic(config.elastic, seed=seed))
    if config.flip != "none":
        stack.append(layers.RandomFlip(config.flip, seed=seed))
    if config.contrast:
        stack.append(layers.RandomContrast(config.contrast, value_range=(0, 255), seed=seed))
    if config.erasing:
        stack.append(layers.RandomErasing(config.erasing, fill_value=0.0, value_range=(0, 255),
                                          seed=seed))
    return keras.Sequential(stack, name=AUGMENTATION)
