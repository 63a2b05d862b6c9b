"""How the page copes with what a person has taught it over months: thousands of drawings kept.

    python -m benchmarks.page_store [--export web/model] [--counts 0,500,2000,10000]

For each count, a fresh Chromium profile holds that many taught drawings of the model's labels in
IndexedDB (web/personal-store.js, as the page keeps them; generated strokes, each different), and
no head fitted to this model: as after a model update, every one must be fitted again. Then, as a
person opening the page: the time to the page being ready (the model loaded), to its first answer
(a drawing read as soon as it is ready), and to the personal head in use (what was taught read
back and fitted, web/recognizer.js `personal`), from the navigation's start; the answer after that
must be read with the head ("usable"); then one more drawing is taught (teach(), the head fitted
again). A second visit then finds the head kept. One row is 2,000
drawings of 300 labels of the person's own. The head is fitted on at most FIT_DRAWINGS of them
(web/recognizer.js), as many of each label.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.common import cpu_name, print_header
from benchmarks.teach_writers import teachable_export
from export.browser import chromium, serve, site_with_model
from runfolder.commandline import fail, run

WIDE = (2000, 300)  # drawings, labels of the person's own: the other row

# Adds `count` drawings of `labels` (the model's, or `own` new ones) in one transaction, each a
# random walk of two strokes, seeded, so every run stores the same.
SEED = """async ({ count, labels }) => {
  const { addDrawings } = await import('./personal-store.js');
  let state = 1;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const drawings = Array.from({ length: count }, (_, i) => ({
    label: labels[i % labels.length],
    strokes: [0, 1].map(() => {
      let x = 100 + random() * 200, y = 100 + random() * 200;
      return Array.from({ length: 20 }, () => [x += random() * 20 - 10, y += random() * 20 - 10]);
    }),
  }));
  await addDrawings(new URL('model/', location.href).href, drawings);
}"""
# From the navigation's start: ready, a first answer asked for at once, the head in use, and
# whether the answer after that was read with it; then how long teaching one more drawing takes
# (the head fitted again).
VISIT = """async (strokes) => {
  while (!window.app) await new Promise((resolve) => setTimeout(resolve, 5));
  await window.app.ready;
  const ready = performance.now();
  (%s)(strokes);
  const [answer] = await window.app.predict();
  const firstAnswer = performance.now();
  await window.app.personal;
  const head = performance.now();
  await window.app.predict();
  const adapted = window.app.adapted;
  const taught = (await window.app.taught()).length;
  const teaching = performance.now();
  await window.app.teach('7');
  return { ready, firstAnswer, head, answered: Boolean(answer), adapted, taught,
           teach: performance.now() - teaching,
           note: document.getElementById('personal-note').textContent };
}"""
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]


def measure(export: Path, cases: list[tuple[int, list[str]]]) -> list[dict]:
    from benchmarks.page import DISPATCH_STROKES

    visit = VISIT % DISPATCH_STROKES
    rows = []
    with site_with_model(export) as site, serve(site) as base, chromium() as browser:
        for count, labels in cases:
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            page.goto(f"{base}manifest.webmanifest")  # the origin, without the page's own store use
            page.evaluate(SEED, {"count": count, "labels": labels})
            visits = []
            for _ in range(2):
                page.goto(base, wait_until="commit")
                visits.append(page.evaluate(visit, SEVEN))
            context.close()
            rows.append({"count": count, "labels": len(labels), "visits": visits})
    return rows


def report(rows: list[dict], export: Path, machine: str) -> str:
    lines = [
        f"{export}, drawings kept in the page's IndexedDB, no head for this model; {machine}. "
        "Times from the navigation's start, in ms: the first visit fits the head again, the "
        "second finds it kept.",
        "| drawings | labels | ready | first answer | head in use | usable | one more teach() "
        "| 2nd visit: ready | first answer | head in use |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        first, second = row["visits"]
        usable = first["answered"] and (first["adapted"] or not row["count"]) \
            and first["taught"] == row["count"] and second["taught"] == row["count"] + 1
        lines.append(
            f"| {row['count']:,} | {row['labels']} | {first['ready']:.0f} "
            f"| {first['firstAnswer']:.0f} | {first['head']:.0f} | {'yes' if usable else 'NO'} "
            f"| {first['teach']:.0f} "
            f"| {second['ready']:.0f} | {second['firstAnswer']:.0f} | {second['head']:.0f} |")
        if not usable:
            lines.append(f"|  | | {first['note']} | | | | | | | |")
    return "\n".join(lines)


def main(
    export: Annotated[Path, typer.Option(help="The exported model (make export's web/model).")]
    = Path("web/model"),
    counts: Annotated[str, typer.Option(help="Drawings kept, comma-separated.")]
    = "0,500,2000,10000",
) -> None:
    try:
        numbers = [int(count) for count in counts.split(",")]
    except ValueError:
        fail(f"--counts {counts}: not a comma-separated list of whole numbers")
    if any(count < 0 for count in numbers):
        fail(f"--counts {counts}: a count below 0")
    metadata = teachable_export(export)
    print_header(export)
    own = [f"s{i}" for i in range(WIDE[1])]
    cases = [(count, metadata["labels"]) for count in numbers] + [(WIDE[0], own)]
    machine = f"{cpu_name()}, {os.cpu_count()} cores, {platform.system()}"
    typer.echo(report(measure(export, cases), export, machine))


if __name__ == "__main__":
    run(main)
