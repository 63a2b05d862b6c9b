"""The callbacks of a training run: its history logged, Keras' early stops, the checkpoints that
make it resumable, and Ctrl-C ending it within a batch."""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from pathlib import Path

import keras

from runfolder.atomic import write_whole
from runfolder.layout import BEST_MODEL, BEST_PROGRESS_FILE, HISTORY_FILE, LAST_MODEL, PROGRESS_FILE
from trainer.config import TrainConfig
from trainer.progress import Progress


def history_loggers(config: TrainConfig, staging: Path) -> list[keras.callbacks.Callback]:
    """Each epoch's metrics in history.csv beside the model, and in TensorBoard when asked.

    They come before the checkpoint in the callbacks: an interruption between the two leaves an
    epoch logged twice, which a reader can tell, rather than one never logged.
    """
    loggers: list[keras.callbacks.Callback] = [
        keras.callbacks.CSVLogger(str(staging / HISTORY_FILE), append=True)
    ]
    if config.tensorboard:
        loggers.append(keras.callbacks.TensorBoard(config.tensorboard))
    return loggers


def stopping(config: TrainConfig) -> list[keras.callbacks.Callback]:
    """Keras' own callbacks that end a run early or change its rate."""
    chosen: list[keras.callbacks.Callback] = [keras.callbacks.TerminateOnNaN()]
    if config.patience is not None:
        chosen.append(
            keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=config.patience)
        )
    if config.schedule == "plateau":
        chosen.append(keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, verbose=1))
    return chosen


class Checkpoints(keras.callbacks.Callback):
    """After each epoch: best.keras when validation accuracy improved, last.keras, and the
    progress that goes with each. `progress` is the state after the last saved epoch.

    Each file is written whole and then renamed over the old one, so Ctrl-C never leaves half a
    file; a progress file is written after its model and names an epoch whose model is complete.
    An epoch whose loss is not finite is not saved: `diverged` says so.
    """

    def __init__(self, folder: Path, phase: str, progress: Progress):
        super().__init__()
        self.folder, self.phase, self.progress = folder, phase, progress
        self.diverged = False
        self.started = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        now = time.monotonic()
        rate = keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
        metrics = {"learning_rate": rate, **(logs or {})}
        if not all(math.isfinite(float(value)) for value in metrics.values()):
            self.diverged = True
            return
        progress = self.progress.after_epoch(self.phase, now - self.started, metrics)
        self.started = now
        accuracies = progress.history["val_accuracy"]
        if accuracies[-1] >= max(accuracies):
            self.save(progress, BEST_MODEL, BEST_PROGRESS_FILE)
        self.save(progress, LAST_MODEL, PROGRESS_FILE)
        self.progress = progress

    def save(self, progress: Progress, model_file: str, progress_file: str) -> None:
        write_whole(self.folder / model_file, self.model.save)
        record = progress.to_json()
        write_whole(self.folder / progress_file, lambda path: path.write_text(record))


class CtrlC(keras.callbacks.Callback):
    """Ctrl-C ends training within a batch, wherever it lands. Keras converts each batch's logs
    to numbers inside a bare `except:` (keras.src.utils.python_utils.pythonify_logs), which
    swallows a KeyboardInterrupt raised there, and training went on to its last epoch. While
    listening, a press is remembered as well as raised, and raised again at the next batch's or
    epoch's end: after the checkpoint of a complete epoch, which stays to resume from."""

    def __init__(self) -> None:
        super().__init__()
        self.pressed = False

    @contextlib.contextmanager
    def listening(self):
        """Within: Ctrl-C is remembered. Only the main thread gets signals, and a Ctrl-C that
        something else handles, or ignores, is left to it."""
        ours = (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        if ours:
            signal.signal(signal.SIGINT, self.press)
        try:
            yield
        finally:
            if ours:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    def press(self, signum, frame) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.pressed:
            raise KeyboardInterrupt

    on_epoch_end = on_train_batch_end
