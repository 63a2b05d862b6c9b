"""python -m trainer: the command line.

Each training setting's flag comes from its declaration in trainer/config.py; the commands here
declare only what is not a setting (--config, --resume, --force, the preview's own flags). Every
setting, the data and the output folder are checked before TensorFlow loads (slow and noisy).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from runfolder.commandline import fail, one_line_errors, run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from trainer.config import (
    DEFAULTS,
    HINTS,
    RULES,
    ConfigError,
    Rule,
    TrainConfig,
    check_input_size,
    read_config,
    resolve,
    resumed,
)
from trainer.dataset import Dataset, check_trainable, validation_split
from trainer.initial import check_initial, read_initial
from trainer.output import check_contents, check_output, discard_unresumable, training_lock
from trainer.progress import Checkpoint, resume_point
from trainer.replay import load_replay
from trainer.sniff import Kind, sniff
from trainer.sources import resolve_data

app = typer.Typer(help="Train drawn-character recognisers.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def with_settings(chosen: Callable[[Rule], bool]):
    """Add an option for each setting `chosen` selects to a command; their values arrive in
    `ctx.params`, and only those given on the command line override a file's."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = list(inspect.signature(command, eval_str=True).parameters.values())
        options = [_option(f.name) for f in fields(TrainConfig) if chosen(RULES[f.name])]

        @functools.wraps(command)
        def with_options(**values: Any) -> None:
            command(**{parameter.name: values[parameter.name] for parameter in own})

        with_options.__signature__ = inspect.Signature(own + options)  # type: ignore[attr-defined]
        return with_options

    return decorate


def _option(name: str) -> inspect.Parameter:
    """The setting `name` as a keyword parameter, typed by its type hint, that typer makes a flag
    of; --data's is None when not given."""
    default = None if name == "data" else getattr(DEFAULTS, name)
    hint = HINTS[name] if default is not None else HINTS[name] | None
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[hint, typer.Option(help=_help(name))])


def _help(name: str) -> str:
    rule = RULES[name]
    return f"{rule.help} One of: {', '.join(rule.choices)}." if rule.choices else rule.help


@app.callback()
def _root() -> None:
    """Train drawn-character recognisers."""


@app.command()
@with_settings(lambda rule: True)
def train(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        help="TOML file of settings whose keys are these flags' names (e.g. batch-size = 64); "
        "flags given here override it. Every run saves its resolved config.toml.")] = None,
    resume: Annotated[bool, typer.Option(
        help="Continue the interrupted run in --out from its last complete epoch.")] = False,
    force: Annotated[bool, typer.Option(
        help="Replace the finished run in --out (once the new one has finished), or start over "
        "an interrupted one.")] = False,
) -> None:
    """Train a classifier with in-graph augmentation; keep the best and the last epoch."""
    with one_line_errors():
        out = Path(ctx.params["out"])
        check_output(out, force, resume)
        checkpoint = resume_point(out, log) if resume else None
        settings = resolved_settings(ctx, config, checkpoint)
        start = read_initial(settings.init) if settings.init else None
        dataset = load_data(settings, start.labels if start else None)
        check_trainable(dataset, every_label=start is None)
        check_input_size(settings, dataset.size, dataset.source)
        if start:
            check_initial(start, settings, dataset)
        validation_split(len(dataset.y_train), settings, dataset.writers)
        replay = (load_replay(start, dataset.labels, settings.seed, log)
                  if start and settings.replay else None)
        with training_lock(out):
            check_contents(out, force, resume)  # again, now that no other run can start here
            run_training(settings, dataset, checkpoint, replay, start)


def run_training(settings: TrainConfig, dataset: Dataset, checkpoint: Checkpoint | None,
                 replay: Dataset | None, start: FinishedRun | None) -> None:
    from trainer.train import Interrupted
    from trainer.train import train as train_model  # loads TensorFlow: after every check

    try:
        train_model(settings, dataset, log, resume=checkpoint, replay=replay, start=start)
    except OneLineError:
        discard_unresumable(Path(settings.out))  # e.g. a photo that broke after the checks
        raise
    except Interrupted as stop:
        log(f"interrupted: {stop}")
        raise typer.Exit(130) from None


def resolved_settings(
    ctx: typer.Context, config: Path | None, checkpoint: Checkpoint | None
) -> TrainConfig:
    """Defaults < the --config file < flags given here; when resuming, the interrupted run's
    settings < the flags a resumed run may change."""
    given = {
        name: value for name, value in ctx.params.items()
        if name in RULES and (source := ctx.get_parameter_source(name)) is not None
        and source.name == "COMMANDLINE"
    }
    if checkpoint is None:
        return resolve(read_config(config) if config else {}, given)
    if config is not None:
        raise ConfigError("--config: a resumed run keeps its own settings; give flags instead")
    settings = resumed(checkpoint.progress.settings, given)
    if settings.epochs < checkpoint.progress.epoch:
        raise ConfigError(f"--epochs {settings.epochs}: the interrupted run has already "
                          f"trained {checkpoint.progress.epoch} epochs")
    return settings


