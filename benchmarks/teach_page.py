"""The page learning a writer, on the page itself: `python -m benchmarks.teach_writers --page`.

For each writer, in a fresh browser profile (an empty IndexedDB), the page's own Recognizer
(web/recognizer.js, in real Chromium) is taught the writer's first k drawings of each digit with
teach(), one at a time as a person would save them, and then reads the writer's other drawings
with predict(); "before" is the same recognizer before any teaching. The last teach() fits every
drawing taught (k x 10) and their variations: its time is given as the worker's fit (the model's
features and the head) and as the whole call (rendering the new drawing's variations and keeping
what was learnt in IndexedDB too).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from benchmarks.teach_writers import taught_drawings
from export.browser import chromium, serve, site_with_model
from trainer.sources.strokes import Character

# In the page: load the recognizer, read `held` before, teach `taught` one by one, read `held`
# again. Strokes as read_unipen gives them (y down, the tablet's units): predict() takes any unit.
TEACH_AND_READ = """async ({ taught, held }) => {
  const { Recognizer } = await import('./recognizer.js');
  const recognizer = await Recognizer.load('model/');
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const read = async () => {
    let right = 0;
    const times = [];
    for (const [label, strokes] of held) {
      const started = performance.now();
      const { ranked } = await recognizer.predict(strokes);
      times.push(performance.now() - started);
      if (ranked[0]?.label === label) right++;
    }
    return [right, median(times)];
  };
  const [before, predictBeforeMs] = await read();
  let fitMs = null, teachMs = null;
  for (const [label, strokes] of taught) {
    const teaching = performance.now();
    ({ fitMs } = await recognizer.teach(strokes, label));
    teachMs = performance.now() - teaching;
  }
  const [after, predictMs] = await read();
  await recognizer.forget();
  recognizer.dispose();
  return { before, after, fitMs, teachMs, predictBeforeMs, predictMs };
}"""


def taught_and_held(characters: list[Character], per_digit: int) -> tuple[list, list]:
    """One writer's first `per_digit` drawings of each digit, and the rest, as [label, strokes]."""
    taught = set(taught_drawings(characters, characters[0].writer, per_digit))
    pairs = [[c.label, [[list(point) for point in stroke] for stroke in c.strokes]]
             for c in characters]
    return ([pair for i, pair in enumerate(pairs) if i in taught],
            [pair for i, pair in enumerate(pairs) if i not in taught])


def teach_on_page(export: Path, writers: dict[str, list[Character]],
                  per_digits: tuple[int, ...]) -> Iterator[dict]:
    """A row per writer and k: drawings held out, read right before and after, fitting time."""
    with site_with_model(export) as site, serve(site) as base, chromium() as browser:
        for per_digit in per_digits:
            for writer, characters in writers.items():
                taught, held = taught_and_held(characters, per_digit)
                context = browser.new_context(service_workers="block")
                page = context.new_page()
                page.goto(base)
                result = page.evaluate(TEACH_AND_READ, {"taught": taught, "held": held})
                context.close()
                yield {"writer": writer, "k": per_digit, "taught": len(taught),
                       "held": len(held), **result}


def page_report(rows: list[dict], export: Path, machine: str) -> str:
    lines = [
        f"{export} taught on the page (web/recognizer.js teach(), Chromium), one writer at a "
        f"time; {machine}",
        "| writers | k a digit | taught | read | before | after | fitting the last (ms) "
        "| the last teach() (ms) | predict() before / after (ms, median) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['writer']} | {row['k']} | {row['taught']} | {row['held']:,} "
            f"| {row['before'] / row['held']:.2%} | {row['after'] / row['held']:.2%} "
            f"| {row['fitMs']:.0f} | {row['teachMs']:.0f} "
            f"| {row['predictBeforeMs']:.2f} / {row['predictMs']:.2f} |")
    return "\n".join(lines)


def summed(rows: list[dict], name: str) -> dict:
    """Several writers' rows as one: drawings summed, the slowest fit and teach(), the mean of
    the median predict() times."""
    return {"writer": name, "k": rows[0]["k"],
            **{key: sum(row[key] for row in rows) for key in ("taught", "held", "before", "after")},
            "fitMs": max(row["fitMs"] for row in rows),
            "teachMs": max(row["teachMs"] for row in rows),
            **{key: sum(row[key] for row in rows) / len(rows)
               for key in ("predictBeforeMs", "predictMs")}}
