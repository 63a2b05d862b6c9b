"""metrics.json: every figure the evaluation report shows (trainer/report.py draws them), and the
full confusion matrices, for a program to read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runfolder.finished import FinishedRun
from trainer.evalsets import EvalSet
from trainer.scores import TOP_K, Scores

METRICS = "metrics.json"


@dataclass(frozen=True)
class Evaluated:
    """One set and the model's answers on it."""

    data: EvalSet
    scores: Scores
    key: str  # names its files and its anchor: set0, set1, ...


def write_metrics(folder: Path, model: FinishedRun, evaluated: list[Evaluated]) -> dict[str, Any]:
    """Write metrics.json into `folder`; what it holds."""
    threshold = model.not_sure_threshold
    metrics = {
        "model": str(model.folder),
        "labels": model.labels,
        "not_sure_threshold": threshold,
        "history": {key: [_finite(v) for v in values] for key, values in model.history().items()},
        "class_counts": model.class_counts,
        "sets": [set_record(item, threshold, model.labels) for item in evaluated],
    }
    # No indentation: a 3,000-label confusion matrix would take a line per cell.
    (folder / METRICS).write_text(json.dumps(metrics, allow_nan=False) + "\n")
    return metrics


def set_record(item: Evaluated, threshold: float | None, labels: list[str]) -> dict[str, Any]:
    scores, calibration = item.scores, item.scores.calibration
    sure, sure_errors = scores.above(threshold) if threshold is not None else (None, None)
    flagged = scores.flagged(threshold) if threshold is not None else (None, None)
    return {
        "name": item.data.name,
        "source": item.data.source,
        "images": len(scores.y),
        "accuracy": scores.accuracy,
        f"top{TOP_K}_accuracy": scores.top_k_accuracy,
        "macro_f1": scores.macro_f1,
        "mean_confidence_right": scores.mean_confidence(True),
        "mean_confidence_wrong": scores.mean_confidence(False),
        "misread": int((~scores.right).sum()),
        "expected_calibration_error": calibration.expected_error,
        "calibration": {"confidence": calibration.confidence.tolist(),
                        "accuracy": calibration.accuracy.tolist(),
                        "count": calibration.count.tolist()},
        "sure_share": sure,
        "sure_error_rate": sure_errors,
        "right_flagged": flagged[0],
        "misreads_flagged": flagged[1],
        "own_not_sure_threshold": scores.own_threshold,
        "confused_pairs": [{"true": labels[true], "read": labels[read], "count": count,
                            "share": share}
                           for true, read, count, share in scores.confused_pairs()],
        "per_label": {"precision": scores.precision.tolist(), "recall": scores.recall.tolist(),
                      "f1": scores.f1.tolist(), "support": scores.support.tolist()},
        "confusion": {"rows": "true label", "columns": "read as",
                      "matrix": scores.confusion.tolist()},
        "writers": [{"writer": w.writer, "images": w.images, "accuracy": w.accuracy,
                     "misread": w.misread,
                     "commonest": None if w.commonest is None else {
                         "true": labels[w.commonest[0]], "read": labels[w.commonest[1]],
                         "count": w.commonest[2]}}
                    for w in scores.writers],
    }


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None
