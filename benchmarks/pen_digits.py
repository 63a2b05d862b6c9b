"""How well does the page read real pen strokes? Replay two sets of them on #pad in Chromium.

    python -m benchmarks.pen_digits [--uji ../shared/data/ujipenchars]
        [--pendigits ../shared/data/pendigits] [--model web/model] [--sizes 0.3,0.6,0.9]
        [--limit N] [--json PATH]

The digits of UJI Pen Characters (screen coordinates) and of UCI pendigits (UNIPEN, y axis up;
a folder's .tes files, UCI's test writers, when it has any), read by the trainer's UNIPEN reader,
are drawn on the real page:

- one at a time, each at every size: centred, its longer side spanning that share of the pad
  (trainer/strokes.py `fit_to_pad`), read by window.app.predict();
- three side by side in several-digit mode (#multi): consecutive digits of one file, each
  ROW_FILL of the wide pad's height, GAP of it between neighbours, read by
  window.app.readNumber(); a row is right when the whole string is.

Each drawing is sent as the pointer events a mouse would send for its recorded points, dispatched
on #pad within the page, many drawings per call (DISPATCH_STROKES in benchmarks/page.py); the first
CHECKED digits of each set at each size are drawn again with Playwright's mouse (draw_strokes), to
show both paths give the page the same drawing: Playwright's mouse waits for a frame of the page
at each point (some 17 ms), far too slow for thousands of digits, and rows would add nothing to the
check. Latency is timed inside the page, around the recognizer's call. The page is driven only
through its automation contract (docs/page.md).
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from playwright.sync_api import ConsoleMessage, Page

from benchmarks.common import (
    markdown_table,
    numbers_up_to,
    percent,
    print_header,
    require_writable_file,
)
from benchmarks.page import DISPATCH_STROKES, draw_strokes
from export.browser import chromium, serve, site_with_model
from export.inputs import read_export
from runfolder.atomic import write_whole
from runfolder.commandline import fail, run
from runfolder.errors import OneLineError
from trainer.sources.stroke_files import TEST_SUFFIX, read_unipen, unipen_files
from trainer.strokes import Stroke, fit_to_pad

DIGITS = "0123456789"
ROW = 3  # digits side by side in several-digit mode
ROW_FILL = 0.5  # each one's longer side, as a share of the wide pad's height: a row always fits
# Between neighbours' points, as a share of the pad's height: two widths of the pad's on-screen
# pen (PEN_FRACTION in web/pad.js), so one pen of blank paper lies between the inks.
GAP = 2 / 20
CHECKED = 2  # digits per set and size also drawn with the mouse
BATCH = 50  # drawings per call into the page
SHOWN = 10  # confused pairs printed per set and mode; the JSON has them all
NOTHING = "nothing"  # how an empty answer (the page saw a dot, not a digit) is shown
TRAINING_SUFFIX = ".tra"  # UCI's training writers, which a model may have learnt from

# For page.evaluate: each drawing on a cleared pad through the pointer events, then the
# recognizer's answer (the top label, or the string read in several-digit mode) and the
# milliseconds the call took, timed in the page.
READ_DRAWINGS = f"""async ({{drawings, several}}) => {{
  const draw = {DISPATCH_STROKES};
  const results = document.getElementById('results');
  const answers = [];
  for (const strokes of drawings) {{
    document.getElementById('clear').click();
    // The page reads the pad again when it is cleared: let that run before drawing the next one.
    await window.app.ready;
    for (let tries = 0; results.childElementCount && tries < 20; tries++) {{
      await new Promise((done) => setTimeout(done));
    }}
    draw(strokes);
    const started = performance.now();
    const answer = await (several ? window.app.readNumber() : window.app.predict());
    const ms = performance.now() - started;
    answers.push([several ? answer : (answer[0]?.label ?? ''), ms]);
  }}
  return answers;
}}"""
TOP_LABEL = "window.app.predict().then((ranked) => ranked[0]?.label ?? '')"
MODEL_INPUT = "window.app.preprocess().then((input) => Array.from(input ?? []))"


class BenchmarkError(OneLineError):
    """Bad input; the message names the flag or file and the problem."""


@dataclass
class Digit:
    label: str
    strokes: list[Stroke]  # y down, in the file's units
    file: str


@dataclass
class StrokeSet:
    name: str
    source: str
    digits: list[Digit]

    def rows(self) -> list[list[Digit]]:
        """Consecutive digits of one file, ROW at a time; a file's last one or two are left out."""
        by_file: dict[str, list[Digit]] = {}
        for digit in self.digits:
            by_file.setdefault(digit.file, []).append(digit)
        return [digits[start : start + ROW] for digits in by_file.values()
                for start in range(0, len(digits) - ROW + 1, ROW)]


