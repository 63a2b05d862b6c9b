"""make train's recipe for the page's digits model: configs/digits.toml as the trainer reads it,
and the commands `make -n` prints (nothing is trained)."""

import shlex
import subprocess
from dataclasses import asdict

import pytest

from tests.helpers import ROOT, SHARED_DATA
from trainer.config import ConfigError, read_config, resolve, resumed

DIGITS_RECIPE = ROOT / "configs" / "digits.toml"


def make_train(*variables: str) -> tuple[list[str], str]:
    """The trainer's arguments that `make train VARIABLES` would run, and everything it prints
    (-B: as on a machine where nothing is made yet)."""
    result = subprocess.run(["make", "-n", "-B", "train", *variables], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    command = result.stdout.replace("\\\n", " ")
    line = next(line for line in command.splitlines() if "-m trainer train" in line)
    return shlex.split(line.split("-m trainer train", 1)[1]), command


def data_of(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--data"]


def test_digits_learn_from_mnist_pen_writers_1_to_20_three_times_and_unipen_for_30_epochs():
    recipe = resolve(read_config(DIGITS_RECIPE), {})
    assert recipe.data == ["../shared/data/mnist", "build/pendigits-writers",
                           "../shared/data/unipen"]
    assert recipe.data_weight == [1, 3, 1]
    assert (recipe.epochs, recipe.label_smoothing, recipe.out) == (30, 0.1, "models/mnist")
    # make train splits the pen writers where the recipe reads them, then trains the recipe.
    args, printed = make_train(f"SHARED={SHARED_DATA}")
    assert args == ["--out", "models/mnist", "--config", "configs/digits.toml"]
    split = (f"-m trainer split-writers {SHARED_DATA}/pendigits/pendigits-orig.tra "
             f"--out build/pendigits-writers")
    assert split in printed


def test_other_data_takes_the_recipes_settings_and_its_weights_go_with_its_data():
    recipe = read_config(DIGITS_RECIPE)
    mine = resolve(recipe, {"data": ["my-digits"]})
    assert (mine.data, mine.data_weight, mine.epochs) == (["my-digits"], [], 30)
    weighed = resolve(recipe, {"data": ["a", "b"], "data_weight": [2, 1]})
    assert weighed.data_weight == [2, 1]
    with pytest.raises(ConfigError, match="--data-weight: 3 weights for 1 --data sources"):
        resolve({**recipe, "data": ["a"]}, {})
    with pytest.raises(ConfigError, match="--data-weight must be at least 1, got 0"):
        resolve({}, {"data": ["a"], "data_weight": [0]})
    # Resuming with its --data given again as it was keeps the interrupted run's weights.
    saved = asdict(resolve(recipe, {}))
    assert resumed(saved, {"data": saved["data"], "epochs": 40}).data_weight == [1, 3, 1]


def test_without_the_recipes_data_it_says_it_trains_mnist_alone(tmp_path):
    args, printed = make_train(f"SHARED={tmp_path}")
    # the trainer's default MNIST: the Keras cache, else a download, else the offline sample
    assert data_of(args) == ["mnist"] and "--config" in args
    assert "make train: mnist alone, without real pen digits" in printed
    assert "split-writers" not in printed


def test_fine_tuning_learns_from_the_drawings_alone():
    args, printed = make_train(f"SHARED={SHARED_DATA}", "DATA=my-drawings.ndjson",
                               "INIT=models/mnist")
    assert data_of(args) == ["my-drawings.ndjson"]
    assert args[args.index("--init") + 1] == "models/mnist"
    fine_tune = args[args.index("--config") + 1]
    assert fine_tune == "configs/fine-tune.toml" and "--epochs" not in args
    assert asdict(resolve(read_config(ROOT / fine_tune), {})) == asdict(resolve(
        {}, {"label_smoothing": read_config(DIGITS_RECIPE)["label_smoothing"]}))
    assert "split-writers" not in printed and "without real pen digits" not in printed
