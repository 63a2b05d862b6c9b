"""python -m export: the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from export import BACKENDS, QUANTIZATIONS, ExportOptions, require_backends
from export.catalog import CATALOG, add_to_catalog, place_in_site, read_catalog
from export.inputs import read_export, read_training, require_replaceable
from runfolder.commandline import one_line_errors, run

app = typer.Typer(help="Export trained models to TF.js and check them.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


ModelDir = Annotated[
    Path, typer.Argument(help="Training folder with classifier.keras, run.json, test_sample.npz.")
]
Backends = Annotated[
    str, typer.Option(help=f"Comma-separated TF.js backends to check: {', '.join(BACKENDS)}.")
]
Images = Annotated[int, typer.Option(help="Test images to compare (the sample holds 1000).")]
DEFAULTS = ExportOptions()
QUANTIZE_HELP = "Weight quantization: " + "; ".join(
    f"{name} ({choice.description})" for name, choice in QUANTIZATIONS.items()
)
ALL_BACKENDS = ",".join(BACKENDS)


@app.command()
def convert(
    model_dir: ModelDir = Path("models/mnist"),
    out: Annotated[Path, typer.Option(help=(
        "Where the page loads its model from: web/model (the default model) or "
        f"web/models/NAME (?model=NAME); either adds itself to web/{CATALOG}."
    ))] = Path("web/model"),
    quantize: Annotated[str, typer.Option(help=QUANTIZE_HELP)] = DEFAULTS.quantize,
    force: Annotated[
        bool, typer.Option(help="Replace an existing export (never a folder that is not one).")
    ] = DEFAULTS.force,
    backends: Backends = ALL_BACKENDS,
    images: Images = DEFAULTS.images,
    max_accuracy_drop: Annotated[
        float, typer.Option(help="Largest TF.js test accuracy loss quantization may cause.")
    ] = DEFAULTS.max_accuracy_drop,
    allow_accuracy_drop: Annotated[
        bool, typer.Option(help="Export with a warning instead of refusing a larger loss.")
    ] = DEFAULTS.allow_accuracy_drop,
) -> None:
    """Convert the classifier to a TF.js graph model and prove TF.js agrees with Keras."""
    with one_line_errors():
        options = ExportOptions(
            quantize, force, backend_names(backends), images, max_accuracy_drop,
            allow_accuracy_drop,
        )
        read_training(model_dir, options.images)  # bad input fails before TensorFlow loads
        require_replaceable(out, options.force)
        place = place_in_site(out, model_dir.resolve().name)
        if place:
            read_catalog(place.site)  # a damaged catalog fails before the export, not after
        from export.convert import export_model

        export_model(model_dir, out, options, log=lambda message: typer.echo(message, err=True))
        if place:
            add_to_catalog(place)
            typer.echo(f"{place.site / CATALOG}: offers {place.name} ({place.folder})", err=True)


@app.command()
def verify(
    model_dir: ModelDir = Path("models/mnist"),
    export_dir: Annotated[Path, typer.Option("--export", help="The converted model.")] = Path(
        "web/model"
    ),
    backends: Backends = ALL_BACKENDS,
    images: Images = DEFAULTS.images,
) -> None:
    """Run the converted model in Chromium on each backend and compare it with Keras."""
    with one_line_errors():
        chosen = backend_names(backends)
        read_training(model_dir, images)  # bad input fails before TensorFlow loads
        read_export(export_dir)
        from export.convert import verify as run_verify

        reports = run_verify(model_dir, export_dir, chosen, images)
    for report in reports:
        typer.echo(report.summary())
    if not all(report.ok for report in reports):
        raise typer.Exit(1)


@app.command()
def serve(
    folder: Annotated[Path, typer.Argument(help="The page's folder, its model in model/.")] = Path(
        "web"
    ),
    host: Annotated[str, typer.Option(help="Address to listen on: 0.0.0.0 for a LAN too.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cert: Annotated[
        Path | None, typer.Option(help="PEM certificate: serve https (with --key).")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="The certificate's PEM private key.")] = None,
) -> None:
    """Serve the page, over https with --cert and --key (offline use needs it beyond localhost)."""
    from export.serve import make_server, serve_forever

    with one_line_errors():
        server = make_server(folder, host, port, cert, key)
    serve_forever(server, https=cert is not None, say=typer.echo)


def backend_names(names: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in names.split(",") if name.strip())
    require_backends(chosen)
    return chosen


def main() -> None:
    run(app)
