"""What a file really is, from its first bytes, for the message when it is not what its name or
place claims: a gzip'd ndjson is "gzip-compressed", not "not a readable .npz file"."""

from __future__ import annotations

from pathlib import Path

# First bytes -> what the file is; the first that matches wins.
SIGNATURES = (
    (b"\x1f\x8b", "gzip-compressed (decompress it first: gunzip)"),
    (b"BZh", "bzip2-compressed (decompress it first: bunzip2)"),
    (b"\xfd7zXZ\x00", "xz-compressed (decompress it first: unxz)"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x93NUMPY", "a single .npy array, not an .npz of named arrays"),
    (b"\x89HDF", "an HDF5 file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xef\xbb\xbf", "text starting with a UTF-8 byte-order mark"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
    (b"\x00\x00\x08", "an IDX file (MNIST's format: give its folder)"),
)
UTF8_BOM = b"\xef\xbb\xbf"


def what_it_is(path: Path) -> str:
    """A few words on what `path` holds, judged by its first bytes."""
    try:
        with path.open("rb") as file:
            start = file.read(512)
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    if not start:
        return "empty"
    for signature, description in SIGNATURES:
        if start.startswith(signature):
            return description
    stripped = start.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "JSON text"
    if all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start):
        return "plain text"
    return "binary data of an unknown kind"
