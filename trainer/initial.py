"""--init MODEL_DIR: a finished run's classifier as the start of a new run, e.g. the default
digits model fine-tuned on a person's own drawings. The run keeps the model's labels, in their
order, so its output layer and the page's labels stay as they were, and adds after them any the
data has that the model lacks (trainer/model.py with_more_labels); the model, its input and its
recipe must be the run's. Checked before TensorFlow loads."""

from __future__ import annotations

from pathlib import Path

from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from trainer.config import ConfigError, TrainConfig
from trainer.dataset import Dataset


def read_initial(folder: str) -> FinishedRun:
    """The finished run `--init` names."""
    try:
        return FinishedRun.read(Path(folder))
    except OneLineError as error:
        raise ConfigError(f"--init {error}") from None


def check_initial(start: FinishedRun, config: TrainConfig, dataset: Dataset) -> None:
    """The run would build the model `--init` gives, from the inputs it takes."""
    where = f"--init {start.folder}"
    if config.model != start.architecture:
        raise ConfigError(f"{where}: a {start.architecture} model; give --model "
                          f"{start.architecture}, not {config.model}")
    if (dataset.input, dataset.image_shape) != (start.input, start.image_shape):
        raise ConfigError(f"{where}: the model takes {start.input}s of shape "
                          f"{start.image_shape}, but {dataset.source} gives {dataset.input}s of "
                          f"shape {dataset.image_shape}")
    if dataset.recipe.to_json() != start.preprocessing:
        raise ConfigError(f"{where}: the model's inputs are made with "
                          f"{start.preprocessing}, but those of {dataset.source} with "
                          f"{dataset.recipe.to_json()}")
