"""Bad and hostile inputs to the trainer and the export, table by table: each is exit status 2,
one line naming the file or flag, no traceback, and nothing changed on disk. Most fail before
TensorFlow loads, so they run in milliseconds; then the failures only a training run can meet."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np
import pytest

from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE, TEST_SAMPLE
from tests.helpers import (
    L_SHAPE,
    NPM_SAMPLE,
    ROOT,
    StopAt,
    quickdraw,
    with_callback,
    write_kanjivg,
)


def invoke(*args: str | Path) -> int | str | None:
    """`python -m trainer ARGS` through its real entry point, in this process: the exit code."""
    from trainer.cli import main

    argv = sys.argv
    sys.argv = ["trainer", *map(str, args)]
    try:
        main()
    except SystemExit as stop:
        return stop.code
    finally:
        sys.argv = argv
    raise AssertionError("main() returned without exiting")


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its content's hash: what "nothing changed" compares."""
    return {
        str(path.relative_to(folder)): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file()
            else path.lstat().st_mode
        )
        for path in sorted(folder.rglob("*"))
    }


def write_npz(path: Path, **arrays) -> Path:
    np.savez(path, **arrays)
    return path


def digits(count: int, labels: list[int] | None = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.array(labels if labels is not None else np.arange(count) % 10)
    return {"x": rng.integers(0, 256, (len(y), 28, 28), dtype=np.uint8), "y": y}


def finished_run(folder: Path) -> Path:
    folder.mkdir()
    (folder / "run.json").write_text("{}")
    (folder / "best.keras").write_bytes(b"model")
    return folder


def interrupted_run(tmp: Path, name: str = "m", epoch: int = 3, **settings) -> Path:
    """A staging folder as an interrupted run leaves it: a whole checkpoint and its progress."""
    from trainer.config import TrainConfig

    staging = tmp / f".{name}.partial"
    staging.mkdir()
    with zipfile.ZipFile(staging / "last.keras", "w") as archive:
        archive.writestr("config.json", "{}")
    config = TrainConfig(out=str(tmp / name), data=[str(NPM_SAMPLE)], **settings)
    from dataclasses import asdict

    progress = {
        "settings": asdict(config),
        "epoch": epoch,
        "phase": "all",
        "train_seconds": 1.0,
        "history": {"val_accuracy": [0.5] * epoch},
    }
    (staging / "progress.json").write_text(json.dumps(progress))
    return tmp / name


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


HELD_LOCKS = []


def locked_out(tmp: Path) -> Path:
    """`tmp/m`, locked as a running training locks it."""
    from filelock import FileLock

    lock = FileLock(tmp / ".m.lock", timeout=0)
    lock.acquire()
    HELD_LOCKS.append(lock)  # held until the test session ends
    (tmp / ".m.lock").write_text("pid 4242, started 2026-01-01T00:00:00: python -m trainer train")
    return tmp / "m"


# (name, prepare the folder and return the arguments, what the one line must say)
Case = tuple[str, Callable[[Path], list], str]
SETTINGS: list[Case] = [
    ("epochs 0", lambda t: ["--epochs", "0"], "--epochs must be at least 1, got 0"),
    ("epochs not a number", lambda t: ["--epochs", "abc"], "'--epochs'"),
    ("batch size 0", lambda t: ["--batch-size", "0"], "--batch-size must be at least 1"),
    ("limit 0", lambda t: ["--limit", "0"], "--limit must be at least 1"),
    ("learning rate nan", lambda t: ["--learning-rate", "nan"], "--learning-rate must be a finite"),
    ("learning rate inf", lambda t: ["--learning-rate", "inf"], "--learning-rate must be a finite"),
    (
        "learning rate 0",
        lambda t: ["--learning-rate", "0"],
        "--learning-rate must be greater than 0",
    ),
    ("mixup negative", lambda t: ["--mixup", "-0.2"], "--mixup must be at least 0"),
    (
        "validation 0",
        lambda t: ["--validation-fraction", "0"],
        "--validation-fraction must be greater",
    ),
    (
        "validation 1",
        lambda t: ["--validation-fraction", "1"],
        "--validation-fraction must be less than 1",
    ),
    ("seed negative", lambda t: ["--seed", "-1"], "--seed must be at least 0"),
    ("seed too large", lambda t: ["--seed", str(2**32)], "--seed must be at most"),
    ("alpha 0", lambda t: ["--alpha", "0"], "--alpha must be greater than 0"),
    ("zoom 1", lambda t: ["--zoom", "1"], "--zoom must be less than 1"),
    ("unknown choice", lambda t: ["--optimizer", "adagrad"], "--optimizer must be one of adam"),
    ("unknown flag", lambda t: ["--epoch", "3"], "--epoch"),
    (
        "freeze without mobilenet",
        lambda t: ["--freeze-until", "conv_1"],
        "--freeze-until needs --model mobilenetv3small",
    ),
    (
        "features without mobilenet",
        lambda t: ["--features", "64"],
        "--features needs --model mobilenetv3small",
    ),
    (
        "weights without mobilenet",
        lambda t: ["--weights", "imagenet"],
        "--weights needs --model mobilenetv3small",
    ),
    (
        "head epochs fill the run",
        lambda t: ["--model", "mobilenetv3small", "--head-epochs", "3", "--epochs", "3"],
        "--head-epochs 3 leaves no epoch",
    ),
    (
        "image too small for the cnn",
        lambda t: [
            "--data",
            write_npz(t / "tiny.npz", x=np.zeros((40, 8, 8), np.uint8), y=np.arange(40) % 2),
        ],
        "8x8 images are too small for --model cnn",
    ),
]
CONFIG_FILES: list[Case] = [
    (
        "config out of bounds",
        lambda t: ["--config", _text(t / "c.toml", "epochs = 0\n")],
        "c.toml: --epochs must be at least 1",
    ),
    (
        "config unknown key",
        lambda t: ["--config", _text(t / "c.toml", "epoch = 3\n")],
        "c.toml: unknown setting --epoch",
    ),
    ("config is a folder", lambda t: ["--config", t], "not a regular file"),
    ("config is a pipe", lambda t: ["--config", fifo(t / "c.toml")], "not a regular file"),
]
OUTPUTS: list[Case] = [
    ("out names no folder", lambda t: ["--out", ""], "name a folder for the run"),
    ("out is a file", lambda t: ["--out", _text(t / "m", "x")], "--out"),
    (
        "out holds a finished run",
        lambda t: ["--out", finished_run(t / "m")],
        "holds a finished run (pass --force",
    ),
    (
        "out is another folder",
        lambda t: ["--out", _text(t / "site" / "index.html", "x").parent, "--force"],
        "a folder that is not a training run",
    ),
    ("force and resume", lambda t: ["--out", t / "m", "--force", "--resume"], "choose one"),
    ("nothing to resume", lambda t: ["--out", t / "m", "--resume"], "no interrupted run to resume"),
    (
        "an interrupted run waits",
        lambda t: ["--out", interrupted_run(t)],
        "an interrupted run is waiting",
    ),
    (
        "resume changes the model",
        lambda t: ["--out", interrupted_run(t), "--resume", "--model", "mobilenetv3small"],
        "--model: cannot change",
    ),
    (
        "resume changes the data",
        lambda t: ["--out", interrupted_run(t), "--resume", "--data", t],
        "--data: cannot change",
    ),
    (
        "resume with fewer epochs",
        lambda t: ["--out", interrupted_run(t), "--resume", "--epochs", "2"],
        "--epochs 2: the interrupted run has already",
    ),
    (
        "resume with a config",
        lambda t: ["--out", interrupted_run(t), "--resume", "--config", _text(t / "c.toml", "")],
        "--config: a resumed run",
    ),
    (
        "another training holds the lock",
        lambda t: ["--out", locked_out(t)],
        "another training is writing there (pid 4242",
    ),
    ("out inside a finished run", lambda t: ["--out", finished_run(t / "m") / "sub"],
     "inside the training run"),
    ("out is a loop of symbolic links", lambda t: ["--out", _loop(t)],
     "Too many levels of symbolic links"),
    (
        "another training holds the lock, reached through a symbolic link",
        lambda t: ["--out", _link(t / "link", locked_out(t))],
        "another training is writing there (pid 4242",
    ),
]
def _labelled(folder: Path, label: str) -> Path:
    """Drawings of "4" and of `label`, as the page downloads them."""
    return _text(folder / "d.ndjson", quickdraw([(label, L_SHAPE), ("4", L_SHAPE)] * 5))


DATA: list[Case] = [
    ("a label of 101 characters", lambda t: ["--data", _labelled(t, "x" * 101)],
     "seed 0): the label 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... is 101 characters "
     "long (at most 100)"),
    ("a label of 10^6 characters", lambda t: ["--data", _labelled(t, "x" * 10**6)],
     "is 1,000,000 characters long (at most 100)"),
    ("a label with a control character", lambda t: ["--data", _labelled(t, "a\x07b")],
     "the label 'a\\x07b' holds a control character"),
    ("an empty label", lambda t: ["--data", write_npz(t / "d.npz", **digits(20, [0, 1] * 10),
                                                     labels=np.array(["", "a"]))],
     "d.npz (no test split: 10% held out by seed 0): an empty label"),
    (
        "ndjson with ragged strokes",
        lambda t: ["--data", _text(t / "my-drawings.ndjson",
                                   '{"word": "3", "drawing": [[[1, 2], [3]]]}\n')],
        "my-drawings.ndjson: line 1: stroke 1: x, y (and time) lists of different lengths (2, 1)",
    ),
    (
        "kanjivg: an unknown path command",
        lambda t: ["--data", write_kanjivg(t, "04e00.svg", "M1,1 L2,2", "M1,1 X2,2")],
        "04e00.svg: stroke 2: unknown path command 'X'",
    ),
    (
        "kanjivg: a broken path",
        lambda t: ["--data", write_kanjivg(t, "04e00.svg", "M1,1 C2,2 3")],
        "04e00.svg: stroke 1: not an SVG path",
    ),
    (
        "kanjivg: a PNG named .svg",
        lambda t: ["--data", _bytes(t / "04e00.svg", b"\x89PNG\r\n\x1a\n")],
        "04e00.svg: not a KanjiVG SVG file (a PNG image)",
    ),
    (
        "tomoe: a stroke missing",
        lambda t: ["--data", _text(t / "t.tdic", "あ\n:2\n2 (1 2) (3 4)\n\n")],
        "t.tdic: line 4: 1 stroke(s) of 'あ' missing",
    ),
    (
        "tomoe: gzip-compressed",
        lambda t: ["--data", _bytes(t / "t.tdic", gzip.compress("あ\n".encode()))],
        "t.tdic: not a tomoe .tdic file (gzip-compressed",
    ),
    ("no such data", lambda t: ["--data", t / "nothing"], "no such file or folder"),
    ("data is a pipe", lambda t: ["--data", fifo(t / "pipe")], "not a regular file or folder"),
    ("idx file is a pipe", lambda t: ["--data", _idx_with_a_pipe(t)], "not a regular file"),
    (
        "a stray label",
        lambda t: ["--data", write_npz(t / "d.npz", **digits(0, [*range(10)] * 20 + [255]))],
        "labels run up to 255 but only 11 values are used",
    ),
    (
        "a huge label",
        lambda t: ["--data", write_npz(t / "d.npz", **digits(0, [*range(10)] * 20 + [10**12]))],
        "labels run up to 1000000000000",
    ),
    (
        "a single class",
        lambda t: ["--data", write_npz(t / "d.npz", **digits(0, [0] * 50))],
        "only one class",
    ),
    (
        "an empty class",
        lambda t: [
            "--data",
            write_npz(t / "d.npz", **digits(40), labels=np.array([str(k) for k in range(11)])),
        ],
        "1 of 11 classes have no training images (10)",
    ),
    (
        "too few images for a test split",
        lambda t: ["--data", write_npz(t / "d.npz", **digits(4))],
        "no test images",
    ),
    # issue 35: readers of untrusted files bound what they accept and say what a file is
    ("ndjson with an infinite coordinate", lambda t: ["--data", _ndjson(t, "[[1e400, 2], [3, 4]]")],
     "line 1: stroke 1: coordinates that are not lists of numbers"),
    ("ndjson with a huge coordinate", lambda t: ["--data", _ndjson(t, f"[[{10**400}, 2], [3, 4]]")],
     "line 1: stroke 1: a coordinate beyond ±1,000,000"),
    ("ndjson with a 5000-digit number", lambda t: ["--data", _ndjson(t, f"[[{'9' * 5000}], [3]]")],
     "line 1: not a drawing (a number thousands of digits long"),
    ("ndjson nested 100000 deep", lambda t: ["--data", _ndjson(t, "[" * 100_000 + "]" * 100_000)],
     "line 1: not a drawing (a number thousands of digits long, or lists nested"),
    ("ndjson with a million points", lambda t: ["--data", _ndjson(
        t, f"[{[0] * 10**6}, {[0] * 10**6}]")], "has 1,000,000 points (more than 100,000"),
    ("gzip'd ndjson", lambda t: ["--data", _gzipped(t / "d.ndjson.gz")],
     "d.ndjson.gz: not a readable .npz file (gzip-compressed (decompress it first: gunzip))"),
    ("gzip'd ndjson named .ndjson", lambda t: ["--data", _gzipped(t / "d.ndjson")],
     "d.ndjson: not ndjson (gzip-compressed"),
    ("ndjson of bytes that are not UTF-8",
     lambda t: ["--data", _bytes(t / "d.ndjson", b"\x80\x81\n")],
     "d.ndjson: not ndjson (bytes that are not UTF-8)"),
    ("tomoe of bytes that are not UTF-8",
     lambda t: ["--data", _bytes(t / "t.tdic", b"\x80\x81\n")],
     "t.tdic: not a tomoe .tdic file (bytes that are not UTF-8)"),
    ("kanjivg: plain text named .svg", lambda t: ["--data", _text(t / "04e00.svg", "hello\n")],
     "04e00.svg: not a KanjiVG SVG file (syntax error)"),
    ("a UNIPEN file with a huge coordinate",
     lambda t: ["--data", _text(t / "pen.tra", _pen_file(f"{'9' * 400} 5"))],
     "pen.tra: line 5: a coordinate beyond ±1,000,000"),
    ("a UNIPEN file in UTF-16",
     lambda t: ["--data", _bytes(t / "UJIpenchars-w01", _pen_file("1 5").encode("utf-16"))],
     "UJIpenchars-w01: not a readable .npz file (UTF-16 text (save it as UTF-8))"),
    ("an .npz claiming a terabyte array", lambda t: ["--data", _npz_claiming(t / "d.npz")],
     "d.npz: array x of shape (1000000000, 28, 28) would take 730 GiB"),
    ("KMNIST images a single .npy array", lambda t: ["--data", _kmnist_of_npy(t)],
     "kmnist-test-imgs.npz: not a readable .npz file (a single .npy array"),
    ("a single .npy array", lambda t: ["--data", _npy(t / "d.npz")],
     "d.npz: not a readable .npz file (a single .npy array, not an .npz of named arrays)"),
    (
        "too few images to validate",
        lambda t: ["--data", write_npz(t / "d.npz", **digits(40)), "--limit", "1"],
        "too few to hold out a validation share",
    ),
]


INIT: list[Case] = [
    ("--init no such folder", lambda t: ["--init", t / "nothing"],
     "nothing: no such folder (give a training run's --out)"),
    ("--init not a run", lambda t: ["--init", finished_run(t / "base")],
     "base/run.json: no model"),
    ("--init model of another input size", lambda t: ["--init", initial_run(t, size=32)],
     "the model takes drawings of shape (32, 32), but"),
    ("--init model of another recipe", lambda t: ["--init", initial_run(t, pen=0.06)],
     "the model's inputs are made with"),
    ("--init model of another architecture",
     lambda t: ["--init", initial_run(t), "--model", "mobilenetv3small"],
     "a cnn model; give --model cnn, not mobilenetv3small"),
]


def initial_run(tmp: Path, size: int = 28, pen: float = 0.12) -> Path:
    """A finished digits run as --init reads it before TensorFlow loads: run.json, and a
    classifier.keras that is never opened."""
    from trainer.dataset import drawing_recipe

    folder = tmp / "base"
    folder.mkdir()
    recipe = replace(drawing_recipe(size), pen=pen)
    run = {"model": "cnn", "labels": [str(d) for d in range(10)], "input": "drawing",
           "input_size": size, "channels": 1, "preprocessing": recipe.to_json(),
           "settings": {}, "metrics": {"test_accuracy": 0.9}}
    (folder / RUN_FILE).write_text(json.dumps(run))
    (folder / CLASSIFIER_MODEL).write_bytes(b"model")
    return folder


def _text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _ndjson(folder: Path, stroke: str) -> Path:
    return _text(folder / "d.ndjson", f'{{"word": "3", "drawing": [{stroke}]}}\n')


def _gzipped(path: Path) -> Path:
    import gzip

    return _bytes(path, gzip.compress(quickdraw([("3", L_SHAPE), ("4", L_SHAPE)] * 5).encode()))


def _pen_file(point: str) -> str:
    return f'.COMMENT x\n.SEGMENT DIGIT 0 ? "7"\n.PEN_DOWN\n 1 2\n {point}\n.PEN_UP\n'


def _npy(path: Path) -> Path:
    with path.open("wb") as file:
        np.save(file, np.zeros((3, 28, 28), np.uint8))
    return path


def _npz_claiming(path: Path) -> Path:
    """An .npz of a few bytes whose x promises 10^9 28x28 images."""
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": (10**9, 28, 28)})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", header.getvalue())
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(1, np.int64))
        archive.writestr("y.npy", buffer.getvalue())
    return path


