r"""UNIPEN as distributed (train_r01_v07): segment files that include their pen data.

    ROOT/data/1a/gmd/alek.dat            ROOT/include/gmd/data/alek.dat
    .INCLUDE gmd/gmd.doc                 .WRITER_ID alek
    .INCLUDE gmd/data/alek.dat           .X_POINTS_PER_INCH 508 (or .X_POINTS_PER_MM)
    .SEGMENT CHARACTER 99-100 OK "4"     .PEN_DOWN / x y lines / .PEN_UP / x y lines ...

`.INCLUDE` names a file under ROOT/include (never outside it, through `..` or a symlink); included
files may include others, INCLUDE_DEPTH deep at most, and a segment file INCLUDED_BYTES in all.
A file that holds NUL bytes (binary data, UTF-16) is refused. A missing header
(`.doc`, no pen data: imp's and pri's are not in the distribution) is passed over; any other
missing file is an error. Every
`.PEN_DOWN` and `.PEN_UP` block that holds points is a component, counted from 0 over the included
files in the order they are included. A `.SEGMENT` names components (`25`, `25-26`, `468,471`) or
points within them (`426:18-426:68`, `405:7-406`, `379-380:1`; points counted from 0, ends
included); its character's strokes are the `.PEN_DOWN` components (or parts) in that range. The
quality field is `OK` (verified) or `?`. The y axis points up, and each source has its own scale
(`.X_POINTS_PER_INCH`, `.Y_POINTS_PER_INCH` or per mm), so points are divided by it before the
character is drawn on the page's pad with the recipe (trainer/strokes.py), as stroke_files.py does.

Writers are `source/id` (`gmd/alek`). The test split is whole sources, HELD_OUT_SOURCES: writers
from other countries than those the model learns from. `ROOT/SOURCE` (e.g. `unipen/gmd`) reads one
source, all of it, to measure on; `ROOT/SECTION` (e.g. `unipen-more/1d`, the symbols) one section,
with the same test split; `ROOT/ok` the segments marked OK alone (7,274 of 15,953 in 1a), with
the same test split. A label is written between double quotes, a backslash escaping the next
character (`"\""` is a double quote); `"\@"` marks a ligature or garbage, not a character, and
such segments are left out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trainer.dataset import MNIST_RECIPE, DataError, Dataset, text_lines, with_test_split
from trainer.preprocess import Recipe
from trainer.strokes import COORDINATE_PROBLEM, Stroke, render_inputs, within_pad_range

# Germany and Spain: crossed 7s and continental 1s, which the US sources and MNIST lack.
HELD_OUT_SOURCES = ("gmd", "val")
VERIFIED, VERIFIED_ONLY = "OK", "ok"  # ROOT/ok: the segments whose quality field is OK, alone
DATA, INCLUDE = "data", "include"
HEADER_SUFFIX = ".doc"  # a header of documentation keywords, no pen data: may be missing
# The label is quoted; within it a backslash escapes the next character: "\"" is a double
# quote, "\\" a backslash, and "\@" marks a ligature or garbage, not a character (the .doc headers).
SEGMENT = re.compile(r'\.SEGMENT\s+\S+\s+(\S+)\s+(\S+)\s+"((?:[^"\\]|\\.)*)"\s*$')
NOT_A_CHARACTER = "\\@"
# A component, or component:point; numbers longer than this are refused before conversion.
BOUND = re.compile(r"(\d{1,9})(?::(\d{1,9}))?$")
SCALE = re.compile(r"\.([XY])_POINTS_PER_(INCH|MM)\s+(\S+)\s*$")
MM_PER_INCH = 25.4
INCLUDE_DEPTH = 16  # files included by included files; the distribution's go 2 deep
INCLUDES = 256  # inclusions one segment file may make in all (the distribution's: 4 at most)
INCLUDED_BYTES = 64 << 20  # what one segment file may include, repeats counted (real: 1.3 MB)
SHOWN = 40  # characters of a bad value shown in an error


@dataclass
class Component:
    """The points of one .PEN_DOWN or .PEN_UP block, in the source's units (y up)."""

    down: bool
    points: list[tuple[float, float]]
    writer: str
    scale: tuple[float, float]  # points per inch along x and y


@dataclass
class PenData:
    """What a segment file's includes hold: components in order, and where each file ends."""

    components: list[Component] = field(default_factory=list)
    writer: str = ""
    scale: list[float] = field(default_factory=lambda: [1.0, 1.0])


@dataclass
class Character:
    label: str
    strokes: list[Stroke]  # y down, in inches
    quality: str  # OK or ?
    writer: str  # source/id


def is_unipen_root(path: Path) -> bool:
    return (path / DATA).is_dir() and (path / INCLUDE).is_dir()


def is_unipen_source(path: Path) -> bool:
    """ROOT or ROOT/SOURCE, one source of a UNIPEN tree."""
    return is_unipen_root(path) or (not path.exists() and is_unipen_root(path.parent))


