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
class Quantization:
    """A --quantize choice: the dtype the converter stores each weight in, and the largest
    |Keras prob - TF.js prob| accepted from the result."""

    weights: Mapping[str, str]  # dtype -> the converter's weight-name patterns (fnmatch)
    prob_limit: float
    description: str


# A converter flag without patterns takes every weight that no other flag's patterns took.
OTHER_WEIGHTS = ""
# A converted weight is named after its graph node, where Keras' export adds a suffix to the
# layer's name: StatefulPartitionedCall/classifier_1/probabilities_1/Cast/ReadVariableOp.
OUTPUT_LAYER_WEIGHTS = f"*/{PROBABILITIES}/*,*/{PROBABILITIES}_[0-9]*/*"
# The --quantize choices, declared nowhere else. 8 bits suit the output layer (most of a
# 3,036-class model's bytes) better than the convolutions before it. The largest |dprob|
# measured on the KMNIST hiragana CNN (1,000 test images) is half its limit or less: float16
# 4.8e-4, uint8 1.1e-2, head-uint8 6.4e-3 (uint8's limit: its 8-bit weights are some of uint8's).
QUANTIZATIONS = {
    "none": Quantization({}, 1e-4, "float32 weights"),
    "float16": Quantization({"float16": OTHER_WEIGHTS}, 1e-3, "every weight float16"),
    "uint8": Quantization({"uint8": OTHER_WEIGHTS}, 2e-2, "every weight 8-bit"),
    "head-uint8": Quantization(
        {"float16": OTHER_WEIGHTS, "uint8": OUTPUT_LAYER_WEIGHTS}, 2e-2,
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
