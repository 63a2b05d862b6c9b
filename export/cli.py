"""python -m export: the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from export import ExportError, require_free, require_trained

app = typer.Typer(help="Export trained models to TF.js and check them.", no_args_is_help=True)


class Quantization(StrEnum):
    none = "none"
    float16 = "float16"
    uint8 = "uint8"


ModelDir = Annotated[Path, typer.Argument(help="Training folder with best.keras and run.json.")]
Backends = Annotated[
    str, typer.Option(help="Comma-separated TF.js backends to check: wasm, webgl, cpu.")
]
Images = Annotated[int, typer.Option(help="Test images to compare (the sample holds 1000).")]


@app.command()
def convert(
    model_dir: ModelDir = Path("models/mnist"),
    out: Annotated[Path, typer.Option(help="Where the page loads its model from.")] = Path(
        "web/model"
    ),
    quantize: Annotated[Quantization, typer.Option(help="Weight quantization.")] = (
        Quantization.none
    ),
    force: Annotated[bool, typer.Option(help="Replace an existing export.")] = False,
    backends: Backends = "wasm,webgl,cpu",
    images: Images = 256,
    max_accuracy_drop: Annotated[
        float, typer.Option(help="Largest TF.js test accuracy loss quantization may cause.")
    ] = 0.005,
    allow_accuracy_drop: Annotated[
        bool, typer.Option(help="Export with a warning instead of refusing a larger loss.")
    ] = False,
) -> None:
    """Convert the classifier to a TF.js graph model and prove TF.js agrees with Keras."""
    _run(lambda: require_trained(model_dir))
    _run(lambda: require_free(out, force))
    from export.convert import export_model

    _run(
        lambda: export_model(
            model_dir, out, quantize.value, force, _backends(backends), images,
            max_accuracy_drop, allow_accuracy_drop, log=lambda m: typer.echo(m, err=True),
        )
    )


@app.command()
def verify(
    model_dir: ModelDir = Path("models/mnist"),
    export_dir: Annotated[Path, typer.Option("--export", help="The converted model.")] = Path(
        "web/model"
    ),
    backends: Backends = "wasm,webgl,cpu",
    images: Images = 256,
) -> None:
    """Run the converted model in Chromium on each backend and compare it with Keras."""
    _run(lambda: require_trained(model_dir))
    from export.convert import verify as run_verify

    reports = _run(lambda: run_verify(model_dir, export_dir, _backends(backends), images))
    for report in reports:
        typer.echo(report.summary())
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


def _backends(names: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in names.split(",") if name.strip())
    unknown = set(chosen) - {"wasm", "webgl", "cpu"}
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown backends {sorted(unknown)}; choose from wasm,webgl,cpu")
    return chosen


def _run(action):
    try:
        return action()
    except (ExportError, FileNotFoundError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    app()
