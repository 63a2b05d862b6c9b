"""The held-out benchmark's levers by hand (the whole benchmark needs a real run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.held_out import affine, fit_temperature, margin, tempered, with_prior
from tests.helpers import ROOT, SHARED_DATA, run_cli

LABELS = ["0", "1", "7"]


def test_the_locale_prior_turns_a_close_7_into_a_1_and_leaves_a_sure_7():
    p = np.array([[0.1, 0.4, 0.5], [0.0, 0.1, 0.9]])
    weighted = with_prior(p, LABELS, 2.0)
    np.testing.assert_allclose(weighted.sum(axis=1), 1)
    assert weighted.argmax(1).tolist() == [1, 2]
    np.testing.assert_allclose(weighted[0], np.array([0.1, 0.8, 0.5]) / 1.4)


def test_temperature_one_changes_nothing_and_the_fit_finds_an_overconfident_model():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(tempered(p, 1.0), p)
    # Sure and wrong half the time: the fit softens it (T above 1).
    sure = np.array([[0.98, 0.01, 0.01]] * 10)
    y = np.array([0, 1] * 5)
    assert fit_temperature(sure, y) > 1
    assert margin(p).tolist() == pytest.approx([0.5, 0.7])


def test_affine_variants_turn_about_the_centre():
    image = np.zeros((1, 28, 28), np.uint8)
    image[0, 4:24, 13:15] = 255  # a vertical bar through the centre
    assert affine(image, 0, 1.0) is image
    flat = affine(image, 90, 1.0)[0]  # a quarter turn: a horizontal bar, same place, same ink
    assert flat[13:15, 6:22].min() > 200 and flat[:, 13:15].sum() < image[0].sum() / 4
    assert abs(flat.sum() - image.sum()) < 0.05 * image.sum()
    smaller = affine(image, 0, 0.5)[0]
    assert 0.2 < smaller.sum() / image.sum() < 0.3  # half as tall and half as wide


@pytest.mark.parametrize("args, message", [
    (["/nope"], "error: /nope: no such folder (give a training run's --out)"),
    (["--bogus", "/nope"], "error: No such option: --bogus"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = run_cli("benchmarks.held_out", *args, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in result.stderr and "╭" not in result.stderr


def test_a_run_whose_training_data_moved_is_one_line(trained_dir, tmp_path):
    """The validation writers are rebuilt from the run's training data: gone, it is named in one
    line. The held-out sets are where the benchmark looks, relative to its working folder."""
    moved = tmp_path / "run"
    shutil.copytree(trained_dir, moved)
    run = json.loads((moved / "run.json").read_text())
    run["settings"]["data"] = [str(tmp_path / "moved-away")]
    (moved / "run.json").write_text(json.dumps(run))
    work = tmp_path / "work"
    (work / "build" / "pendigits-writers").mkdir(parents=True)
    shutil.copy(SHARED_DATA / "pendigits" / "pendigits-orig.tra",
                work / "build" / "pendigits-writers" / "pendigits-orig.tes")
    (tmp_path / "shared").symlink_to(SHARED_DATA.parent)
    result = subprocess.run([sys.executable, "-m", "benchmarks.held_out", str(moved)],
                            cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "moved-away" in last, result.stderr
    assert "Traceback" not in result.stderr
