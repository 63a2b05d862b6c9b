"""Every command line of the project ends a usage error (an unknown flag, `--epochs abc`) in one
line, exit status 2, instead of click's multi-line box."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import typer


def run(command: typer.Typer | Callable[..., None]) -> NoReturn:
    """Run a Typer app, or a function as a command of its own, on sys.argv."""
    from typer._click.exceptions import ClickException  # typer vendors click
    from typer.main import get_command

    if not isinstance(command, typer.Typer):
        app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
        app.command()(command)
        command = app
    try:
        code = get_command(command).main(standalone_mode=False)
    except typer.Abort:
        code = 130
    except ClickException as error:
        typer.echo(f"error: {error.format_message()}", err=True)
        code = 2
    raise SystemExit(code or 0)