@dataclass
class Reads:
    """What the page answered for one set in one mode, drawing by drawing."""
    truths: list[str]
    answers: list[str]
    ms: list[float]
    seconds: float = 0.0  # the whole replay, drawing and reading, as Python timed it
    checks: list[dict] = field(default_factory=list)

    @property
    def right(self) -> int:
        return sum(map(str.__eq__, self.answers, self.truths))

    def wall_ms_per_drawing(self) -> float | None:
        return round(self.seconds / len(self.truths) * 1000, 1) if self.truths else None


@dataclass
class SetReads:
    """One set on the page: one digit at a time at each size (keyed by size_key), and in rows."""
    sizes: dict[str, Reads] = field(default_factory=dict)
    rows: Reads | None = None


def main(
    uji: Annotated[Path, typer.Option(help="UJI Pen Characters: a UJIpenchars-wNN file or their "
                                           "folder.")] = Path("../shared/data/ujipenchars"),
    pendigits: Annotated[Path, typer.Option(help="UCI pendigits in UNIPEN: a file or a folder "
                                                 "(its .tes files if it has any).")] = Path(
        "../shared/data/pendigits"
    ),
    model: Annotated[Path, typer.Option(help="Exported model folder.")] = Path("web/model"),
    sizes: Annotated[str, typer.Option(help="Drawing sizes: how much of the pad a digit spans, "
                                            "comma-separated.")] = "0.3,0.6,0.9",
    limit: Annotated[int | None, typer.Option(help="Only the first N digits of each "
                                                          "set.")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write every figure to "
                                                                  "this JSON file.")] = None,
) -> None:
    started = time.perf_counter()
    try:
        fills = numbers_up_to(sizes, "--sizes", 1, "a share of the pad a digit spans")
        if limit is not None and limit < 1:
            fail(f"--limit: {limit} digits; at least 1")
        if json_path is not None:
            require_writable_file(json_path, "--json")
        metadata = read_export(model)
        if metadata.get("input") != "drawing" or not set(DIGITS) <= set(metadata.get("labels", [])):
            fail(f"--model: {model}: not a model of drawn digits (its metadata)")
        sets = [read_set(uji, "--uji", limit), read_set(pendigits, "--pendigits", limit)]
        print_header(model)
        for stroke_set in sets:
            log(f"{stroke_set.name}: {stroke_set.source}")
        figures = replay(sets, model, metadata, fills)
    except OneLineError as error:
        fail(error)
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    typer.echo(report(figures))
    if json_path is not None:
        write_whole(json_path, lambda path: path.write_text(json.dumps(figures, indent=2) + "\n"))
        log(f"wrote {json_path}")


def read_set(path: Path, flag: str, limit: int | None) -> StrokeSet:
    """The digits of a UNIPEN file, or of a folder's files (its .tes files if it has any)."""
    if not path.exists():
        fail(f"{flag}: {path}: not found")
    files = unipen_files(path) if path.is_dir() else [path]
    files = [file for file in files if file.suffix == TEST_SUFFIX] or files
    digits = [Digit(character.label, character.strokes, file.name)
              for file in files for character in read_unipen(file) if character.label.isdigit()]
    if not digits:
        fail(f"{flag}: {path}: no digits in UNIPEN files")
    names = ", ".join(file.name for file in files)
    if len(files) > 2:
        names = f"{files[0].name} .. {files[-1].name} ({len(files)} files)"
    source = f"{len(digits):,} digits in {names}"
    if any(file.suffix == TRAINING_SUFFIX for file in files):
        source += " (UCI's training writers: no .tes file here)"
    if limit is not None and limit < len(digits):
        digits = digits[:limit]
        source += f", the first {limit:,}"
    return StrokeSet(flag.removeprefix("--"), source, digits)