def load_unipen(path: Path, recipe: Recipe = MNIST_RECIPE) -> Dataset:
    """Every character of a UNIPEN tree (test split: HELD_OUT_SOURCES), or of one source of it."""
    root, only = (path, None) if is_unipen_root(path) else (path.parent, path.name)
    verified = only == VERIFIED_ONLY
    whole_source = only is not None and not verified and not is_section(root, only)
    files = segment_files(root, None if verified else only)
    characters, sources = [], []
    for file, source in files:
        read = [c for c in read_segment_file(file, root, source)
                if not verified or c.quality == VERIFIED]
        characters += read
        sources += [source] * len(read)
    if not characters:
        raise DataError(f"{path}: no .SEGMENT lines in its segment files")
    labels = sorted({c.label for c in characters})
    y = np.array([labels.index(c.label) for c in characters], dtype=np.int64)
    x = render_inputs([c.strokes for c in characters], recipe)
    is_test = (np.zeros(len(y), bool) if whole_source
               else np.isin(sources, HELD_OUT_SOURCES))
    source = f"{path} ({len(characters):,} UNIPEN pen characters drawn on the page's pad)"
    return with_test_split(x, y, is_test, labels, source, recipe, path,
                           writers=np.array([c.writer for c in characters]))


def is_section(root: Path, name: str) -> bool:
    """Whether `name` is one of the tree's sections (ROOT/data/1a, 1d, ...), not a source."""
    return (root / DATA / name).is_dir()


def segment_files(root: Path, only: str | None) -> list[tuple[Path, str]]:
    """(file, source) for each file under ROOT/data/SECTION/SOURCE, sorted; only those of the
    section or source `only`."""
    found = sorted(
        (file, file.relative_to(root / DATA).parts[1])
        for file in (root / DATA).rglob("*")
        if file.is_file() and len(file.relative_to(root / DATA).parts) >= 3
    )
    if only is not None:
        section = is_section(root, only)
        found = [(file, source) for file, source in found
                 if (file.relative_to(root / DATA).parts[0] if section else source) == only]
        if not found:
            known = sorted({source for _, source in segment_files(root, None)})
            raise DataError(f"{root / only}: no such UNIPEN section or source (the sources under "
                            f"{root / DATA}: {', '.join(known)})")
    if not found:
        raise DataError(f"{root / DATA}: no segment files (DATA/SECTION/SOURCE/FILE)")
    return found


def read_segment_file(path: Path, root: Path, source: str) -> list[Character]:
    """The characters a segment file names, from the pen data it includes."""
    pen = PenData()
    included = Included(root)
    characters = []
    for number, line in enumerate(unipen_lines(path), start=1):
        line = line.strip()
        if line.startswith(".INCLUDE"):
            include(included, line.split(maxsplit=1)[1:], pen, f"{path}: line {number}", set())
        elif line.startswith(".SEGMENT"):
            read = character(line, pen, source, f"{path}: line {number}")
            if read is not None:
                characters.append(read)
    return characters


class Included:
    """The files one segment file includes: each found inside ROOT/include and read once, and
    what they add up to bounded (INCLUDES inclusions, INCLUDED_BYTES, repeats counted)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / INCLUDE
        self.inside = self.folder.resolve()
        self.files: dict[Path, tuple[list[str], int]] = {}
        self.count = self.bytes = 0

    def path(self, name: str, where: str) -> Path | None:
        """The file `.INCLUDE name` names; None for a missing header."""
        path = self.folder / name
        try:
            outside = not path.resolve().is_relative_to(self.inside)
        except (OSError, RuntimeError) as error:  # a symlink loop, a name too long
            raise DataError(f"{where}: .INCLUDE {shown(name)}: {error}") from None
        if outside:
            raise DataError(f"{where}: .INCLUDE {shown(name)}: outside {self.folder}")
        if not path.is_file() and path.suffix == HEADER_SUFFIX:
            return None  # imp's and pri's headers are missing; their files set the rest
        if not path.is_file():
            raise DataError(f"{where}: .INCLUDE {shown(name)}: no such file in {self.folder}")
        return path

    def lines(self, path: Path, where: str) -> list[str]:
        key = path.resolve()
        if key not in self.files:
            lines = unipen_lines(path)
            self.files[key] = lines, sum(len(line) + 1 for line in lines)
        lines, size = self.files[key]
        self.count, self.bytes = self.count + 1, self.bytes + size
        if self.count > INCLUDES or self.bytes > INCLUDED_BYTES:
            raise DataError(f"{where}: the includes add up to over {INCLUDES} files or "
                            f"{INCLUDED_BYTES >> 20} MB (files included again and again?)")
        return lines


def include(included: Included, name: list[str], pen: PenData, where: str,
            seen: set[Path]) -> None:
    """Read the included file's components (and its own includes) into `pen`."""
    if not name:
        raise DataError(f"{where}: .INCLUDE without a file name")
    path = included.path(name[0].strip(), where)
    if path is None:
        return
    if path in seen:
        raise DataError(f"{where}: .INCLUDE {name[0].strip()} includes itself")
    if len(seen) >= INCLUDE_DEPTH:
        raise DataError(f"{where}: .INCLUDE {shown(name[0].strip())}: includes nested over "
                        f"{INCLUDE_DEPTH} deep")
    block: Component | None = None
    for number, line in enumerate(included.lines(path, where), start=1):
        line = line.strip()
        if not line.startswith("."):
            if block is not None and (point := as_point(line)):
                if not within_pad_range(*point):  # nan, inf, or thousands of digits
                    raise DataError(f"{path}: line {number}: {COORDINATE_PROBLEM}")
                block.points.append(point)
            continue
        if block is not None and block.points:
            pen.components.append(block)
        block = None
        keyword, *value = line.split(maxsplit=1)
        if keyword in (".PEN_DOWN", ".PEN_UP"):
            block = Component(keyword == ".PEN_DOWN", [], pen.writer, (pen.scale[0], pen.scale[1]))
        elif keyword == ".WRITER_ID" and value:
            pen.writer = value[0].strip()
        elif keyword == ".INCLUDE":
            include(included, value, pen, f"{path}: line {number}", seen | {path})
        elif scale := SCALE.match(line):
            pen.scale["XY".index(scale[1])] = points_per_inch(scale, f"{path}: line {number}")
    if block is not None and block.points:
        pen.components.append(block)


