"""The --out folder: what a new run may replace, and one training at a time in it.

A finished run is replaced only with --force, and only once the new run has finished; a folder
that is not a training run, or a file, is never replaced. The lock is a `filelock` on a hidden
sibling file that also names the training holding it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from runfolder.atomic import real_path, staging_path
from runfolder.errors import OneLineError
from runfolder.guard import OutputKind, refuse_inside, refuse_replacing
from runfolder.layout import RUN_FILE
from trainer.progress import resume_point


class OutputError(OneLineError):
    """The output folder cannot be used as asked; the message names it."""


# A finished run is replaced only with --force; never from inside it (that would delete this one).
RUN_OUTPUT = OutputKind(
    is_one=lambda folder: (folder / RUN_FILE).is_file(),
    error=OutputError,
    unresolvable="--out {out}: {reason}",
    inside="--out {out}: inside the training run {inside}; choose another --out",
    a_file="--out {out}: a file, not a folder",
    not_one="--out {out}: a folder that is not a training run; choose another --out",
    needs_force="--out {out}: holds a finished run (pass --force to replace it when the new run "
    "ends)",
)


def check_output(out: Path, force: bool, resume: bool) -> None:
    """Refuse, before any work, a run that would destroy something or cannot continue."""
    if force and resume:
        raise OutputError("--force and --resume: choose one (start over, or continue)")
    refuse_inside(out, RUN_OUTPUT)
    real = real_path(out)
    if out.name in ("", "..") or real == real.parent:
        raise OutputError(f"--out {str(out)!r}: name a folder for the run, e.g. models/digits")
    if is_locked(out):
        raise busy(out)
    check_contents(out, force, resume)


def check_contents(out: Path, force: bool, resume: bool) -> None:
    """What is in `out` and beside it allows this run: the checks to repeat under the lock."""
    if out.exists() and not out.is_dir():
        raise OutputError(RUN_OUTPUT.a_file.format(out=out))
    if resume:
        if resume_point(out) is None:
            raise OutputError(f"--out {out}: no interrupted run to resume "
                              f"(no complete checkpoint in {staging_path(out)})")
        return
    refuse_replacing(out, RUN_OUTPUT, force)
    if not force and resume_point(out) is not None:
        raise OutputError(f"--out {out}: an interrupted run is waiting in {staging_path(out)} "
                          "(continue it with --resume, or pass --force to start over)")


def discard_unresumable(out: Path) -> None:
    """After a failed run: its staging folder goes, unless it holds a checkpoint to resume from
    (under the lock, no other run's staging folder can be there)."""
    if resume_point(out) is None:
        shutil.rmtree(staging_path(out), ignore_errors=True)


def lock_path(out: Path) -> Path:
    """The lock of the folder `out` resolves to: two names of one folder share one lock."""
    real = real_path(out)
    return real.with_name(f".{real.name}.lock")


def is_locked(out: Path) -> bool:
    """Whether a training holds the lock on `out`; creates nothing."""
    path = lock_path(out)
    if not path.is_file():
        return False
    try:
        with FileLock(path, timeout=0):
            return False
    except Timeout:
        return True


def busy(out: Path) -> OutputError:
    """The refusal naming the training that holds the lock, as its lock file describes it."""
    holder = lock_path(out).read_text().strip() or "another training"
    return OutputError(f"--out {out}: another training is writing there ({holder})")


@contextmanager
def training_lock(out: Path) -> Iterator[None]:
    """Hold the lock on `out` for the whole run; refuse at once when another run holds it."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path, timeout=0)
        lock.acquire()
    except Timeout:
        raise busy(out) from None
    except OSError as error:
        raise OutputError(f"--out {out}: cannot write there ({error.strerror})") from None
    try:
        started = datetime.now().isoformat(timespec="seconds")
        command = "python -m trainer " + shlex.join(sys.argv[1:])
        path.write_text(f"pid {os.getpid()}, started {started}: {command}\n")
        yield
    finally:
        lock.release()
        path.unlink(missing_ok=True)
