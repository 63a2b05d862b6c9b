"""The teach-writers benchmark on one pendigits writer: the tests' model fine-tuned on two of
their drawings of each digit, then their other drawings and another writer's read before and
after."""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from typer.testing import CliRunner

from benchmarks.teach_writers import app
from tests.helpers import SHARED_DATA
from trainer.sources.stroke_files import read_unipen
from trainer.split_writers import split


def test_a_writer_taught_two_drawings_of_each_digit(trained_dir, tmp_path):
    _, two_writers, _, _ = split((SHARED_DATA / "pendigits" / "pendigits-orig.tra").read_text(),
                                 {21, 22})
    pendigits = tmp_path / "pendigits-orig.tes"
    pendigits.write_text(two_writers)
    counts = {writer: sum(c.writer == writer for c in read_unipen(pendigits))
              for writer in ("21", "22")}

    result = CliRunner().invoke(app, ["--model", str(trained_dir), "--pendigits", str(pendigits),
                                      "--per-digit", "2", "--writers", "21"])
    assert result.exit_code == 0, result.output
    # The drawings are few: each fine-tuning epoch goes over them until it has made 10 steps.
    assert re.search(r"fine-tuning: each epoch goes over the \d+ training images \d+ times",
                     result.output)
    row = re.search(rf"^\| 21 \| 20 \| {counts['21'] - 20} \| ([\d.]+)% \| ([\d.]+)% "
                    rf"\| {counts['22']} \| ([\d.]+)% \| ([\d.]+)% \|$", result.output, re.M)
    assert row, result.output
    assert all(0 < float(share) <= 100 for share in row.groups())


def test_bad_input_is_one_line(trained_dir, tmp_path):
    uji = SHARED_DATA / "ujipenchars" / "UJIpenchars-w01"
    pendigits = SHARED_DATA / "pendigits" / "pendigits-orig.tra"
    for args, message in [
        (["--model", tmp_path], f"--model {tmp_path}: no classifier.keras and run.json"),
        (["--pendigits", uji], f"--pendigits {uji}: 0 writer(s) named in its .COMMENT lines"),
        (["--pendigits", pendigits, "--writers", "31"],
         f"--writers: 31 not among the writers of {pendigits}"),
    ]:
        result = CliRunner().invoke(app, [str(arg) for arg in ["--model", trained_dir, *args]])
        assert result.exit_code == 2
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"error: {message}")


def test_bad_input_to_the_page_benchmark_is_one_line(exported_dir, tmp_path):
    pendigits = SHARED_DATA / "pendigits" / "pendigits-orig.tra"
    uji = SHARED_DATA / "ujipenchars" / "UJIpenchars-w01"
    without_outputs = tmp_path / "old-export"
    shutil.copytree(exported_dir, without_outputs)
    metadata = json.loads((without_outputs / "metadata.json").read_text())
    for key in ("outputs", "feature_size", "pooled_size", "output_layer"):
        del metadata[key]
    (without_outputs / "metadata.json").write_text(json.dumps(metadata))
    not_json = tmp_path / "not-json"
    shutil.copytree(exported_dir, not_json)
    (not_json / "metadata.json").write_text("{")
    for args, message in [
        (["--export", tmp_path], f"{tmp_path / 'model.json'}: not found"),
        (["--export", not_json], f"{not_json / 'metadata.json'}: "),
        (["--export", without_outputs], f"--export {without_outputs}: exported without feature "
                                        "outputs"),
        (["--pendigits", uji], f"--pendigits {uji}: 0 writer(s) named in its .COMMENT lines"),
        (["--pendigits", pendigits, "--writers", "31"],
         f"--writers: 31 not among the writers of {pendigits}"),
        (["--pendigits", pendigits, "--unipen", tmp_path],
         f"--unipen {tmp_path}: not a UNIPEN folder"),
        (["--uji", tmp_path / "nonexistent"], f"--uji {tmp_path / 'nonexistent'}: no such folder"),
        (["--unipen", tmp_path / "nonexistent"],
         f"--unipen {tmp_path / 'nonexistent'}: no such folder"),
        (["--pendigits", pendigits, "--unipen", symbols_tree(tmp_path / "more"),
          "--unipen-sources", "abc,gmd"], "--unipen-sources: gmd not among the sources of"),
    ]:
        result = CliRunner().invoke(app, [str(arg) for arg in [
            "--page", "--export", exported_dir, "--pendigits", pendigits, *args]])
        assert result.exit_code == 2, (args, result.output)
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"error: {message}"), line


