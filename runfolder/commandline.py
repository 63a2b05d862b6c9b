"""Every command line of the project ends a usage error (an unknown flag, `--epochs abc`) in one
line, exit status 2, instead of click's multi-line box; and a OneLineError the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from runfolder.errors import OneLineError


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


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A OneLineError ends the command: `error: MESSAGE` on stderr, exit status 2."""
    try:
        yield
    except OneLineError as error:
        fail(error)


def fail(error: Exception | str) -> NoReturn:
    """One line naming the file or flag and the problem, exit status 2; no traceback."""
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(2) from None