def _kmnist_of_npy(folder: Path) -> Path:
    kmnist = folder / "kmnist"
    _text(kmnist / "kmnist_classmap.csv", "index,codepoint,char\n0,U+304A,お\n1,U+304D,き\n")
    _npy(kmnist / "kmnist-test-imgs.npz")
    return kmnist


def _loop(folder: Path) -> Path:
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")
    return folder / "a"


def _link(link: Path, target: Path) -> Path:
    target.mkdir()
    link.symlink_to(target)
    return link


def _idx_with_a_pipe(folder: Path) -> Path:
    """An MNIST folder whose training images are a named pipe: reading would wait forever."""
    from tests.helpers import write_mnist_idx

    data = folder / "mnist"
    x = np.zeros((20, 28, 28), np.uint8)
    write_mnist_idx(data, x, np.arange(20) % 10, x, np.arange(20) % 10)
    (images,) = data.glob("train-images*")
    images.unlink()
    fifo(images)
    return data


@pytest.mark.parametrize(
    "name, prepare, message",
    SETTINGS + CONFIG_FILES + OUTPUTS + DATA + INIT,
    ids=[case[0] for case in SETTINGS + CONFIG_FILES + OUTPUTS + DATA + INIT],
)
def test_bad_training_input_is_one_line_and_changes_nothing(
    tmp_path, capsys, name, prepare, message
):
    args = [str(arg) for arg in prepare(tmp_path)]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "m")]
    if "--data" not in args and "--resume" not in args:
        args += ["--data", str(NPM_SAMPLE)]
    before = snapshot(tmp_path)
    code = invoke("train", *args)
    stderr = capsys.readouterr().err
    lines = [line for line in stderr.splitlines() if not line.startswith("mnist:")]
    assert code == 2, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert message in lines[0], stderr
    assert snapshot(tmp_path) == before


