"""python -m export: the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from export import ExportError, require_trained

app = typer.Typer(help="Export trained models to TF.js and check them.", no_args_is_help=True)

ModelDir = Annotated[Path, typer.Argument(help="Training folder with best.keras and run.json.")]


@app.command()
def convert(
    model_dir: ModelDir = Path("models/mnist"),
    out: Annotated[Path, typer.Option(help="Where the page loads its model from.")] = Path(
        "web/model"
    ),
) -> None:
    """Convert the classifier to a TF.js graph model and prove TF.js agrees with Keras."""
    _run(lambda: require_trained(model_dir))
    from export.convert import export_model

    _run(lambda: export_model(model_dir, out, log=lambda m: typer.echo(m, err=True)))


@app.command()
def verify(
    model_dir: ModelDir = Path("models/mnist"),
    export_dir: Annotated[Path, typer.Option("--export", help="The converted model.")] = Path(
        "web/model"
    ),
    backend: Annotated[str, typer.Option(help="TF.js backend: cpu, webgl or wasm.")] = "cpu",
) -> None:
    """Run the converted model in Chromium and compare it with Keras on the test sample."""
    _run(lambda: require_trained(model_dir))
    from export.convert import verify as run_verify

    parity = _run(lambda: run_verify(model_dir, export_dir, backend))
    typer.echo(parity.summary())
    if not parity.ok:
        raise typer.Exit(1)


def _run(action):
    try:
        return action()
    except (ExportError, FileNotFoundError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    app()
