"""Property-style: the stroke readers (ndjson, UNIPEN) given random and extreme numbers either
read strokes the renderer turns into finite images, or refuse with a DataError naming the file;
nothing else escapes them (issue 35)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.dataset import MNIST_RECIPE, DataError
from trainer.sources.ndjson import read_ndjson
from trainer.sources.stroke_files import read_unipen
from trainer.strokes import LARGEST_COORDINATE, render_inputs

EXTREMES = [0, -0.0, 1e-320, 5e-324, 1e6, -1e6, 1e6 + 1, 1e308, -1e308, 2**63, -(2**63), 10**400]
NUMBERS = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=-1000, max_value=1000),
)
STROKES = st.lists(st.lists(st.tuples(NUMBERS, NUMBERS), min_size=1, max_size=6),
                   min_size=1, max_size=4)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def check_read_or_refused(read: Callable[[Path], list], path: Path, refusal: str) -> None:
    """`read(path)` gives one character whose strokes are within the pad's range and render to a
    finite image, or refuses with a DataError that starts with `refusal`."""
    try:
        (character,) = read(path)
    except DataError as error:
        assert str(error).startswith(refusal)
        return
    strokes = character.strokes
    assert all(abs(v) <= LARGEST_COORDINATE for stroke in strokes for p in stroke for v in p)
    images = render_inputs([strokes], MNIST_RECIPE)
    assert np.isfinite(np.asarray(images, dtype=np.float64)).all()


def as_json_number(value) -> str:
    """JSON's text for a number, as a hostile file may write it (NaN and Infinity included)."""
    if isinstance(value, float) and not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)


@FUZZ
@given(strokes=STROKES)
def test_ndjson_reads_or_refuses_any_numbers(tmp_path, strokes):
    drawing = ", ".join(
        f"[[{', '.join(as_json_number(x) for x, _ in stroke)}], "
        f"[{', '.join(as_json_number(y) for _, y in stroke)}]]" for stroke in strokes)
    path = tmp_path / "fuzz.ndjson"
    path.write_text(f'{{"word": "7", "drawing": [{drawing}]}}\n')
    check_read_or_refused(read_ndjson, path, f"{path}: line 1: ")


def as_unipen_number(value) -> str:
    if isinstance(value, float) and not np.isfinite(value):
        return "nan" if np.isnan(value) else "9" * 400  # UNIPEN has no infinity: a long number
    return f"{value}" if isinstance(value, int) else f"{value:.6f}"


@FUZZ
@given(strokes=STROKES)
def test_unipen_reads_or_refuses_any_numbers(tmp_path, strokes):
    lines = ['.COMMENT fuzz', '.SEGMENT DIGIT 0 ? "7"']
    for stroke in strokes:
        lines += [".PEN_DOWN", *(f" {as_unipen_number(x)} {as_unipen_number(y)}"
                                 for x, y in stroke), ".PEN_UP"]
    path = tmp_path / "fuzz.tra"
    path.write_text("\n".join(lines) + "\n")
    check_read_or_refused(read_unipen, path, f"{path}: ")
