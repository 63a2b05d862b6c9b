"""classifier.keras loaded as the export, the evaluation and --init use it: a Keras model that
takes the input its run describes and gives one output per label, or one line saying why not."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from runfolder.errors import OneLineError
from runfolder.layout import RUN_FILE
from runfolder.record import first_line

if TYPE_CHECKING:
    import keras

    from runfolder.finished import FinishedRun


class ClassifierError(OneLineError):
    """classifier.keras cannot be used; the message names the file and the problem."""


def load_classifier(run: FinishedRun) -> keras.Model:
    """The run's classifier, checked against its (schema-checked) run record."""
    import keras

    model_file = run.classifier_file
    require_whole_archive(model_file)
    try:
        classifier = keras.models.load_model(model_file, compile=False)
    except Exception as error:  # noqa: BLE001 - Keras raises anything on a damaged archive
        raise ClassifierError(f"{model_file}: not a Keras model it can load, damaged or of "
                              f"another kind ({first_line(error)})") from None
    side, channels, labels = run.input_size, run.channels, len(run.labels)
    takes = tuple(classifier.input_shape[1:]) if _single(classifier.input_shape) else None
    gives = tuple(classifier.output_shape[1:]) if _single(classifier.output_shape) else None
    if takes not in run.input_shapes or gives != (labels,):
        raise ClassifierError(f"{model_file}: takes inputs {takes} and gives outputs {gives}, "
                              f"but {run.folder / RUN_FILE} describes ({side}, {side}, {channels}) "
                              f"inputs and {labels} labels")
    return classifier


def require_whole_archive(model_file: Path) -> None:
    """A .keras file is a zip archive; Keras calls one cut short "File not found"."""
    try:
        with zipfile.ZipFile(model_file) as archive:
            damaged = archive.testzip()
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ClassifierError(f"{model_file}: not a Keras model (not a whole zip archive: "
                              f"{first_line(error)})") from None
    if damaged is not None:
        raise ClassifierError(f"{model_file}: a damaged Keras model ({damaged} in it is corrupt)")


def _single(shape: object) -> bool:
    """One tensor's shape (a tuple of sizes), not a list of several."""
    return isinstance(shape, tuple) and all(size is None or isinstance(size, int) for size in shape)
