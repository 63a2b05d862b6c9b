"""Shared fixtures: one tiny model trained for real, converted for real, served to Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from export.browser import chromium, serve, site_with_model
from tests.helpers import (
    JAPANESE_KANA,
    KANJI_A,
    NPM_SAMPLE,
    SHARED_DATA,
    A,
    bitmap,
    run_export,
    run_trainer,
    write_etl,
)

# Tests that use these fixtures drive Chromium, or need a model trained for real.
BROWSER_FIXTURES = {"browser", "page", "site_url", "japanese_url"}
TRAINED_FIXTURES = {"trained_dir", "exported_dir", "etl_model", "backbone_weights",
                    "japanese_dir", "japanese_export"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what `make check` leaves to `make test`: browser tests and trained models."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & TRAINED_FIXTURES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory) -> Path:
    """A folder every pytest-xdist worker of this run sees (this process's own without xdist)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return tmp_path_factory.mktemp("shared")
    return tmp_path_factory.getbasetemp().parent


def made_once(shared_tmp: Path, name: str, out: Path, make: Callable[[Path], None]) -> Path:
    """`out`, made by `make` in whichever worker asks first; the others wait for it and reuse it.
    The tests only read these folders (or copy them), so the workers can share them."""
    done = shared_tmp / f"{name}.done"
    with FileLock(shared_tmp / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(out, ignore_errors=True)  # a worker failed making it
            out.parent.mkdir(parents=True, exist_ok=True)
            make(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def trained_dir(shared_tmp) -> Path:
    return made_once(shared_tmp, "trained", shared_tmp / "models" / "tiny", lambda out: run_trainer(
        "train", "--data", NPM_SAMPLE, "--out", out, "--epochs", "3"))


@pytest.fixture(scope="session")
def exported_dir(trained_dir, shared_tmp) -> Path:
    def export(out: Path) -> None:
        print(run_export("convert", trained_dir, "--out", out).stderr)

    return made_once(shared_tmp, "exported", shared_tmp / "web" / "model", export)


@pytest.fixture(scope="session")
def etl_model(shared_tmp) -> Path:
    """MobileNetV3Small at 64x64 trained on an ETL9B file of three characters: a square, a tall
    bar and a wide bar, each drawn a little differently every time."""
    def train(out: Path) -> None:
        rng = np.random.default_rng(0)
        shapes = {A: (20, 44, 12, 52), KANJI_A: (8, 56, 28, 36), 0x2424: (28, 36, 8, 56)}
        samples = []
        for _ in range(40):
            for code, (top, bottom, left, right) in shapes.items():
                jitter = rng.integers(-3, 4, 2)
                samples.append((code, bitmap(top + jitter[0], left + jitter[1],
                                             bottom + jitter[0], right + jitter[1])))
        data = out.parent / "etl"
        data.mkdir(exist_ok=True)  # left by a worker that failed making it
        write_etl(data / "ETL9B_1", samples)
        run_trainer("train", "--data", data, "--out", out, "--model", "mobilenetv3small",
                    "--alpha", "0.5", "--epochs", "2", "--batch-size", "16")

    return made_once(shared_tmp, "etl", shared_tmp / "etl" / "model", train)


@pytest.fixture(scope="session")
def japanese_dir(shared_tmp) -> Path:
    """A tiny Japanese model: the kana above from KanjiVG, four synthetic drawings each, one epoch.
    Its output bias is zeroed, as an untrained model's: the converter drops a bias of zeros, which
    the page then reads from the graph (tests/test_japanese.py)."""
    def train(out: Path) -> None:
        import keras

        from runfolder.layout import CLASSIFIER_MODEL, PROBABILITIES

        data = out.parent / "kanjivg"
        data.mkdir(exist_ok=True)  # left by a worker that failed making it
        for char in JAPANESE_KANA:
            shutil.copy(SHARED_DATA / "kanjivg" / "kanji" / f"{ord(char):05x}.svg", data)
        run_trainer("train", "--config", Path("configs/japanese.toml"), "--data", data,
                    "--out", out, "--synthetic", "4", "--epochs", "1", "--batch-size", "32")
        classifier = keras.models.load_model(out / CLASSIFIER_MODEL)
        output = classifier.get_layer(PROBABILITIES)
        output.bias.assign(np.zeros(output.bias.shape))
        classifier.save(out / CLASSIFIER_MODEL)

    return made_once(shared_tmp, "japanese", shared_tmp / "japanese" / "model", train)


@pytest.fixture(scope="session")
def japanese_export(japanese_dir, shared_tmp) -> Path:
    return made_once(shared_tmp, "japanese-export", shared_tmp / "japanese" / "web",
                     lambda out: run_export("convert", japanese_dir, "--out", out,
                                            "--backends", "wasm", "--images", "8"))


@pytest.fixture(scope="session")
def japanese_url(japanese_export) -> str:
    with site_with_model(japanese_export) as site, serve(site) as base:
        yield base


@pytest.fixture(scope="session")
def backbone_weights(tmp_path_factory) -> Path:
    """A MobileNetV3Small backbone's weights file, as one downloaded for offline use would be."""
    from trainer.model import mobilenet_backbone

    path = tmp_path_factory.mktemp("weights") / "backbone.weights.h5"
    backbone = mobilenet_backbone(32, 0.75, "none")
    rng = np.random.default_rng(0)
    backbone.set_weights([w + rng.normal(0, 0.01, w.shape).astype(w.dtype)
                          for w in backbone.get_weights()])
    backbone.save_weights(path)
    return path


@pytest.fixture(scope="session")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def site_url(exported_dir) -> str:
    with site_with_model(exported_dir) as site, serve(site) as base:
        yield base


@pytest.fixture
def page(browser, site_url):
    page = browser.new_page(service_workers="block")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(site_url)
    page.evaluate("window.app.ready")
    yield page
    page.close()
    assert not errors, errors