def points_per_inch(scale: re.Match[str], where: str) -> float:
    """A .X_POINTS_PER_INCH (or _MM) line's value, per inch: a finite number above 0."""
    axis, unit, amount = scale.groups()
    try:
        per_inch = float(amount) * (MM_PER_INCH if unit == "MM" else 1)
    except ValueError:
        per_inch = math.nan
    if not (math.isfinite(per_inch) and per_inch > 0):
        raise DataError(f"{where}: .{axis}_POINTS_PER_{unit} {shown(amount)}: not a finite "
                        "number above 0")
    return per_inch


def shown(text: str) -> str:
    """A value from a file, cut to SHOWN characters for an error line."""
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(text):,} characters)"


def character(line: str, pen: PenData, source: str, where: str) -> Character | None:
    """The character a .SEGMENT line names: its pen-down points in the range, y down, inches;
    None for a segment that is not a character (a ligature or garbage)."""
    match = SEGMENT.match(line)
    if match is None:
        raise DataError(f'{where}: not a .SEGMENT line like .SEGMENT CHARACTER 25-26 OK "4"')
    ranges, quality, quoted = match.groups()
    label = decoded_label(quoted)
    if label is None:
        return None
    strokes: list[Stroke] = []
    writer = None
    for part in ranges.split(","):
        (first, start), (last, end) = bounds(part, where)
        if last >= len(pen.components):
            raise DataError(f"{where}: .SEGMENT {ranges} names component {last}, but the included "
                            f"files hold {len(pen.components)} (0-{len(pen.components) - 1})")
        if first > last or (first == last and start > (end if end is not None else start)):
            raise DataError(f"{where}: .SEGMENT {ranges}: the range ends before it starts")
        for number in range(first, last + 1):
            component = pen.components[number]
            writer = component.writer if writer is None else writer
            if not component.down:
                continue
            points = component.points[start if number == first else 0:
                                      end + 1 if number == last and end is not None else None]
            (x_scale, y_scale) = component.scale
            if points:
                strokes.append([(x / x_scale, -y / y_scale) for x, y in points])
    if not strokes:
        raise DataError(f"{where}: .SEGMENT {ranges} names no pen-down points")
    return Character(label, strokes, quality, f"{source}/{writer or '?'}")


def decoded_label(quoted: str) -> str | None:
    r"""A label as written between a .SEGMENT's quotes, its escapes decoded (`\"` a double
    quote, `\\` a backslash); None for NOT_A_CHARACTER."""
    if quoted == NOT_A_CHARACTER:
        return None
    return re.sub(r"\\(.)", r"\1", quoted)


def as_point(line: str) -> tuple[float, float] | None:
    """x and y of an `x y [more values]` line, None for any other line."""
    values = line.split()
    try:
        return (float(values[0]), float(values[1])) if len(values) >= 2 else None
    except ValueError:
        return None


def unipen_lines(path: Path) -> list[str]:
    """A file's lines; headers write names in Latin-1 (Valladolid's), which never matter here.
    Latin-1 decodes any bytes: a NUL says the file is binary data or UTF-16, not UNIPEN text."""
    lines = text_lines(path, "UNIPEN", encoding="latin-1")
    if any("\x00" in line for line in lines):
        raise DataError(f"{path}: not UNIPEN text (NUL bytes: binary data, or UTF-16)")
    return lines


def bounds(part: str, where: str) -> tuple[tuple[int, int], tuple[int, int | None]]:
    """((first component, its first point), (last component, its last point or None: all))."""
    ends = part.split("-")
    matches = [BOUND.match(end) for end in ends]
    if len(ends) > 2 or not all(matches):
        raise DataError(f"{where}: .SEGMENT range {shown(part)!r} is not like 25, 25-26 or "
                        "426:18-426:68 (numbers of 9 digits at most)")
    (first, start), (last, end) = (m.groups() for m in (matches[0], matches[-1]) if m)
    return ((int(first), int(start or 0)),
            (int(last), int(end) if end is not None else None))