def test_bad_settings_fail_before_tensorflow_loads(tmp_path):
    probe = (
        "import sys\n"
        "from trainer.cli import main\n"
        f"sys.argv = ['trainer', 'train', '--data', {str(NPM_SAMPLE)!r}, '--epochs', '0',"
        f" '--out', {str(tmp_path / 'm')!r}]\n"
        "try:\n    main()\n"
        "except SystemExit as stop:\n    print(stop.code, 'tensorflow' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["2", "False"], result.stderr
    assert result.stderr.strip().splitlines() == ["error: --epochs must be at least 1, got 0"]


# Failures while training: a full disk, a diverging loss, Ctrl-C, damaged checkpoints.






def tiny(out: Path, *args: str | Path, code: int = 0):
    from tests.helpers import run_trainer

    return run_trainer("train", "--data", NPM_SAMPLE, "--out", out, "--limit", "300",
                       "--batch-size", "50", *args, code=code)


@pytest.mark.slow
def test_ctrl_c_in_the_first_epoch_keeps_nothing_and_offers_no_resume(tmp_path, monkeypatch):
    with_callback(monkeypatch, StopAt(epoch=0, batch=2))
    result = tiny(tmp_path / "m", "--epochs", "2", code=130)
    last = result.stderr.strip().splitlines()[-1]
    assert "no epoch was complete" in last and "--resume" not in last
    assert list(tmp_path.iterdir()) == []


class SwallowedCtrlC(keras.callbacks.Callback):
    """A real Ctrl-C (SIGINT) in epoch 1 (from 0), landing in code that swallows the
    KeyboardInterrupt, as Keras' pythonify_logs does with its bare `except:`."""

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == (1, 1):
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1)  # the handler raises in here
            except:  # noqa: E722 - what the callback stands for
                pass


