"""The ETL Character Database's binary B-type files: ETL8B (ETL8B2C1..3) and ETL9B (ETL9B_1..5).

Layouts as published at etlcdb.db.aist.go.jp (form_e8b.htm, form_e9b.htm): fixed-length big-endian
records, the first of each file a dummy; each record holds the serial sheet number, the JIS X 0208
code, a 4-letter reading and a 64x63 1-bit image, row by row, most significant bit first, 1 = ink.
ETL9B pads each record with 64 bytes of unknown use. ETL8B2C3 ends with 956 samples, one per
character, that the AIST page calls "model images"; they are kept like the others.

The records stay on disk (np.memmap): ETL9B alone has 607,200 of them. Each image is normalised
when it is read the way the page normalises a drawing (ETL_RECIPE), so that the model sees
training characters exactly as it will see drawn ones.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from trainer.dataset import SPLIT_SEED, TEST_FRACTION, DataError, Dataset, checked, holdout
from trainer.images import DiskImages, stream_numpy
from trainer.preprocess import Recipe, images_to_inputs

if TYPE_CHECKING:
    import tensorflow as tf

_FIELDS = [("sheet", ">u2"), ("jis", ">u2"), ("reading", "S4"), ("image", "u1", (504,))]
RECORDS = {
    "ETL8B": np.dtype(_FIELDS),  # 512 bytes, struct ">2H4s504s"
    "ETL9B": np.dtype([*_FIELDS, ("uncertain", "V64")]),  # 576 bytes, struct ">2H4s504s64x"
}
FILE_NAME = re.compile(r"(ETL[89]B)[^.]*")  # ETL8B2C1, ETL9B_1 (the AIST names: ETL8B2-1, ETL9B-1)
ETL_WIDTH, ETL_HEIGHT = 64, 63

# Kanji have many strokes: at 64 px they stay apart, at 28 they would blur together.
ETL_SIZE = 64
# The ink's longer side: a 6 px margin (MNIST keeps 4 of 28) leaves room for augmentation's shifts
# and turns, while dense characters get more of the field than MNIST's 20/28.
ETL_BOX = 52
# A pen 3 px thick in the 52 px box, like ETL's strokes; MNIST's 0.12 of the box would fill the
# gaps between a kanji's strokes.
ETL_PEN = 0.06
ETL_MAX_STROKES = 40  # the most strokes among JIS X 0208's kanji is 30-odd
ETL_RECIPE = Recipe(size=ETL_SIZE, box=ETL_BOX, pen=ETL_PEN, max_strokes=ETL_MAX_STROKES)


def is_etl_file(path: Path) -> bool:
    return FILE_NAME.fullmatch(path.name) is not None


def etl_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_file() and is_etl_file(path))


def load_etl(path: Path) -> Dataset:
    """One ETL8B/ETL9B file, or a folder of them, as a disk-backed dataset of 64x64 drawings."""
    files = etl_files(path) if path.is_dir() else [path]
    if not files:
        raise DataError(f"{path}: no ETL8B or ETL9B files (named like ETL8B2C1 or ETL9B_1)")
    records = EtlRecords(files)
    codes = records.jis_codes()
    labels, y = _labels(codes, records)
    train, test = holdout(len(codes))
    kinds = " + ".join(sorted({_kind(file) for file in files}))
    source = (
        f"{kinds} {path} ({len(codes):,} characters; ETL has no test split, so "
        f"{TEST_FRACTION:.0%} are held out by seed {SPLIT_SEED})"
    )
    dataset = Dataset(
        DiskImages(records, train),
        y[train],
        DiskImages(records, test),
        y[test],
        labels,
        source,
        recipe=ETL_RECIPE,
    )
    return checked(dataset, path)


class EtlRecords:
    """The samples of several ETL files, memory-mapped, numbered across the files in order."""

    image_shape = (ETL_SIZE, ETL_SIZE)

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.maps = [_memmap(file) for file in files]
        self.starts = np.cumsum([0] + [len(records) for records in self.maps])

    def jis_codes(self) -> np.ndarray:
        return np.concatenate([records["jis"] for records in self.maps]).astype(np.int64)

    def locate(self, index: int) -> tuple[Path, int]:
        """The file and record number (the dummy is record 0) of a sample."""
        which = int(np.searchsorted(self.starts, index, side="right")) - 1
        return self.files[which], index - int(self.starts[which]) + 1

    def read(self, indices: np.ndarray) -> np.ndarray:
        indices = np.asarray(indices, dtype=np.int64)
        packed = np.empty((len(indices), 504), np.uint8)
        which = np.searchsorted(self.starts, indices, side="right") - 1
        for number, records in enumerate(self.maps):
            here = which == number
            if here.any():
                packed[here] = records["image"][indices[here] - self.starts[number]]
        return images_to_inputs(unpack_images(packed), replace(ETL_RECIPE, invert=False))

    def to_tf(self, indices: np.ndarray) -> tf.data.Dataset:
        return stream_numpy(self.read, indices, self.image_shape)


def unpack_images(packed: np.ndarray) -> np.ndarray:
    """(N, 504) packed ETL bitmaps -> (N, 64, 64) uint8, ink 255 on 0, a blank row added below."""
    bits = np.unpackbits(packed, axis=1).reshape(-1, ETL_HEIGHT, ETL_WIDTH)
    return np.pad(bits * np.uint8(255), ((0, 0), (0, ETL_WIDTH - ETL_HEIGHT), (0, 0)))


def jis_to_char(code: int) -> str:
    """A JIS X 0208 code (row and cell bytes 0x21..0x7E) as its Unicode character, via EUC-JP."""
    return bytes([code >> 8 | 0x80, code & 0xFF | 0x80]).decode("euc_jp")


def _labels(codes: np.ndarray, records: EtlRecords) -> tuple[list[str], np.ndarray]:
    """The sorted characters present, and each sample's index into them."""
    unique, inverse = np.unique(codes, return_inverse=True)
    chars = []
    for code in unique:
        try:
            chars.append(jis_to_char(int(code)))
        except UnicodeDecodeError:
            file, record = records.locate(int(np.flatnonzero(codes == code)[0]))
            raise DataError(
                f"{file}: record {record} has JIS code 0x{code:04X}, not a JIS X 0208 character"
            ) from None
    rank = np.argsort(np.argsort(chars))  # position of each code's character in sorted order
    return sorted(chars), rank[inverse]


def _memmap(path: Path) -> np.memmap:
    kind = _kind(path)
    record = RECORDS[kind]
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error})") from None
    if size % record.itemsize:
        raise DataError(
            f"{path}: {size:,} bytes is not a whole number of {record.itemsize}-byte {kind} "
            "records (truncated?)"
        )
    if size < 2 * record.itemsize:
        raise DataError(f"{path}: no samples after the dummy first record")
    try:
        return np.memmap(path, dtype=record, mode="r", offset=record.itemsize)
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot read ({error})") from None


def _kind(path: Path) -> str:
    match = FILE_NAME.fullmatch(path.name)
    if match is None:
        raise DataError(f"{path}: not named like an ETL8B or ETL9B file (ETL8B2C1, ETL9B_1)")
    return match.group(1)