# One writer's + and = (section 1d) and k and w (1c), 8 of each, as UNIPEN writes them (y up).
SYMBOL_STROKES = {"+": [[(0, 50), (100, 50)], [(50, 0), (50, 100)]],
                  "=": [[(0, 30), (100, 30)], [(0, 70), (100, 70)]],
                  "k": [[(0, 0), (0, 100)], [(60, 70), (0, 40), (60, 0)]],
                  "w": [[(0, 100), (25, 0), (50, 60), (75, 0), (100, 100)]]}


def symbols_tree(root: Path) -> Path:
    lines, component = [".WRITER_ID kim", ".X_POINTS_PER_INCH 100", ".Y_POINTS_PER_INCH 100"], 0
    segments: dict[str, list[str]] = {"1c": [], "1d": []}
    for label, strokes in SYMBOL_STROKES.items():
        for stroke in strokes:
            lines += [".PEN_DOWN", *(f"{x} {y}" for x, y in stroke), ".PEN_UP"]
        span = f"{component}-{component + len(strokes) - 1}"
        section = "1d" if label in "+=" else "1c"
        segments[section] += [f'.SEGMENT CHARACTER {span} OK "{label}"'] * 8
        component += len(strokes)
    (root / "include" / "abc").mkdir(parents=True)
    (root / "include" / "abc" / "kim.dat").write_text("\n".join(lines) + "\n")
    for section, rows in segments.items():
        (root / "data" / section / "abc").mkdir(parents=True)
        (root / "data" / section / "abc" / "kim.dat").write_text(
            "\n".join([".INCLUDE abc/kim.dat", *rows]) + "\n")
    return root


def test_the_page_learns_a_writer_from_k_drawings_of_each_digit(exported_dir, tmp_path):
    """--page: the page's own recognizer taught in Chromium, k = 1, 2 and 5 for a pendigits
    writer and k = 1 for a UJI writer, each read on their other drawings before and after; and
    the harm: 4 new labels, then mistaken taps."""
    uji = tmp_path / "uji"
    uji.mkdir()
    (uji / "UJIpenchars-w01").symlink_to(SHARED_DATA / "ujipenchars" / "UJIpenchars-w01")
    pendigits = SHARED_DATA / "pendigits" / "pendigits-orig.tra"
    args = ["--page", "--export", str(exported_dir), "--pendigits", str(pendigits),
            "--writers", "21", "--uji", str(uji),  # no --unipen: its writers not taught
            "--more", str(symbols_tree(tmp_path / "more"))]
    # In a thread of its own: Playwright's sync API runs one instance a thread, and the session's
    # Chromium (conftest.py) may hold this one's.
    with ThreadPoolExecutor(1) as thread:
        result = thread.submit(CliRunner().invoke, app, args).result()
    assert result.exit_code == 0, result.output
    rows = re.findall(r"^\| (21|w01) \| (\d) \| (\d+) \| ([\d,]+) \| ([\d.]+)% \| ([\d.]+)% "
                      r"\| (\d+) \| (\d+) \| ([\d.]+) / ([\d.]+) \|$", result.output, re.M)
    assert [(writer, int(k), int(taught)) for writer, k, taught, *_ in rows] == [
        ("21", 1, 10), ("21", 2, 20), ("21", 5, 50), ("w01", 1, 10)], result.output
    for writer, k, _, _, before, after, fit_ms, teach_ms, *_ in rows:
        # Taught, it reads them no worse
        assert float(after) >= float(before), (writer, k)
        assert int(fit_ms) <= int(teach_ms)  # the fit is part of teach()
    # Five drawings of each digit teach the tiny model this writer: far more are read right.
    before, after = rows[2][4:6]
    assert float(after) >= float(before) + 5
    harm = re.findall(r"^\| (21|w01) \| ([\d,]+) \| ([\d.]+)% \| ([\d.]+)% \| ([\d.]+) "
                      r"\| (\d+) of (\d+) \([\d.]+%\) \| (\d+) of (\d+) \| (\d+) "
                      r"\| (\d+) of ([\d,]+) ", result.output, re.M)
    assert [row[0] for row in harm] == ["21", "w01"], result.output
    for writer, _, before, after, _, held_right, held, _, _, taps, flipped, same in harm:
        assert int(held) == 12 and int(taps) >= 1, writer  # 3 held out of each new label
        assert float(after) >= float(before) - 1, writer  # new labels leave digits (nearly) be
        assert int(held_right) >= 9, writer  # the same hand's other drawings of them are read
        assert int(flipped) <= int(same.replace(",", "")) / 10 + 1, writer