@pytest.fixture
def terminal_ctrl_c():
    """SIGINT as a terminal's Python has it (the trainer leaves a Ctrl-C that something else in
    the process handles to it, and a test worker's earlier tests may have left one)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.slow
def test_ctrl_c_swallowed_by_keras_still_stops_the_run_within_a_batch(tmp_path, monkeypatch,
                                                                      terminal_ctrl_c):
    with_callback(monkeypatch, SwallowedCtrlC())
    result = tiny(tmp_path / "m", "--epochs", "4", code=130)
    assert "--resume" in result.stderr.strip().splitlines()[-1]
    progress = json.loads((tmp_path / ".m.partial" / "progress.json").read_text())
    assert progress["epoch"] == 1  # epoch 0 complete, epoch 1 stopped at its next batch


@pytest.mark.slow
def test_a_full_disk_keeps_the_last_complete_epoch_and_resume_goes_on(tmp_path, monkeypatch):
    import errno

    save, calls = keras.Model.save, []

    def fill_the_disk(model, path, *args, **kwargs):
        calls.append(path)
        if len(calls) > 2:  # epoch 1 wrote best and last; epoch 2's first write fails halfway
            Path(path).write_bytes(b"PK half a file")
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return save(model, path, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "save", fill_the_disk)
    result = tiny(tmp_path / "m", "--epochs", "3", code=2)
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "No space left on device" in line
    assert "epoch 1 is kept" in line and "--resume" in line
    staging = tmp_path / ".m.partial"
    assert sorted(p.name for p in staging.iterdir()) == [
        "best-progress.json", "best.keras", "history.csv", "last.keras", "progress.json"
    ]  # no half file
    assert not (tmp_path / "m").exists()

    monkeypatch.setattr(keras.Model, "save", save)
    tiny(tmp_path / "m", "--resume")
    run = json.loads((tmp_path / "m" / "run.json").read_text())
    assert run["metrics"]["epochs_trained"] == 3
    assert len(run["metrics"]["history"]["val_accuracy"]) == 3


@pytest.mark.slow
def test_a_disk_that_fills_at_once_leaves_no_file(tmp_path):
    """A real limit on file size: the first checkpoint cannot be written."""
    import resource
    import signal

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process

    result = subprocess.run(
        [sys.executable, "-m", "trainer", "train", "--data", str(NPM_SAMPLE), "--out",
         str(tmp_path / "m"), "--limit", "300", "--batch-size", "50", "--epochs", "1"],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=small_files, timeout=300,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ") and "cannot write" in line, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_diverging_loss_stops_the_run_and_saves_no_nan_model(tmp_path):
    result = tiny(tmp_path / "m", "--epochs", "2", "--learning-rate", "1e30", code=2)
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: --learning-rate 1e+30: the loss became NaN or infinite")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_failure_after_training_keeps_the_finished_run_and_says_where(tmp_path, monkeypatch):
    """Issue 35: the finished run could not be moved into place and was deleted, with "no epoch
    was complete"; now it stays whole, and the one line says where."""
    import errno

    def cannot_move(new, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr("trainer.train.replace_dir", cannot_move)
    previous = finished_run(tmp_path / "m")
    before = snapshot(previous)
    result = tiny(tmp_path / "m", "--epochs", "1", "--force", code=2)
    line = result.stderr.strip().splitlines()[-1]
    staging = tmp_path / ".m.partial"
    assert line == (f"error: {tmp_path / 'm'}: cannot put the finished run in place (Invalid "
                    f"cross-device link); it is kept whole in {staging}")
    kept = {path.name for path in staging.iterdir()}
    assert {"run.json", "classifier.keras", "test_sample.npz"} <= kept
    assert snapshot(previous) == before  # the run it was to replace is untouched


@pytest.mark.slow
def test_a_data_error_while_training_leaves_no_partial_folder(tmp_path, monkeypatch):
    from trainer.dataset import DataError

    def unreadable(*args, **kwargs):
        raise DataError("photo.jpg: cannot decode it (truncated)")

    monkeypatch.setattr("trainer.train.fit_phases", unreadable)
    result = tiny(tmp_path / "m", "--epochs", "1", code=2)
    last = result.stderr.strip().splitlines()[-1]
    assert last == "error: photo.jpg: cannot decode it (truncated)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_init_with_a_damaged_classifier_is_one_line_and_writes_nothing(tmp_path):
    base = initial_run(tmp_path)
    a_zip(base / CLASSIFIER_MODEL)
    before = snapshot(tmp_path)
    result = tiny(tmp_path / "m", "--init", base, "--epochs", "1", code=2)
    assert "Traceback" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: --init {base / CLASSIFIER_MODEL}: not a Keras model"), line
    assert snapshot(tmp_path) == before


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated last.keras", "corrupt progress.json"])
def test_a_damaged_last_checkpoint_resumes_from_the_best_one(tmp_path, monkeypatch, damage):
    with_callback(monkeypatch, StopAt(epoch=2))
    tiny(tmp_path / "m", "--epochs", "3", code=130)
    staging = tmp_path / ".m.partial"
    if damage == "truncated last.keras":
        model = staging / "last.keras"
        model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    else:
        (staging / "progress.json").write_text('{"epoch": 2, "hist')
    best_epoch = json.loads((staging / "best-progress.json").read_text())["epoch"]

    monkeypatch.undo()
    result = tiny(tmp_path / "m", "--resume")
    assert damage.split()[1] in result.stderr  # the damaged file is named
    assert f"after epoch {best_epoch} of 3" in result.stderr
    run = json.loads((tmp_path / "m" / "run.json").read_text())
    assert len(run["metrics"]["history"]["val_accuracy"]) == 3


# The export and verify: each bad input through `python -m export`, a process of its own.


def spoil(path: Path, content: str | bytes | None) -> Path:
    """Overwrite the file with `content`, or delete it for None; return its path."""
    if content is None:
        path.unlink()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def only_labels(path: Path) -> Path:
    np.savez(path, labels=np.arange(10))
    return path


def a_site(folder: Path) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text("someone's web site")
    return folder


def shard_cut_short(s: SimpleNamespace) -> tuple[list, Path]:
    """Only TF.js finds this out, in Chromium: the error names the model it could not run."""
    spoil(next(s.export.glob("*.bin")), b"\0" * 100)
    return verify(s, "--backends", "cpu"), s.export / "model.json"


def convert(s: SimpleNamespace, *flags: str) -> list:
    return ["convert", s.model, "--out", s.out, *flags]


def verify(s: SimpleNamespace, *flags: str) -> list:
    return ["verify", s.model, "--export", s.export, *flags]


# What goes wrong: the command line, and the file or flag its one error line must name.
BAD_INPUTS: dict[str, Callable[[SimpleNamespace], tuple[list, Path | str]]] = {
    "run.json not JSON": lambda s: (convert(s), spoil(s.model / RUN_FILE, "{oops")),
    "run.json without labels": lambda s: (
        convert(s), spoil(s.model / RUN_FILE, json.dumps({"model": "cnn"}))),
    "test_sample.npz cut short": lambda s: (
        convert(s), spoil(s.model / TEST_SAMPLE, (s.model / TEST_SAMPLE).read_bytes()[:300])),
    "test_sample.npz without images": lambda s: (convert(s), only_labels(s.model / TEST_SAMPLE)),
    "classifier.keras not a model": lambda s: (
        convert(s), spoil(s.model / CLASSIFIER_MODEL, "not a model")),
    "model folder missing": lambda s: (
        ["convert", s.root / "nothing", "--out", s.out], s.root / "nothing" / CLASSIFIER_MODEL),
    "model folder is a file": lambda s: (
        ["convert", s.model / RUN_FILE, "--out", s.out], s.model / RUN_FILE),
    "--images 0": lambda s: (convert(s, "--images", "0"), "--images"),
    "--images negative": lambda s: (verify(s, "--images", "-5"), "--images"),
    "--backends unknown": lambda s: (convert(s, "--backends", "wasm,gpu"), "--backends"),
    "--quantize unknown": lambda s: (convert(s, "--quantize", "int4"), "--quantize"),
    "--out is a file": lambda s: (
        ["convert", s.model, "--out", s.model / RUN_FILE, "--force"], s.model / RUN_FILE),
    "--out is a site, not an export": lambda s: (
        ["convert", s.model, "--out", a_site(s.root / "site"), "--force"], s.root / "site"),
    "--out unwritable, under a file": lambda s: (
        ["convert", s.model, "--out", s.model / RUN_FILE / "web"], s.model / RUN_FILE),
    "model.json not JSON": lambda s: (verify(s), spoil(s.export / "model.json", "{")),
    "weight shard missing": lambda s: (verify(s), spoil(next(s.export.glob("*.bin")), None)),
    "weight shard cut short": lambda s: shard_cut_short(s),
    "metadata.json missing": lambda s: (verify(s), spoil(s.export / "metadata.json", None)),
    "metadata.json not JSON": lambda s: (verify(s), spoil(s.export / "metadata.json", "[1")),
    # issue 35: what the page would refuse is refused before --out is touched, by field
    "run.json preprocessing [] over the live export": lambda s: (
        ["convert", s.model, "--out", s.export, "--force"], change_run(s, preprocessing=[])),
    "run.json preprocessing a string": lambda s: (
        convert(s), change_run(s, preprocessing="strokes-box-com")),
    "run.json labels a string": lambda s: (convert(s), change_run(s, labels="0123456789")),
    "run.json nested too deeply": lambda s: (
        convert(s), spoil(s.model / RUN_FILE, "[" * 100_000 + "]" * 100_000)),
    "run.json with NaN": lambda s: (
        convert(s), spoil(s.model / RUN_FILE, (s.model / RUN_FILE).read_text().replace(
            '"test_accuracy": ', '"test_accuracy": NaN, "was": '))),
    "classifier.keras a zip of something else": lambda s: (
        convert(s), a_zip(s.model / CLASSIFIER_MODEL)),
    "classifier.keras of another input size": lambda s: (
        convert(s), another_size(s) and s.model / CLASSIFIER_MODEL),
    "metadata.json labels a string": lambda s: (verify(s), change_metadata(s, labels="0123")),
    "metadata.json backends []": lambda s: (verify(s), change_metadata(s, backends=[])),
    "--max-accuracy-drop nan": lambda s: (
        convert(s, "--quantize", "uint8", "--max-accuracy-drop", "nan"), "--max-accuracy-drop"),
    "--max-accuracy-drop -1": lambda s: (
        convert(s, "--max-accuracy-drop", "-1"), "--max-accuracy-drop"),
    "--out a loop of symbolic links": lambda s: (
        ["convert", s.model, "--out", _loop(s.root)], s.root / "a"),
    "--out inside the live export": lambda s: (
        ["convert", s.model, "--out", s.export / "v2"], s.export / "v2"),
    "an unknown flag": lambda s: (convert(s, "--quantise", "uint8"), "No such option"),
    "test_sample.npz a single .npy": lambda s: (convert(s), _npy(s.model / TEST_SAMPLE)),
    "test_sample.npz of another image size": lambda s: (convert(s), write_npz(
        s.model / TEST_SAMPLE, x=np.zeros((10, 32, 32), np.uint8), y=np.arange(10))),
    "the site's models.json damaged": lambda s: (
        ["convert", s.model, "--out", s.root / "models" / "kana"],
        spoil(s.root / "models.json", "{")),
    "a model's name on the site with a space": lambda s: (
        ["convert", s.model, "--out", s.root / "models" / "my kana"], "--out"),
    "test_sample.npz with labels the run lacks": lambda s: (convert(s), write_npz(
        s.model / TEST_SAMPLE, x=np.zeros((10, 28, 28), np.uint8), y=np.arange(10) + 90)),
}


def change_run(s: SimpleNamespace, **fields) -> Path:
    run = json.loads((s.model / RUN_FILE).read_text())
    return spoil(s.model / RUN_FILE, json.dumps({**run, **fields}))


def change_metadata(s: SimpleNamespace, **fields) -> Path:
    metadata = json.loads((s.export / "metadata.json").read_text())
    return spoil(s.export / "metadata.json", json.dumps({**metadata, **fields}))


def a_zip(path: Path) -> Path:
    path.unlink()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", '{"class_name": "Nothing"}')
    return path


def another_size(s: SimpleNamespace) -> Path:
    """run.json of a 32 px model beside the 28 px classifier (and its test sample)."""
    run = json.loads((s.model / RUN_FILE).read_text())
    change_run(s, input_size=32, preprocessing={**run["preprocessing"], "size": 32})
    x = np.zeros((10, 32, 32), np.uint8)
    np.savez(s.model / TEST_SAMPLE, x=x, y=np.arange(10))
    return s.model / RUN_FILE


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_nothing(case, trained_dir, exported_dir, tmp_path):
    s = SimpleNamespace(root=tmp_path, model=tmp_path / "tiny", export=tmp_path / "export",
                        out=tmp_path / "web")
    shutil.copytree(trained_dir, s.model)
    shutil.copytree(exported_dir, s.export)
    args, named = BAD_INPUTS[case](s)
    before = snapshot(tmp_path)

    quiet = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-m", "export", *map(str, args)], cwd=ROOT,
                            env=quiet, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {named}: "), line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args, message", [
    (["--out", "no-such-folder/preview.png"], "not a file in an existing folder"),
    (["--out", "."], "not a file in an existing folder"),
    (["--variants", "0"], "--variants"),
    (["--rotation", "-1"], "--rotation must be at least 0"),
])
def test_bad_preview_input_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch,
                                                          args, message):
    monkeypatch.chdir(tmp_path)
    code = invoke("preview-augment", "--data", NPM_SAMPLE, *args)
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_preview_never_writes_over_a_file_that_is_not_a_png(tmp_path, capsys):
    notes = _text(tmp_path / "notes.txt", "a person's notes")
    code = invoke("preview-augment", "--data", NPM_SAMPLE, "--out", notes)
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and lines == [f"error: --out {notes}: plain text, not a PNG, so it is not "
                                   "replaced; choose another --out"], lines
    assert notes.read_text() == "a person's notes"


