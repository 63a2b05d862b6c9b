"""What a command may write to --out: never inside a folder of the kind it writes (replacing that
one would damage this one), never over a file or a folder of another kind, and over one of its
own kind only with --force. The trainer (a finished run) and the export (a page's model) both
refuse through `refuse_unsafe_out`, each in its own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runfolder.atomic import real_path
from runfolder.errors import OneLineError


@dataclass(frozen=True)
class OutputKind:
    """The folders a command writes, and its refusals; each message is a format string of `out`
    (the --out given) and, for `inside`, the folder it is inside of."""

    is_one: Callable[[Path], bool]  # the folder holds one of these already
    error: type[OneLineError]
    unresolvable: str  # `out` cannot be resolved (a loop of links); also gets `reason`
    inside: str
    a_file: str
    not_one: str
    needs_force: str


def refuse_unsafe_out(out: Path, kind: OutputKind, force: bool) -> None:
    """Refuse, in one line, an `out` inside a folder of `kind`, a file, a folder of another kind,
    or one of this kind without `force`. An empty folder is taken: nothing in it is lost."""
    refuse_inside(out, kind)
    refuse_replacing(out, kind, force)


def refuse_inside(out: Path, kind: OutputKind) -> None:
    try:
        real = real_path(out)
    except OSError as error:
        raise kind.error(kind.unresolvable.format(out=out, reason=error.strerror)) from None
    inside = next((folder for folder in real.parents if kind.is_one(folder)), None)
    if inside is not None:
        raise kind.error(kind.inside.format(out=out, inside=inside))


def refuse_replacing(out: Path, kind: OutputKind, force: bool) -> None:
    if out.is_dir():
        if not any(out.iterdir()):
            return
        if not kind.is_one(out):
            raise kind.error(kind.not_one.format(out=out))
        if not force:
            raise kind.error(kind.needs_force.format(out=out))
    elif out.exists() or out.is_symlink():
        raise kind.error(kind.a_file.format(out=out))
