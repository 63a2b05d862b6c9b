"""Commands that load TensorFlow print only their own lines, unless the user sets
TF_CPP_MIN_LOG_LEVEL: then TensorFlow's C++ log lines come through as TensorFlow prints them."""

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from runfolder.layout import CLASSIFIER_MODEL
from tests.helpers import NPM_SAMPLE, ROOT

TF_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] ", re.M)


def python_m(*args: str | Path, log_level: str | None = None) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    if log_level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = log_level
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def unloadable_model(trained_dir: Path, folder: Path) -> Path:
    """A training folder whose classifier.keras is a zip but no Keras model: only Keras, after
    TensorFlow has loaded, finds out."""
    shutil.copytree(trained_dir, folder)
    with zipfile.ZipFile(folder / CLASSIFIER_MODEL, "w") as archive:
        archive.writestr("notes.txt", "not a model")
    return folder


def test_export_failing_after_tensorflow_loads_prints_its_error_alone(trained_dir, tmp_path):
    model = unloadable_model(trained_dir, tmp_path / "tiny")
    result = python_m("export", "convert", model, "--out", tmp_path / "web")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {model / CLASSIFIER_MODEL}: not a Keras model it "
                                    "can load")
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_trainer_failing_after_tensorflow_loads_prints_its_error_alone(tmp_path):
    # A misspelt layer is found only once TensorFlow has built the backbone.
    result = python_m("trainer", "train", "--data", NPM_SAMPLE, "--out", tmp_path / "model",
                      "--model", "mobilenetv3small", "--freeze-until", "conv_99")
    assert result.returncode == 2
    *progress, line = result.stderr.splitlines()
    assert line.startswith("error: --freeze-until conv_99: no such layer in MobileNetV3Small")
    assert all(text.startswith(("data: ", "class counts ")) for text in progress), progress
    assert list(tmp_path.iterdir()) == []


def test_a_log_level_the_user_set_is_kept(trained_dir, tmp_path):
    model = unloadable_model(trained_dir, tmp_path / "tiny")
    result = python_m("export", "convert", model, "--out", tmp_path / "web", log_level="0")
    assert result.returncode == 2
    assert TF_LOG_LINE.search(result.stderr), result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"error: {model / CLASSIFIER_MODEL}: ")
