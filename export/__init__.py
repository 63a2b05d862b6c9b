"""Export trained Keras models to TF.js graph models and prove the browser agrees."""

from pathlib import Path

from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE


class ExportError(Exception):
    """The model cannot be exported; the message names the file and the problem."""


def require_trained(model_dir: Path) -> None:
    """Fail in one line, before TensorFlow loads, when a training folder is incomplete."""
    for name in (CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE):
        if not (model_dir / name).is_file():
            raise ExportError(f"{model_dir / name}: not found (train a model first: make train)")


def require_free(out: Path, force: bool) -> None:
    """Fail in one line, before TensorFlow loads, rather than replace an export unasked."""
    if out.exists() and not force:
        raise ExportError(f"{out}: an export is already there (pass --force to replace it)")