def replay(sets: list[StrokeSet], model: Path, metadata: dict, fills: list[float]) -> dict:
    """Every drawing on the page; the figures, as the JSON holds them."""
    runs = {stroke_set.name: SetReads() for stroke_set in sets}
    with site_with_model(model) as site, serve(site) as base, chromium() as browser:
        page = browser.new_page(service_workers="block")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        def console_error(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", console_error)
        page.goto(base)
        page.evaluate("window.app.ready")
        page_facts = {"backend": page.evaluate("window.app.backend"),
                      "chromium": browser.version,
                      "device_pixel_ratio": page.evaluate("devicePixelRatio"),
                      "pad_css_px": pad_size(page)}
        for fill in fills:
            for stroke_set in sets:
                drawings = [fit_to_pad(digit.strokes, fill) for digit in stroke_set.digits]
                truths = [digit.label for digit in stroke_set.digits]
                reads = read_all(page, f"{stroke_set.name} at {fill:.0%}", drawings, truths,
                                 several=False)
                reads.checks = [check_with_mouse(page, strokes) for strokes in drawings[:CHECKED]]
                runs[stroke_set.name].sizes[size_key(fill)] = reads
        page.click("#multi")
        width, height = page_facts["wide_pad_css_px"] = pad_size(page)
        for stroke_set in sets:
            rows = stroke_set.rows()
            drawings = [side_by_side([d.strokes for d in row], width / height, ROW_FILL, GAP)
                        for row in rows]
            truths = ["".join(d.label for d in row) for row in rows]
            runs[stroke_set.name].rows = read_all(
                page, f"{stroke_set.name}, {ROW} side by side", drawings, truths, several=True)
    if errors:  # what the page answered after an error of its own measures nothing
        first = errors[0].splitlines()[0]
        fail(f"the page: {first} ({len(errors)} error(s) in all)")
    return figures_of(sets, runs, model, metadata, page_facts, fills)


def pad_size(page: Page) -> list[float]:
    box = page.locator("#pad").bounding_box()
    assert box is not None, "#pad: not shown on the page"
    return [box["width"], box["height"]]


def size_key(fill: float) -> str:
    return f"{fill:g}"


def side_by_side(digits: list[list[Stroke]], aspect: float, fill: float,
                 gap: float) -> list[Stroke]:
    """Digits in a row on a pad `aspect` times as wide as high, in pad units: each scaled as
    fit_to_pad scales it on a square of the pad's height, `gap` (a share of the height) between
    one's rightmost point and the next one's leftmost, the row centred."""
    placed: list[Stroke] = []
    left = 0.0
    for strokes in digits:
        square = fit_to_pad(strokes, fill)
        xs = [x for stroke in square for x, _ in stroke]
        shift = left - min(xs)
        placed += [[(x + shift, y) for x, y in stroke] for stroke in square]
        left = max(xs) + shift + gap
    width = left - gap
    if width > aspect:
        fail(f"#pad: {ROW} digits need {width:.2f} of the pad's height in width, "
                             f"the pad in several-digit mode is {aspect:.2f}")
    offset = (aspect - width) / 2
    return [[((x + offset) / aspect, y) for x, y in stroke] for stroke in placed]


def read_all(page: Page, what: str, drawings: list[list[Stroke]], truths: list[str],
             several: bool) -> Reads:
    """The page's answer to every drawing."""
    started = time.perf_counter()
    reads = Reads(truths, [], [])
    for start in range(0, len(drawings), BATCH):
        batch = drawings[start : start + BATCH]
        for answer, ms in page.evaluate(READ_DRAWINGS, {"drawings": batch, "several": several}):
            reads.answers.append(answer)
            reads.ms.append(ms)
    reads.seconds = time.perf_counter() - started
    log(f"{what}: {reads.right:,}/{len(truths):,} read right, "
        f"{milliseconds(reads.wall_ms_per_drawing())} per drawing")
    return reads


def check_with_mouse(page: Page, strokes: list[Stroke]) -> dict:
    """One digit sent both ways: the page's answer and model input for each, and the time."""
    def fast() -> str:
        [[answer, _]] = page.evaluate(READ_DRAWINGS, {"drawings": [strokes], "several": False})
        return answer

    def mouse() -> str:
        page.click("#clear")
        draw_strokes(page, strokes, spacing=math.inf)  # the recorded points only
        return page.evaluate(TOP_LABEL)

    seen = {}
    for path, draw_and_read in (("pointer_events", fast), ("mouse", mouse)):
        started = time.perf_counter()
        answer = draw_and_read()
        seconds = time.perf_counter() - started
        seen[path] = {"answer": answer, "input": page.evaluate(MODEL_INPUT), "seconds": seconds}
    fast_input, mouse_input = (np.array(seen[path]["input"]) for path in seen)
    return {"pointer_events": seen["pointer_events"]["answer"], "mouse": seen["mouse"]["answer"],
            "input_difference": float(np.abs(fast_input - mouse_input).max()),
            "seconds": {path: seen[path]["seconds"] for path in seen}}


def figures_of(sets: list[StrokeSet], runs: dict[str, SetReads], model: Path,
               metadata: dict, page_facts: dict, fills: list[float]) -> dict:
    singles = [reads for set_reads in runs.values() for reads in set_reads.sizes.values()]
    every_predict = [ms for reads in singles for ms in reads.ms]
    checks = [check for reads in singles for check in reads.checks]
    return {
        "model": {"folder": str(model), "name": metadata.get("name"),
                  "quantization": metadata.get("quantization"),
                  "bytes": metadata.get("model_bytes"),
                  "keras_test_accuracy": metadata.get("accuracy", {}).get("keras_test")},
        "page": page_facts,
        "machine": {"platform": platform.platform(), "cores": os.cpu_count()},
        "sizes": fills,
        "row": {"digits": ROW, "fill": ROW_FILL, "gap": GAP},
        "sets": {s.name: set_figures(s, runs[s.name]) for s in sets},
        "predict_ms": spread(every_predict),
        "mouse_check": {
            "drawings": len(checks),
            "same_answer": sum(c["pointer_events"] == c["mouse"] for c in checks),
            "max_input_difference": max(c["input_difference"] for c in checks),
            "seconds_per_drawing": {
                path: float(np.median([c["seconds"][path] for c in checks]))
                for path in ("pointer_events", "mouse")},
            "disagreements": [c for c in checks if c["pointer_events"] != c["mouse"]],
        },
    }


def set_figures(stroke_set: StrokeSet, set_reads: SetReads) -> dict:
    assert set_reads.rows is not None  # replay() reads every set in rows too
    every_size: Counter[tuple[str, str]] = Counter()
    for reads in set_reads.sizes.values():
        every_size.update(confusions(reads.truths, reads.answers))
    return {
        "source": stroke_set.source,
        "digits": len(stroke_set.digits),
        "sizes": {key: single_figures(reads) for key, reads in set_reads.sizes.items()},
        "several": row_figures(set_reads.rows),
        "confusions": ranked(every_size),
    }


def single_figures(reads: Reads) -> dict:
    return {"digits": len(reads.truths), "right": reads.right,
            "accuracy": reads.right / len(reads.truths),
            "confusions": ranked(confusions(reads.truths, reads.answers)),
            "predict_ms": spread(reads.ms), "wall_ms_per_drawing": reads.wall_ms_per_drawing()}


def row_figures(reads: Reads) -> dict:
    """Rows read: whole strings, and digit by digit where the page found ROW characters."""
    counted = [(truth, answer) for truth, answer in zip(reads.truths, reads.answers, strict=True)
               if len(answer) == ROW]
    pairs = [pair for truth, answer in counted for pair in zip(truth, answer, strict=True)]
    digits_right = sum(truth == answer for truth, answer in pairs)
    rows = len(reads.truths)
    return {"rows": rows, "right": reads.right, "accuracy": reads.right / rows if rows else None,
            "digits": rows * ROW, "digits_right": digits_right,
            "digit_accuracy": digits_right / (rows * ROW) if rows else None,
            "other_length": rows - len(counted),  # rows read as more or fewer characters
            "confusions": ranked(Counter((t, a) for t, a in pairs if t != a)),
            "read_number_ms": spread(reads.ms), "wall_ms_per_drawing": reads.wall_ms_per_drawing()}


def confusions(truths: list[str], answers: list[str]) -> Counter:
    return Counter((truth, answer) for truth, answer in zip(truths, answers, strict=True)
                   if truth != answer)


def ranked(counts: Counter) -> list[list]:
    """[true, read, count], most common first, ties by label."""
    return [[truth, answer, count] for (truth, answer), count in
            sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def spread(ms: list[float]) -> dict:
    if not ms:
        return {"calls": 0, "median": None, "p90": None}
    return {"calls": len(ms), "median": round(float(np.median(ms)), 2),
            "p90": round(float(np.percentile(ms, 90)), 2)}


def report(figures: dict) -> str:
    """The figures as Markdown: the accuracy table, the confusions, latency and the check."""
    lines = [f"{name}: {by_set['source']}" for name, by_set in figures["sets"].items()]
    rows = []
    for name, by_set in figures["sets"].items():
        for key, size in by_set["sizes"].items():
            rows.append(table_row(name, f"1 digit, {float(key):.0%} of the pad", size["digits"],
                                  size["right"], size["accuracy"], size["accuracy"],
                                  "predict()", size["predict_ms"]))
        row = by_set["several"]
        drawn = f"{ROW} side by side, {ROW_FILL:.0%} of the height each"
        rows.append(table_row(name, drawn, row["rows"], row["right"], row["accuracy"],
                              row["digit_accuracy"], "readNumber()", row["read_number_ms"]))
    columns = ["set", "drawn", "count", "read right", "accuracy", "per digit", "call", "median",
               "p90"]
    lines += ["", markdown_table(columns, rows, "llrrrrlrr"), ""]
    for name, by_set in figures["sets"].items():
        lines.append(f"{name} misreads, one digit at every size (true -> read): "
                     + (shown(by_set["confusions"]) or "none"))
        row = by_set["several"]
        lines.append(f"{name} misreads, {ROW} side by side: "
                     + (shown(row["confusions"]) or "none")
                     + (f"; {row['other_length']} rows read as another number of digits"
                        if row["other_length"] else ""))
    page, check, every = figures["page"], figures["mouse_check"], figures["predict_ms"]
    lines += [
        "",
        f"predict(), timed in the page: median {milliseconds(every['median'])}, "
        f"p90 {milliseconds(every['p90'])} "
        f"over {every['calls']:,} calls; {page['backend']} backend, Chromium {page['chromium']}, "
        f"pad {fmt_size(page['pad_css_px'])} CSS px (several digits: "
        f"{fmt_size(page['wide_pad_css_px'])}) at devicePixelRatio {page['device_pixel_ratio']}, "
        f"{figures['machine']['platform']}, {figures['machine']['cores']} cores",
        f"mouse check: {check['same_answer']}/{check['drawings']} drawings read the same through "
        f"the mouse, model inputs within {check['max_input_difference']:.3f} grey levels; "
        f"{check['seconds_per_drawing']['mouse'] * 1000:.0f} ms per drawing with the mouse, "
        f"{check['seconds_per_drawing']['pointer_events'] * 1000:.0f} ms with pointer events "
        "(one drawing per call)",
        f"model {figures['model']['name']}; whole run {figures['wall_s']:.0f} s",
    ]
    return "\n".join(lines)


def table_row(name: str, drawn: str, count: int, right: int, accuracy: float | None,
              per_digit: float | None, call: str, ms: dict) -> list[str]:
    return [name, drawn, f"{count:,}", f"{right:,}", percent(accuracy), percent(per_digit), call,
            milliseconds(ms["median"]), milliseconds(ms["p90"])]


def milliseconds(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:.1f} ms"


def shown(confused: list[list]) -> str:
    pairs = [f"{truth} -> {answer or NOTHING} {count}" for truth, answer, count in confused[:SHOWN]]
    rest = confused[SHOWN:]
    if rest:
        pairs.append(f"{len(rest)} more pairs ({sum(count for *_, count in rest)} misreads)")
    return ", ".join(pairs)


def fmt_size(size: list[float]) -> str:
    return "x".join(f"{side:g}" for side in size)


def log(message: str) -> None:
    typer.echo(message, err=True)


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    run(app)
