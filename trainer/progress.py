"""How far a run got, and where an interrupted run can continue from.

Each epoch writes last.keras and then progress.json, the state that goes with it; an epoch that
improves validation accuracy also writes best.keras and best-progress.json. Each progress file
carries the run's settings, so a resumed run has exactly the settings of the epoch it continues.
Whether a run can be resumed is decided here alone, without TensorFlow.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from runfolder.atomic import staging_path
from runfolder.layout import BEST_MODEL, BEST_PROGRESS_FILE, LAST_MODEL, PROGRESS_FILE


@dataclass(frozen=True)
class Progress:
    """The last complete epoch (counted from 1), its phase, the time spent and the history."""

    settings: dict[str, Any]
    epoch: int = 0
    phase: str | None = None
    train_seconds: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)

    def after_epoch(self, phase: str, seconds: float, metrics: dict[str, float]) -> Progress:
        history = {key: list(values) for key, values in self.history.items()}
        for key, value in metrics.items():
            history.setdefault(key, []).append(float(value))
        return replace(self, epoch=self.epoch + 1, phase=phase,
                       train_seconds=self.train_seconds + seconds, history=history)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def read(cls, path: Path) -> Progress:
        """Raises ValueError when the file is not a whole progress record."""
        try:
            fields = json.loads(path.read_text())
            progress = cls(**fields)
        except (OSError, UnicodeDecodeError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(str(error)) from None
        lengths = {len(values) for values in progress.history.values()}
        if progress.epoch < 1 or lengths != {progress.epoch}:
            raise ValueError(f"epoch {progress.epoch} does not match its history")
        return progress


@dataclass(frozen=True)
class Checkpoint:
    """A saved model and the progress that goes with it."""

    model: Path
    progress: Progress


def resume_point(out: Path, log=None) -> Checkpoint | None:
    """The newest usable checkpoint of the interrupted run for `out`: last.keras with its
    progress, else best.keras with its own (a truncated last.keras, a corrupt progress.json);
    None when there is none. `log` hears why a checkpoint was passed over."""
    staging = staging_path(out)
    for model, progress in ((LAST_MODEL, PROGRESS_FILE), (BEST_MODEL, BEST_PROGRESS_FILE)):
        problem = _problem(staging / model, staging / progress)
        if problem is None:
            return Checkpoint(staging / model, Progress.read(staging / progress))
        if log and (staging / model).exists():
            log(problem)
    return None


def _problem(model: Path, progress: Path) -> str | None:
    """Why this pair cannot be resumed from, or None when it can."""
    try:
        Progress.read(progress)
    except ValueError as error:
        return f"{progress}: not a complete progress record ({error})"
    try:
        with zipfile.ZipFile(model) as archive:
            broken = archive.testzip()
    except (OSError, zipfile.BadZipFile) as error:
        return f"{model}: not a complete checkpoint ({error})"
    return f"{model}: damaged ({broken})" if broken else None
