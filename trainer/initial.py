"""--init MODEL_DIR: a finished run's classifier as the start of a new run, e.g. the default
digits model fine-tuned on a person's own drawings. The run keeps the model's labels, in their
order, so its output layer and the page's labels stay as they were, and adds after them any the
data has that the model lacks (trainer/model.py with_more_labels); the model, its input and its
recipe must be the run's. Checked before TensorFlow loads."""

from __future__ import annotations

from pathlib import Path

from trainer.config import ConfigError, TrainConfig
from trainer.dataset import Dataset
from trainer.trained import EvaluationError, TrainedModel, read_trained


def read_initial(folder: str) -> TrainedModel:
    """The finished run `--init` names."""
    try:
        return read_trained(Path(folder))
    except EvaluationError as error:
        raise ConfigError(f"--init {error}") from None


def check_initial(model: TrainedModel, config: TrainConfig, dataset: Dataset) -> None:
    """The run would build the model `--init` gives, from the inputs it takes."""
    where = f"--init {model.folder}"
    if config.model != model.run["model"]:
        raise ConfigError(f"{where}: a {model.run['model']} model; give --model "
                          f"{model.run['model']}, not {config.model}")
    if (dataset.input, dataset.image_shape) != (model.run["input"], model.image_shape):
        raise ConfigError(f"{where}: the model takes {model.run['input']}s of shape "
                          f"{model.image_shape}, but {dataset.source} gives {dataset.input}s of "
                          f"shape {dataset.image_shape}")
    if dataset.recipe.to_json() != model.run["preprocessing"]:
        raise ConfigError(f"{where}: the model's inputs are made with "
                          f"{model.run['preprocessing']}, but those of {dataset.source} with "
                          f"{dataset.recipe.to_json()}")