@app.command("preview-augment")
@with_settings(lambda rule: rule.preview)
def preview_augment(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="TOML settings, as for train.")] = None,
    png: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path(
        "augment-preview.png"),
    variants: Annotated[int, typer.Option(help="Augmented versions per image.", min=1)] = 8,
) -> None:
    """Write a PNG grid: real images of a sample of classes, then augmented versions of each."""
    with one_line_errors():
        settings = resolved_settings(ctx, config, None)
        dataset = load_data(settings)
        check_png(png)
    from trainer.augment import build_augmentation
    from trainer.preview import write_preview

    try:
        write_preview(dataset, build_augmentation(settings), png, variants, settings.seed)
    except OSError as error:
        fail(f"--out {png}: cannot write ({error.strerror or error})")
    log(f"wrote {png}")


@app.command("preview-synthetic")
def preview_synthetic(
    data: Annotated[Path, typer.Option(help="KanjiVG's folder, or FOLDER/kana, FOLDER/grade1..6.")],
    png: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path(
        "synthetic-preview.png"),
    variants: Annotated[int, typer.Option(help="Drawings per reference.", min=1)] = 8,
    seed: Annotated[int, typer.Option(help="The synthetic writer's seed.", min=0)] = 0,
) -> None:
    """Write a PNG grid: KanjiVG references of a sample of characters, each beside drawings of it
    by the synthetic writer, drawn with the page's recipe."""
    from trainer.sources.japanese import JAPANESE_RECIPE
    from trainer.sources.kanjivg import read_references

    with one_line_errors():
        check_png(png)
        labels, references = read_references(data)
    from trainer.preview import write_synthetic_preview

    try:
        write_synthetic_preview(labels, references, JAPANESE_RECIPE, png, variants, seed)
    except OSError as error:
        fail(f"--out {png}: cannot write ({error.strerror or error})")
    log(f"wrote {png}")


@app.command()
def evaluate(
    model_dir: Annotated[Path, typer.Argument(help="A finished training run (its --out).")],
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="Another set to evaluate on, read like --data of train (Semeion, optdigits, "
        "UNIPEN strokes as FOLDER or FOLDER/digits ...). Repeat for several.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Folder for the report (default MODEL_DIR/report); an old report there is "
        "replaced.")] = None,
) -> None:
    """Evaluate a model on its test split and other sets: an HTML report and metrics.json."""
    from runfolder.layout import REPORT_DIR
    from trainer.evalsets import external_set, own_test_split
    from trainer.metrics import METRICS
    from trainer.report import INDEX, check_report_folder, markdown_table

    folder = out or model_dir / REPORT_DIR
    with one_line_errors():
        model = FinishedRun.read(model_dir)
        check_report_folder(folder)
        others = [external_set(path, model) for path in data or []]  # quick to refuse: first
        sets = [own_test_split(model, log), *others]
    from trainer.evaluate import evaluate as evaluate_model  # loads TensorFlow: after the checks

    with one_line_errors():
        try:
            evaluated = evaluate_model(model, sets, folder, log)
        except OSError as error:
            fail(f"{error.filename or folder}: cannot write ({error.strerror or error})")
    typer.echo(markdown_table(evaluated, model.not_sure_threshold))
    log(f"wrote {folder / INDEX} and {folder / METRICS}")


@app.command("split-writers")
def split_writers(
    source: Annotated[Path, typer.Argument(help="UCI pendigits' pendigits-orig.tra.")],
    test_writers: Annotated[str, typer.Option(help="Writers held out, e.g. 21-30.")] = "21-30",
    out: Annotated[Path, typer.Option(help="Folder for the two files.")] = Path(
        "build/pendigits-writers"),
) -> None:
    """Split pendigits by writer: OUT/pendigits-orig.tra (the others, to train on) and
    OUT/pendigits-orig.tes (--test-writers, to measure on), one set for --data OUT."""
    from trainer.split_writers import split_pendigits

    with one_line_errors():
        n_train, n_test = split_pendigits(source, test_writers, out)
    typer.echo(f"{out}: {n_train:,} characters for training, {n_test:,} of writers "
               f"{test_writers} for test")


def check_png(png: Path) -> None:
    """`png` can be written: a file in an existing folder, and a PNG if it exists."""
    if png.is_dir() or not png.parent.is_dir():
        raise ConfigError(f"--out {png}: not a file in an existing folder")
    if png.exists() and (found := sniff(png)).kind is not Kind.PNG:
        raise ConfigError(f"--out {png}: {found.description}, not a PNG, so it is not "
                          "replaced; choose another --out")


def load_data(settings: TrainConfig, labels: list[str] | None = None) -> Dataset:
    """The dataset, checked as it is read, before TensorFlow loads; with `labels` (those of the
    --init model), its labels become those."""
    return resolve_data([Path(path) for path in settings.data], log,
                        image_size=settings.image_size, labels=labels,
                        synthetic=settings.synthetic, weights=settings.data_weight)


def log(message: str) -> None:
    typer.echo(message, err=True)


def main() -> None:
    """Usage errors (an unknown flag, `--epochs abc`) are one line too, not click's box."""
    run(app)