# python -m trainer split-writers, which make train runs: it never writes over what is not its own
# split, nor a split with nothing (issue 35).
PEN_TRA = _pen_file("3 4").replace('.COMMENT x\n.SEGMENT DIGIT 0 ? "7"\n',
                                   '.SEGMENT DIGIT 0 ? "7"\n.COMMENT 7 1 0\n')
PEN_TRA += PEN_TRA.replace(".COMMENT 7 1 0", ".COMMENT 7 25 0")


def a_split(tmp: Path) -> Path:
    out = tmp / "split"
    assert invoke("split-writers", _text(tmp / "p.tra", PEN_TRA), "--out", out) == 0
    return out


SPLITS: list[Case] = [
    ("semeion's file over a split", lambda t: [_text(t / "semeion.data", "0.0 1.0 " * 128 + "\n"),
                                               "--out", a_split(t)],
     "semeion.data: no .SEGMENT characters, so not a pendigits-orig file (plain text)"),
    ("an empty file over a split", lambda t: [_text(t / "empty.tra", ""), "--out", a_split(t)],
     "empty.tra: no .SEGMENT characters, so not a pendigits-orig file (empty)"),
    ("test writers none of the file's", lambda t: [
        _text(t / "p.tra", PEN_TRA), "--test-writers", "50-60", "--out", a_split(t)],
     "p.tra: 2 characters for training and 0 of writers 50-60"),
    ("a model folder as --out", lambda t: [_text(t / "p.tra", PEN_TRA), "--out",
                                           finished_run(t / "model")],
     "holds best.keras, so it is not a split of writers"),
    ("a file as --out", lambda t: [_text(t / "p.tra", PEN_TRA), "--out", _text(t / "f", "x")],
     "a file, not a folder"),
    ("a gzip'd file", lambda t: [_gzipped(t / "p.tra"), "--out", t / "split"],
     "p.tra: not a pendigits-orig file (gzip-compressed"),
    ("an unknown flag", lambda t: [_text(t / "p.tra", PEN_TRA), "--outt", t / "split"],
     "No such option: --outt"),
]


