"""Writers the model never saw, and what each cheap lever does for them (issue 32's ablation).

    python -m benchmarks.held_out MODEL_DIR [MODEL_DIR ...] [--json FILE]

For each trained run (its --out folder), on each held-out set (HELD_OUT: UNIPEN's GMD and
Valladolid, whole sources of another country; pendigits' writers 21-30; UJI; semeion; optdigits;
MNIST test), the accuracy of:

- the model alone;
- test-time averaging: the mean of its probabilities over AFFINE_VARIANTS of each input (small
  turns and scalings about the centre), and what that costs predict() in Keras on this CPU;
- a locale prior for 1 and 7: p(1) times a weight, for writers who cross their 7s (a page whose
  navigator.language is continental); the weight is chosen on one continental source (GMD or
  Valladolid) and measured on the other, so no set chooses its own;

and "not sure", chosen on the run's validation writers only (trainer/calibration.py), with the top
probability as the model gives it, after temperature scaling (T fitted on the validation writers'
log-likelihood), and with the margin between the two best: the shares of misreads and of right
answers it flags on each set. The run's validation split is rebuilt from its own data and seed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from benchmarks.common import fail, markdown_table, percent, print_header, require_writable_file
from runfolder.commandline import run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.quiet import quiet_tensorflow
from trainer.calibration import flagged_shares, not_sure_threshold
from trainer.config import TrainConfig
from trainer.dataset import is_named, validation_split
from trainer.evalsets import EvalSet, external_set
from trainer.images import read
from trainer.sources import resolve_data

SHARED = Path("../shared/data")
HELD_OUT = {
    "UNIPEN GMD": SHARED / "unipen" / "gmd",
    "UNIPEN Valladolid": SHARED / "unipen" / "val",
    "pendigits 21-30": Path("build/pendigits-writers/pendigits-orig.tes"),
    "UJI": SHARED / "ujipenchars" / "digits",
    "semeion": SHARED / "semeion",
    "optdigits": SHARED / "optdigits",
    "MNIST test": SHARED / "mnist",
}
CONTINENTAL = ("UNIPEN GMD", "UNIPEN Valladolid")  # each chooses the other's prior weight
AFFINE_VARIANTS = [(0, 1.0), (-8, 1.0), (8, 1.0), (0, 0.9), (0, 1.1)]  # (degrees, scale)
PRIOR_WEIGHTS = [1.0, 1.5, 2.0, 3.0, 5.0, 8.0]
TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(5), 81))
SPEED_CALLS = 200


def affine(images: np.ndarray, degrees: float, scale: float) -> np.ndarray:
    """Each image turned by `degrees` and scaled by `scale` about its centre (bilinear)."""
    from scipy.ndimage import affine_transform

    if degrees == 0 and scale == 1:
        return images
    turn = np.radians(degrees)
    matrix = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]]) / scale
    centre = (np.array(images.shape[1:3]) - 1) / 2
    offset = centre - matrix @ centre
    return np.stack([affine_transform(image.astype(np.float32), matrix, offset, order=1)
                     for image in images]).clip(0, 255)


def predict(classifier, images: np.ndarray) -> np.ndarray:
    from trainer.evaluate import predict as keras_predict  # Keras loads once input is checked

    return keras_predict(classifier, images)


def averaged(classifier, images: np.ndarray) -> np.ndarray:
    return np.mean([predict(classifier, affine(images, degrees, scale))
                    for degrees, scale in AFFINE_VARIANTS], axis=0)


def with_prior(probabilities: np.ndarray, labels: list[str], weight: float) -> np.ndarray:
    weighted = probabilities.copy()
    weighted[:, labels.index("1")] *= weight
    return weighted / weighted.sum(axis=1, keepdims=True)


def tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(probabilities, 1e-12, 1)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, y: np.ndarray) -> float:
    def nll(t: float) -> float:
        return -np.log(tempered(probabilities, t)[np.arange(len(y)), y] + 1e-12).mean()

    return float(min(TEMPERATURES, key=nll))


def margin(probabilities: np.ndarray) -> np.ndarray:
    best_two = np.sort(probabilities, axis=1)[:, -2:]
    return best_two[:, 1] - best_two[:, 0]


def validation_writers(model: FinishedRun) -> EvalSet:
    """The images of the run's validation writers, rebuilt from its data and seed."""
    config = TrainConfig(**model.settings)
    dataset = resolve_data([Path(p) for p in config.data], print, image_size=model.input_size,
                           labels=model.labels, weights=config.data_weight)
    _, validation = validation_split(len(dataset.y_train), config, dataset.writers)
    if dataset.writers is not None and is_named(dataset.writers[validation]).any():
        validation = validation[is_named(dataset.writers[validation])]
    return EvalSet("validation writers", "", read(dataset.x_train, validation),
                   dataset.y_train[validation])


