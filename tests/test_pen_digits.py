"""The pen-digit benchmark on the first digits of both real stroke sets, on the real page."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from typer.testing import CliRunner

from benchmarks.common import HEADER
from benchmarks.pen_digits import CHECKED, ROW, app
from tests.helpers import SHARED_DATA

DIGITS = ROW  # of each set: one row of them in several-digit mode


def test_benchmark_replays_both_sets_and_pointer_events_draw_what_the_mouse_draws(
    exported_dir, tmp_path
):
    figures_file = tmp_path / "figures.json"
    args = ["--model", exported_dir, "--uji", SHARED_DATA / "ujipenchars" / "UJIpenchars-w01",
            "--pendigits", SHARED_DATA / "pendigits", "--sizes", "0.6", "--limit", DIGITS,
            "--json", figures_file]
    # In a thread of its own: Playwright's sync API will not start inside the page tests' loop.
    with ThreadPoolExecutor(1) as thread:
        result = thread.submit(CliRunner().invoke, app, [str(arg) for arg in args]).result()
    assert result.exit_code == 0, result.output
    assert HEADER.match(result.output.splitlines()[0]), result.output

    figures = json.loads(figures_file.read_text())
    assert list(figures["sets"]) == ["uji", "pendigits"]
    for name, by_set in figures["sets"].items():
        [(size, one)] = by_set["sizes"].items()
        assert size == "0.6" and one["digits"] == DIGITS
        assert one["predict_ms"]["calls"] == DIGITS and one["predict_ms"]["median"] > 0
        misread = sum(count for _, _, count in one["confusions"])
        assert one["right"] == DIGITS - misread
        row = by_set["several"]
        assert row["rows"] == 1 and row["digits"] == ROW and row["read_number_ms"]["calls"] == 1
        assert row["right"] == (row["digits_right"] == ROW)
        assert f"| {name} | 1 digit, 60% of the pad | {DIGITS} | {one['right']} |" in result.output
    check = figures["mouse_check"]
    assert check["drawings"] == 2 * min(CHECKED, DIGITS)
    assert check["same_answer"] == check["drawings"], check["disagreements"]
    assert check["max_input_difference"] < 1  # grey levels of the model's input
