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

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from benchmarks.common import Character, taught_drawings
from export.browser import chromium, serve, site_with_model

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


def taught_and_held(characters: Sequence[Character], per_digit: int) -> tuple[list, list]:
    """One writer's first `per_digit` drawings of each digit, and the rest, as [label, strokes]."""
    taught = set(taught_drawings(characters, characters[0].writer, per_digit))
    pairs = [[c.label, [[list(point) for point in stroke] for stroke in c.strokes]]
             for c in characters]
    return ([pair for i, pair in enumerate(pairs) if i in taught],
            [pair for i, pair in enumerate(pairs) if i not in taught])


def teach_on_page(export: Path, writers: Mapping[str, Sequence[Character]],
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


# In the page, the harm teaching may do. `digits`: all the writer's drawings; `symbols`: drawings
# of labels the model lacks, taught, and `held`: other drawings of them by the same hands; `taps`:
# [index into digits, a wrong label]. Each part starts from a recognizer that was taught nothing.
HARM = """async ({ digits, symbols, held, taps }) => {
  const { Recognizer } = await import('./recognizer.js');
  const { notSureThreshold } = await import('./metadata.js');
  const recognizer = await Recognizer.load('model/');
  const notSure = notSureThreshold(recognizer.metadata); // as web/app.js
  const readAll = async (drawings) => {
    const answers = [];
    for (const [, strokes] of drawings) answers.push((await recognizer.predict(strokes)).ranked[0]);
    return answers;
  };
  const before = await readAll(digits);
  const right = (answers, drawings) => answers.filter((a, i) => a?.label === drawings[i][0]).length;
  const wrong = (answers, drawings) => answers.filter((a, i) => a?.label !== drawings[i][0]);
  for (const [label, strokes] of symbols) await recognizer.teach(strokes, label);
  const digitsAfter = await readAll(digits);
  const heldAfter = await readAll(held);
  const misread = [...wrong(digitsAfter, digits), ...wrong(heldAfter, held)];
  const newLabels = {
    digitsBefore: right(before, digits), digitsAfter: right(digitsAfter, digits),
    held: held.length, heldRight: right(heldAfter, held),
    misread: misread.length, flagged: misread.filter((a) => a && a.prob < notSure).length,
  };
  await recognizer.forget();
  const tapRows = [];
  for (const [index, wrongLabel] of taps) {
    await recognizer.teach(digits[index][1], wrongLabel);
    const others = digits.filter((_, i) => i !== index);
    const wasRight = before.filter((_, i) => i !== index);
    const after = await readAll(others);
    const same = others.map((d, i) => d[0] === digits[index][0] && wasRight[i]?.label === d[0]);
    tapRows.push({
      digit: digits[index][0], tapped: wrongLabel,
      same: same.filter(Boolean).length,
      flipped: same.filter((s, i) => s && after[i]?.label !== others[i][0]).length,
      rest: same.filter((s) => !s).length,
      restBefore: wasRight.filter((a, i) => !same[i] && a?.label === others[i][0]).length,
      restAfter: after.filter((a, i) => !same[i] && a?.label === others[i][0]).length,
    });
    await recognizer.forget();
  }
  recognizer.dispose();
  return { ...newLabels, taps: tapRows };
}"""


def as_pairs(characters: Sequence[Character]) -> list:
    return [[c.label, [[list(point) for point in stroke] for stroke in c.strokes]]
            for c in characters]


def harm_on_page(export: Path, writers: Mapping[str, Sequence[Character]],
                 symbols: Mapping[str, tuple[Sequence[Character], Sequence[Character]]]
                 ) -> Iterator[dict]:
    """A row per writer: their digits before and after being taught 4 new labels (`symbols`: per
    writer, the drawings taught and held out), held-out drawings of those read right, and one
    mistaken tap per digit (its first drawing read right, taught as the model's second answer)."""
    with site_with_model(export) as site, serve(site) as base, chromium() as browser:
        for writer, characters in writers.items():
            taught, held = symbols[writer]
            context = browser.new_context(service_workers="block")
            page = context.new_page()
            page.goto(base)
            taps = page.evaluate(FIRST_READ_RIGHT, as_pairs(characters))
            result = page.evaluate(HARM, {"digits": as_pairs(characters), "taps": taps,
                                          "symbols": as_pairs(taught), "held": as_pairs(held)})
            context.close()
            yield {"writer": writer, "digits": len(characters), **result}


# [index, the second answer] of the first drawing of each label that the model reads right.
FIRST_READ_RIGHT = """async (drawings) => {
  const { Recognizer } = await import('./recognizer.js');
  const recognizer = await Recognizer.load('model/');
  const taps = new Map();
  for (const [i, [label, strokes]] of drawings.entries()) {
    if (taps.has(label)) continue;
    const { ranked } = await recognizer.predict(strokes);
    if (ranked[0]?.label === label) taps.set(label, [i, ranked[1].label]);
  }
  recognizer.dispose();
  return [...taps.values()];
}"""


def harm_summed(rows: list[dict], name: str) -> dict:
    taps = [tap for row in rows for tap in row["taps"]]
    return {"writer": name, "taps": taps, "worst_loss": max(loss(row) for row in rows),
            **{key: sum(row[key] for row in rows) for key in (
                "digits", "digitsBefore", "digitsAfter", "held", "heldRight", "misread",
                "flagged")}}


def loss(row: dict) -> float:
    """Points of the writer's digits read right lost to teaching new labels."""
    return 100 * (row["digitsBefore"] - row["digitsAfter"]) / row["digits"]


def harm_report(rows: list[dict]) -> str:
    lines = [
        "| writers | digits | read before | after 4 new labels | worst writer's loss, pt "
        "| new labels' held-out drawings read | misread after, flagged not sure "
        "| mistaken taps | other drawings of the digit flipped (worst tap) "
        "| the rest before / after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        taps = row["taps"]
        same = sum(tap["same"] for tap in taps)
        flipped = sum(tap["flipped"] for tap in taps)
        worst = max(tap["flipped"] / max(tap["same"], 1) for tap in taps)
        rest = sum(tap["rest"] for tap in taps)
        lines.append(
            f"| {row['writer']} | {row['digits']:,} | {row['digitsBefore'] / row['digits']:.2%} "
            f"| {row['digitsAfter'] / row['digits']:.2%} "
            f"| {row.get('worst_loss', loss(row)):.2f} "
            f"| {row['heldRight']:,} of {row['held']:,} "
            f"({row['heldRight'] / max(row['held'], 1):.1%}) "
            f"| {row['flagged']} of {row['misread']} "
            f"| {len(taps)} | {flipped} of {same:,} ({flipped / max(same, 1):.1%}; {worst:.0%}) "
            f"| {sum(t['restBefore'] for t in taps) / max(rest, 1):.2%} / "
            f"{sum(t['restAfter'] for t in taps) / max(rest, 1):.2%} |")
    return "\n".join(lines)