def speed(classifier, image: np.ndarray) -> dict[str, float]:
    """Median ms of one predict() call on one input, and on the variants of one input."""
    import tensorflow as tf

    def timed(batch: np.ndarray) -> float:
        x = tf.constant(batch[..., None].astype(np.float32))
        classifier(x, training=False)
        times = []
        for _ in range(SPEED_CALLS):
            start = time.perf_counter()
            classifier(x, training=False).numpy()
            times.append(time.perf_counter() - start)
        return 1000 * float(np.median(times))

    variants = np.concatenate([affine(image[None], d, s) for d, s in AFFINE_VARIANTS])
    return {"one_input_ms": timed(image[None]), "variants_ms": timed(variants)}


def measure(model: FinishedRun) -> dict:
    classifier = model.classifier
    sets = {name: external_set(path, model) for name, path in HELD_OUT.items()}
    validation = validation_writers(model)
    val_p = predict(classifier, validation.x)
    val_right = val_p.argmax(1) == validation.y
    temperature = fit_temperature(val_p, validation.y)
    val_t = tempered(val_p, temperature)
    thresholds = {
        "top probability": not_sure_threshold(val_right, val_p.max(1)),
        "temperature": not_sure_threshold(val_t.argmax(1) == validation.y, val_t.max(1)),
        "margin": not_sure_threshold(val_right, margin(val_p)),
    }
    plain = {name: predict(classifier, s.x) for name, s in sets.items()}
    tta = {name: averaged(classifier, s.x) for name, s in sets.items()}
    weights = {}
    for name, other in zip(CONTINENTAL, reversed(CONTINENTAL), strict=True):

        def accuracy(weight: float, other: str = other) -> float:
            answers = with_prior(plain[other], model.labels, weight).argmax(1)
            return (answers == sets[other].y).mean()

        weights[name] = max(PRIOR_WEIGHTS, key=accuracy)
    result: dict[str, Any] = {
              "model": str(model.folder), "validation_writer_images": len(validation.y),
              "temperature": temperature, "thresholds": thresholds,
              "run_threshold": model.not_sure_threshold,
              "prior_weights": weights, "speed": speed(classifier, sets["UJI"].x[0]), "sets": {}}
    for name, s in sets.items():
        p = plain[name]
        right = p.argmax(1) == s.y
        prior = with_prior(p, model.labels, weights.get(name, max(weights.values())))
        t = tempered(p, temperature)
        flagged = {
            "top probability": flagged_shares(right, p.max(1), thresholds["top probability"]),
            "temperature": flagged_shares(t.argmax(1) == s.y, t.max(1), thresholds["temperature"]),
            "margin": flagged_shares(right, margin(p), thresholds["margin"]),
        }
        result["sets"][name] = {
            "images": len(s.y), "accuracy": float(right.mean()),
            "test_time_averaging": float((tta[name].argmax(1) == s.y).mean()),
            "prior_1_7": float((prior.argmax(1) == s.y).mean()),
            "misread": int((~right).sum()),
            "read_1_as_7": int(((s.y == model.labels.index("1"))
                                & (p.argmax(1) == model.labels.index("7"))).sum()),
            "flagged": {k: {"right": r, "misreads": m} for k, (r, m) in flagged.items()},
        }
    return result


def table(results: list[dict]) -> str:
    columns = ["model", "set", "images", "accuracy", "+ averaging", "+ prior 1/7",
               "misread (1→7)", "flagged: right / misreads (top p)", "(temperature)", "(margin)"]
    rows = []
    for result in results:
        for name, s in result["sets"].items():
            flags = [s["flagged"][k] for k in ("top probability", "temperature", "margin")]
            rows.append([Path(result["model"]).name, name, f"{s['images']:,}",
                         percent(s["accuracy"]), percent(s["test_time_averaging"]),
                         percent(s["prior_1_7"]), f"{s['misread']} ({s['read_1_as_7']})",
                         *(f"{_share(f['right'])} / {_share(f['misreads'])}" for f in flags)])
    return markdown_table(columns, rows)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def main(
    models: Annotated[list[Path], typer.Argument(help="Training runs (their --out folders).")],
    json_out: Annotated[Path | None, typer.Option("--json", help="All figures, as JSON.")] = None,
) -> None:
    if json_out:
        require_writable_file(json_out, "--json")
    try:
        runs = [FinishedRun.read(folder) for folder in models]
        print_header(*models)
        results = [measure(model) for model in runs]
    except OneLineError as error:  # a DataError too: the run's training data moved
        fail(str(error))
    for result in results:
        print(f"{result['model']}: T = {result['temperature']:.2f}, thresholds "
              + ", ".join(f"{k} {v:.3f}" for k, v in result["thresholds"].items())
              + f" (run.json: {result['run_threshold']}), on "
              f"{result['validation_writer_images']:,} validation writers' images; prior "
              f"weights {result['prior_weights']}; predict() {result['speed']}")
    print(table(results))
    if json_out:
        json_out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    quiet_tensorflow()  # a bad run folder's one line, not under TensorFlow's start-up log
    run(main)
