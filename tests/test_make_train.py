"""make train's recipe for the page's digits model, read from `make -n` (nothing is trained)."""

import shlex
import subprocess

import pytest

from tests.helpers import ROOT, SHARED_DATA


def make_train(*variables: str) -> tuple[list[str], str]:
    """The trainer's arguments that `make train VARIABLES` would run, and everything it prints."""
    result = subprocess.run(["make", "-n", "train", *variables], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    command = result.stdout.replace("\\\n", " ")
    line = next(line for line in command.splitlines() if "-m trainer train" in line)
    return shlex.split(line.split("-m trainer train", 1)[1]), command


def data_of(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--data"]


@pytest.fixture
def writers(tmp_path):
    """A folder for the split that make would write (nothing writes it: make -n)."""
    return tmp_path / "writers"


def test_digits_learn_from_mnist_pen_writers_1_to_20_three_times_and_unipen_for_30_epochs(
    writers,
):
    args, printed = make_train(f"SHARED={SHARED_DATA}", f"PEN_WRITERS={writers}")
    assert data_of(args) == [f"{SHARED_DATA}/mnist", *[str(writers)] * 3, f"{SHARED_DATA}/unipen"]
    assert args[args.index("--label-smoothing") + 1] == "0.1"
    assert args[args.index("--epochs") + 1] == "30"
    split = f"benchmarks.split_writers {SHARED_DATA}/pendigits/pendigits-orig.tra --out {writers}"
    assert split in printed


def test_without_pen_digits_it_says_it_trains_on_data_alone(tmp_path, writers):
    args, printed = make_train(f"SHARED={tmp_path}", f"PEN_WRITERS={writers}")
    assert data_of(args) == []  # the trainer's own default: MNIST from the cache or a download
    assert "make train: MNIST alone, without real pen digits" in printed
    args, printed = make_train(f"SHARED={SHARED_DATA}", "PEN=")
    assert data_of(args) == [f"{SHARED_DATA}/mnist"]
    assert "without real pen digits" in printed


def test_fine_tuning_learns_from_the_drawings_alone(writers):
    args, printed = make_train(f"SHARED={SHARED_DATA}", f"PEN_WRITERS={writers}",
                               "DATA=my-drawings.ndjson", "INIT=models/mnist")
    assert data_of(args) == ["my-drawings.ndjson"]
    assert args[args.index("--init") + 1] == "models/mnist"
    assert "--epochs" not in args  # the trainer's own fine-tuning length
    assert "split_writers" not in printed and "without real pen digits" not in printed
