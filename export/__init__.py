"""Export trained Keras models to TF.js graph models and prove the browser agrees.

This module and `export.inputs` load no TensorFlow, so bad input fails fast.
"""

from __future__ import annotations

from dataclasses import dataclass

# The TF.js backends, in the order the page prefers them (each falls back to the next). The
# export checks parity on them and writes this list into metadata.json; the page reads it from
# there for its fallback order and its selector. Declared nowhere else.
BACKENDS = ("wasm", "webgl", "cpu")
# The layout of metadata.json, written into it; the page refuses a version it does not read
# (web/metadata.js). Raise it when a key the page reads changes meaning or goes away.
FORMAT_VERSION = 1
# Largest |Keras prob - TF.js prob| accepted, by weight quantization.
PROB_LIMITS = {"none": 1e-4, "float16": 1e-3, "uint8": 2e-2}


class ExportError(Exception):
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
        if self.quantize not in PROB_LIMITS:
            choices = ", ".join(PROB_LIMITS)
            raise ExportError(f"--quantize: {self.quantize!r} is not one of {choices}")
        require_backends(self.backends)
        require_images(self.images)


def require_backends(backends: tuple[str, ...]) -> None:
    unknown = [name for name in backends if name not in BACKENDS]
    if unknown or not backends:
        given = f"unknown {', '.join(unknown)}" if unknown else "none given"
        raise ExportError(f"--backends: {given} (choose from {', '.join(BACKENDS)})")


def require_images(images: int) -> None:
    if images < 1:
        raise ExportError(f"--images: must be 1 or more, not {images}")
