"""What a file really is, from its first bytes: a kind for code to decide by, and a description
for the message when it is not what its name or place claims (a gzip'd ndjson is
"gzip-compressed", not "not a readable .npz file")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Kind(Enum):
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    ZIP = "zip"  # what every .npz is
    NPY = "npy"
    HDF5 = "hdf5"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    PDF = "pdf"
    BOM_TEXT = "bom-text"  # UTF-8 with a byte-order mark
    UTF16 = "utf16"
    IDX = "idx"
    JSON = "json"
    TEXT = "text"
    BINARY = "binary"  # of no kind known here
    EMPTY = "empty"
    UNREADABLE = "unreadable"


IMAGES = frozenset({Kind.PNG, Kind.JPEG, Kind.GIF})


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    description: str  # for messages: "gzip-compressed (decompress it first: gunzip)"


UTF8_BOM = b"\xef\xbb\xbf"
# First bytes -> what the file is; the first that matches wins.
SIGNATURES = (
    (b"\x1f\x8b", Kind.GZIP, "gzip-compressed (decompress it first: gunzip)"),
    (b"BZh", Kind.BZIP2, "bzip2-compressed (decompress it first: bunzip2)"),
    (b"\xfd7zXZ\x00", Kind.XZ, "xz-compressed (decompress it first: unxz)"),
    (b"PK\x03\x04", Kind.ZIP, "a zip archive"),
    (b"\x93NUMPY", Kind.NPY, "a single .npy array, not an .npz of named arrays"),
    (b"\x89HDF", Kind.HDF5, "an HDF5 file"),
    (b"\x89PNG", Kind.PNG, "a PNG image"),
    (b"\xff\xd8\xff", Kind.JPEG, "a JPEG image"),
    (b"GIF8", Kind.GIF, "a GIF image"),
    (b"%PDF", Kind.PDF, "a PDF document"),
    (UTF8_BOM, Kind.BOM_TEXT, "text starting with a UTF-8 byte-order mark"),
    (b"\xff\xfe", Kind.UTF16, "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", Kind.UTF16, "UTF-16 text (save it as UTF-8)"),
    (b"\x00\x00\x08", Kind.IDX, "an IDX file (MNIST's format: give its folder)"),
)


def sniff(path: Path) -> Sniffed:
    """What `path` holds, judged by its first bytes."""
    try:
        with path.open("rb") as file:
            start = file.read(512)
    except OSError as error:
        return Sniffed(Kind.UNREADABLE, f"unreadable ({error.strerror or error})")
    if not start:
        return Sniffed(Kind.EMPTY, "empty")
    for signature, kind, description in SIGNATURES:
        if start.startswith(signature):
            return Sniffed(kind, description)
    stripped = start.lstrip()
    if stripped[:1] in (b"{", b"["):
        return Sniffed(Kind.JSON, "JSON text")
    if all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start):
        return Sniffed(Kind.TEXT, "plain text")
    return Sniffed(Kind.BINARY, "binary data of an unknown kind")