@pytest.mark.parametrize("name, prepare, message", SPLITS, ids=[case[0] for case in SPLITS])
def test_bad_split_input_is_one_line_and_changes_nothing(tmp_path, capsys, name, prepare,
                                                        message):
    args = [str(arg) for arg in prepare(tmp_path)]
    capsys.readouterr()  # a_split's own line
    before = snapshot(tmp_path)
    code = invoke("split-writers", *args)
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    (line,) = stderr.splitlines()
    assert line.startswith("error: ") and message in line, line
    assert snapshot(tmp_path) == before


# evaluate on a damaged training folder (issue 35: these were tracebacks).
EVALUATE: dict[str, Callable[[SimpleNamespace], Path]] = {
    "classifier.keras a zip of something else": lambda s: a_zip(s.model / CLASSIFIER_MODEL),
    "classifier.keras cut short": lambda s: spoil(
        s.model / CLASSIFIER_MODEL, (s.model / CLASSIFIER_MODEL).read_bytes()[:2000]),
    "run.json preprocessing a string": lambda s: change_run(s, preprocessing="strokes-box-com"),
    "run.json of another input size": lambda s: another_size(s) and s.model / CLASSIFIER_MODEL,
    "test_sample.npz a single .npy": lambda s: _npy(s.model / TEST_SAMPLE),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", EVALUATE)
def test_evaluating_a_damaged_run_is_one_line_and_changes_nothing(case, trained_dir, tmp_path,
                                                                   capsys):
    s = SimpleNamespace(model=tmp_path / "tiny")
    shutil.copytree(trained_dir, s.model)
    named = EVALUATE[case](s)
    before = snapshot(tmp_path)
    code = invoke("evaluate", s.model)
    stderr = capsys.readouterr().err
    assert code == 2 and "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith(f"error: {named}: "), stderr
    assert snapshot(tmp_path) == before


# Every benchmark's command line (issue 41): a bad flag is one line naming it, exit status 2,
# before anything is measured. In this process (each module's command as `python -m` runs it),
# but for held_out, whose error line once followed TensorFlow's start-up log: in its own.
def damaged_run(folder: Path) -> Path:
    folder.mkdir()
    (folder / RUN_FILE).write_text('{"labels": ')
    with zipfile.ZipFile(folder / CLASSIFIER_MODEL, "w") as archive:
        archive.writestr("config.json", "{}")
    return folder


def cut_classifier(folder: Path) -> Path:
    """A run whose classifier.keras is cut short."""
    folder.mkdir()
    (folder / RUN_FILE).write_text("{}")
    (folder / CLASSIFIER_MODEL).write_bytes(b"PK\x03\x04 cut short")
    return folder


BenchmarkCase = tuple[str, Callable[[Path], list], str]
BENCHMARK_FLAGS: list[BenchmarkCase] = [
    ("augmentation", lambda t: ["--images", "0"], "Invalid value for '--images'"),
    ("augmentation", lambda t: ["--backend", "theano"], "--backend theano: not one of tensorflow"),
    ("fine_tune_symbol", lambda t: ["--more", t], "--more TMP: not a UNIPEN folder"),
    ("fine_tune_symbol", lambda t: ["--model", t / "none"], "TMP/none: no such folder"),
    ("first_visit", lambda t: ["--model", t / "none"], "TMP/none: no model.json"),
    ("first_visit", lambda t: ["--runs", "0"], "Invalid value for '--runs'"),
    ("held_out", lambda t: [damaged_run(t / "m")], "TMP/m/run.json: not a readable run"),
    ("held_out", lambda t: ["--json", t / "no" / "x.json", t], "--json: TMP/no: not a folder"),
    ("japanese_model", lambda t: [t / "none"], "TMP/none: no such folder"),
    ("japanese_model", lambda t: [t], "TMP: not a trained model (no run.json"),
    ("japanese_teach", lambda t: [t / "none"], "TMP/none/model.json: not found"),
    ("japanese_teach", lambda t: ["--characters", "0", t], "Invalid value for '--characters'"),
    ("kanji_model", lambda t: ["--backends", "webgpu"], "--backends: unknown webgpu"),
    ("kanji_model", lambda t: ["--images", "0"], "Invalid value for '--images'"),
    ("kanji_model", lambda t: ["--out", _text(t / "f", "x")], "--out TMP/f: a file"),
    ("model_speed", lambda t: [t], "TMP: no model.json and metadata.json"),
    ("model_speed", lambda t: ["--backend", "webgpu", t], "--backend webgpu: not one of wasm"),
    ("page_store", lambda t: ["--export", t / "none"], "TMP/none/model.json: not found"),
    ("page_store", lambda t: ["--counts", "abc"], "--counts abc: not a comma-separated list"),
    ("page_store", lambda t: ["--counts", "5,-1"], "--counts 5,-1: a count below 0"),
    ("pen_digits", lambda t: ["--sizes", "abc"], "--sizes: 'abc' is not comma-separated numbers"),
    ("pen_digits", lambda t: ["--sizes", "0.5,0"], "--sizes: '0.5,0': each is a share of the pad"),
    ("pen_digits", lambda t: ["--limit", "0"], "--limit: 0 digits; at least 1"),
    ("pen_digits", lambda t: ["--json", t / "no" / "x.json"], "--json: TMP/no: not a folder"),
    ("predict_speed", lambda t: ["--ratios", "abc"], "--ratios: 'abc' is not comma-separated"),
    ("predict_speed", lambda t: ["--ratios", "0"], "--ratios: '0': each is a devicePixelRatio"),
    ("predict_speed", lambda t: ["--ratios", "nan"], "--ratios: 'nan': each is a devicePixelRatio"),
    ("predict_speed", lambda t: ["--model", t], "--model TMP: no model.json"),
    ("report_speed", lambda t: [t / "none"], "TMP/none: no such folder"),
    ("report_speed", lambda t: [damaged_run(t / "m")], "TMP/m/run.json: not a readable run"),
    ("serve_load", lambda t: ["--rounds", "0"], "Invalid value for '--rounds'"),
    ("teach_writers", lambda t: ["--model", damaged_run(t / "m")],
     "TMP/m/run.json: not a readable run record"),
    ("teach_writers", lambda t: ["--model", cut_classifier(t / "m")],
     "TMP/m/classifier.keras: not a Keras model (not a whole zip archive"),
    ("teach_writers", lambda t: ["--per-digit", "0"], "Invalid value for '--per-digit'"),
    ("teach_writers", lambda t: ["--page", "--uji", t / "none"], "--uji TMP/none: no such"),
    ("teach_writers", lambda t: ["--page", "--unipen", t / "none"],
     "--unipen TMP/none: no such folder"),
]


def run_benchmark(module: str, args: list[str]) -> int:
    """`python -m benchmarks.MODULE ARGS` in this process: the exit code."""
    import importlib

    from runfolder.commandline import run

    benchmark = importlib.import_module(f"benchmarks.{module}")
    argv = sys.argv
    sys.argv = [module, *args]
    try:
        run(getattr(benchmark, "app", None) or benchmark.main)
    except SystemExit as stop:
        return stop.code
    finally:
        sys.argv = argv
    raise AssertionError("run() returned without exiting")


@pytest.mark.parametrize("module, prepare, message", BENCHMARK_FLAGS,
                         ids=[f"{case[0]} {case[2][:40]}" for case in BENCHMARK_FLAGS])
def test_a_bad_benchmark_flag_is_one_line_and_changes_nothing(tmp_path, capsys, module, prepare,
                                                              message):
    args = [str(arg) for arg in prepare(tmp_path)]
    message = message.replace("TMP", str(tmp_path))
    before = snapshot(tmp_path)
    code = run_benchmark(module, args)
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    (line,) = stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line, stderr
    assert snapshot(tmp_path) == before


def test_every_benchmark_command_has_bad_flag_rows():
    commands = {path.stem for path in (ROOT / "benchmarks").glob("*.py")
                if '__name__ == "__main__"' in path.read_text()}
    assert commands == {module for module, _, _ in BENCHMARK_FLAGS}


def test_held_outs_error_line_is_alone_in_its_own_process(tmp_path):
    """It was the last of 14, after TensorFlow's start-up log (the benchmark loaded TensorFlow
    before it looked at its arguments)."""
    from tests.helpers import run_cli

    result = run_cli("benchmarks.held_out", tmp_path / "none", check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'none'}: no such folder (give a training run's --out)"]
