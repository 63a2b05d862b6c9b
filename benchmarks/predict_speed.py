"""How long does the page take to read a drawing, and does the main thread stay free meanwhile?

    python -m benchmarks.predict_speed [--model web/model] [--large build/kanji-model/none]
        [--ratios 1,2,3] [--repeats 100]

Opens the page in Chromium at each devicePixelRatio with `--model`, draws a digit on #pad, and
calls window.app.predict() `--repeats` times, each awaited; then the same with `--large`
(the 3,036-class MobileNetV3Small 64x64 that `python -m benchmarks.kanji_model` exports; random
weights time like trained ones; or a Japanese export, whose page shows ten candidates on every
answer) and a kanji-like drawing. It prints, per model and ratio, the
median and 90th percentile of predict() as the page's caller sees it, split into preprocessing
(the strokes rendered at the model's scale, on the main thread) and the model (in the worker,
web/recognizer-worker.js), and the longest task the page's main thread ran meanwhile, read from
Chromium's own trace (its RunTask events, as Lighthouse counts long tasks): drawing stays smooth
while no task takes more than a frame, 16 ms.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from playwright.sync_api import Browser

from benchmarks.common import fail, numbers_up_to, print_header
from benchmarks.page import DISPATCH_STROKES
from export.browser import chromium, serve, site_with_model
from runfolder.commandline import run

MOST_PIXEL_RATIO = 8.0  # phones and tablets reach 3 or 4; Chromium's own limit is higher
FRAME_MS = 16.0  # a task longer than this drops a frame of the drawing
OVER_A_FRAME = " (over a frame)"
TRACE_CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"]
# Drawings in pad units (0..1 from the top left), as the pen_digits benchmark draws real ones.
DIGIT_FOUR = [[(0.6, 0.15), (0.25, 0.6), (0.8, 0.6)], [(0.62, 0.35), (0.6, 0.85)]]
KANJI_TREE = [[(0.2, 0.35), (0.8, 0.35)], [(0.5, 0.1), (0.5, 0.9)], [(0.5, 0.35), (0.2, 0.75)],
              [(0.5, 0.35), (0.8, 0.75)]]  # 木

# `repeats` awaited predict() calls between two trace marks: each call's time around the call,
# and the split the page reports for it (window.app.lastMs).
PREDICT_LOOP = """async (repeats) => {
  const times = [];
  console.timeStamp('predict-loop-start');
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await window.app.predict();
    times.push({ caller: performance.now() - started, ...window.app.lastMs });
  }
  console.timeStamp('predict-loop-end');
  return times;
}"""


def main(
    model: Annotated[Path, typer.Option(help="The digits model: an exported model folder.")] = Path(
        "web/model"),
    large: Annotated[Path, typer.Option(help="A large exported model: python -m "
                                             "benchmarks.kanji_model writes OUT/none.")] = Path(
        "build/kanji-model/none"),
    ratios: Annotated[str, typer.Option(help="devicePixelRatios, comma-separated.")] = "1,2,3",
    repeats: Annotated[int, typer.Option(help="predict() calls per model and ratio.", min=5)] = 100,
) -> None:
    pixel_ratios = numbers_up_to(ratios, "--ratios", MOST_PIXEL_RATIO, "a devicePixelRatio")
    for folder, flag in ((model, "--model"), (large, "--large")):
        if not (folder / "model.json").is_file():
            hint = " (python -m benchmarks.kanji_model makes it)" if flag == "--large" else ""
            fail(f"{flag} {folder}: no model.json{hint}")
    print_header(model, large)
    rows = []
    with chromium() as browser:
        for folder, drawing in ((model, DIGIT_FOUR), (large, KANJI_TREE)):
            with site_with_model(folder) as site, serve(site) as base:
                for ratio in pixel_ratios:
                    rows.append(measure(browser, base, ratio, drawing, repeats, folder))
    typer.echo(report(rows, repeats))


def measure(browser: Browser, base: str, ratio: float, drawing, repeats: int, folder: Path) -> dict:
    context = browser.new_context(device_scale_factor=ratio, viewport={"width": 800, "height": 900},
                                  service_workers="block")
    page = context.new_page()
    page.goto(base)
    page.evaluate("window.app.ready")
    page.evaluate(DISPATCH_STROKES, drawing)
    page.evaluate(PREDICT_LOOP, 5)  # warm the page's own code up
    times = page.evaluate(PREDICT_LOOP, repeats)
    # Tracing slows every task down a little: the times above are taken without it.
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    page.evaluate(PREDICT_LOOP, repeats)
    trace = json.loads(browser.stop_tracing())
    metadata = json.loads((folder / "metadata.json").read_text())
    row = {
        "model": metadata["name"],
        "labels": len(metadata["labels"]),
        "ratio": ratio,
        "pad_pixels": page.evaluate("document.getElementById('pad').width"),
        "backend": page.evaluate("window.app.backend"),
        "longest_task_ms": longest_main_thread_task(trace),
        **{f"{part}_ms": percentiles([time[part] for time in times])
           for part in ("caller", "total", "preprocess", "model")},
    }
    context.close()
    return row


def percentiles(values: list[float]) -> tuple[float, float]:
    return float(np.median(values)), float(np.percentile(values, 90))


def longest_main_thread_task(trace: dict) -> float:
    """The longest task the page's main thread ran between the loop's two marks, in ms."""
    events = trace["traceEvents"]
    marks = {event["args"]["data"]["message"]: event for event in events
             if event.get("name") == "TimeStamp"
             and event["args"]["data"].get("message", "").startswith("predict-loop")}
    start, end = marks["predict-loop-start"], marks["predict-loop-end"]
    thread = (start["pid"], start["tid"])  # console.timeStamp runs on the page's main thread
    tasks = [event["dur"] / 1000 for event in events
             if event.get("name") == "RunTask" and event.get("ph") == "X"
             and (event["pid"], event["tid"]) == thread
             and start["ts"] <= event["ts"] + event["dur"] and event["ts"] <= end["ts"]]
    return max(tasks, default=0.0)


def report(rows: list[dict], repeats: int) -> str:
    lines = [
        f"predict() on the page, {repeats} calls per row, median / p90 in ms; headless Chromium "
        f"on {platform.machine()}, {os.cpu_count()} cores",
        "| model | labels | devicePixelRatio | pad pixels | backend | page's predict() "
        "| Recognizer.predict() | preprocessing (main thread) | model (worker) "
        "| longest main-thread task |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        timed = " | ".join(f"{median:.2f} / {p90:.2f}" for median, p90 in (
            row[f"{part}_ms"] for part in ("caller", "total", "preprocess", "model")))
        longest = row["longest_task_ms"]
        lines.append(
            f"| {row['model']} | {row['labels']:,} | {row['ratio']:g} | {row['pad_pixels']}² "
            f"| {row['backend']} | {timed} "
            f"| {longest:.1f}{OVER_A_FRAME if longest > FRAME_MS else ''} |")
    return "\n".join(lines)


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    run(app)
