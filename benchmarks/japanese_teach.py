"""What the Japanese page reads after a person teaches it the characters it misread.

    python -m benchmarks.japanese_teach EXPORT [--tomoe ../shared/data/tomoe] [--characters 20]

EXPORT is a Japanese export (one character at a time: `make export MODEL=... NAME=japanese`, or
`python -m export convert`). The hand is tomoe_data's writer, who drew each character once: a
sample of `--characters` of tomoe's characters that the model has a label for (seeded, the same
every run) is read by the page, and that hand's other drawings of each are made by the synthetic
writer (trainer/synthetic.py) from tomoe's own drawing as its reference, with seeds of its own for
the drawings taught (TAUGHT_WRITER) and for those held out (HELD_WRITER, HELD a character).

On the page itself (a served site, the page's Recognizer in real Chromium, a fresh profile), the
characters whose tomoe drawing the page misreads (top-1) are taught as the keyboard's candidate
tap teaches them (or, for a character outside the ten candidates, the teach panel, through the
same teach()): 1 drawing each (tomoe's own, the one it misread), then 3 (two more by the writer's
taught seeds). The held-out drawings of the taught characters and of the others (read
right, not taught: what teaching may harm) are read before, after 1 and after 3, top-1 and
top-10. What a person would teach one tap at a time is put in the page's store (web/
personal-store.js) as the taps would leave it, all but the last; the recognizer is loaded again,
fits them once as a visit does, and the last is taught with teach(): its fit, over every drawing
taught, is the worker's fit time given (the last tap's), and the whole teach() call beside it.

The cost is the fits: each round fits twice (the visit, the last tap), and a fit grows with the
drawings taught. The default run (20 characters) took 15 s on 2 shared cores with an export that
misread 3 of them, 3 minutes with a weaker one that misread 18 (54 drawings taught, a fit of 80
s); 100 characters, 23 misread, took 64 s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import markdown_table, percent, print_header
from export.browser import chromium, serve, site_with_model
from export.inputs import read_export
from runfolder.commandline import fail, run
from runfolder.errors import OneLineError
from trainer.sources.japanese import model_label
from trainer.sources.tomoe import read_tdic, tdic_files
from trainer.strokes import Stroke
from trainer.synthetic import draw, rng_for

TEACHES = (1, 3)  # drawings taught of each misread character, in turn
HELD = 5  # held-out drawings of each character
TAUGHT_WRITER, HELD_WRITER = 4001, 4002  # the synthetic writer's seeds for the hand's drawings
SAMPLE_SEED = 40
TOMOE_BOX = 320.0  # tomoe's points lie in a 0..320 box; the synthetic writer's are scaled to it
TOP = 10

Drawing = list  # [label, strokes], as the page's scripts take a drawing


@dataclass(frozen=True)
class HandCharacter:
    """One of tomoe's characters: as tomoe writes it, the model's label for it, tomoe's drawing."""

    char: str
    label: str
    strokes: list[Stroke]


def tomoe_characters(tomoe: Path, labels: Sequence[str]) -> list[HandCharacter]:
    """tomoe's characters that the model has a label for, one a label (the first drawn), in the
    files' order."""
    known, seen = set(labels), set()
    characters = []
    for file in tdic_files(tomoe):
        for character in read_tdic(file):
            label = model_label(character.label)
            if label in known and label not in seen:
                seen.add(label)
                characters.append(HandCharacter(character.label, label, character.strokes))
    return characters


def sampled(characters: Sequence[HandCharacter], count: int) -> list[HandCharacter]:
    """`count` of them (all when there are fewer), chosen by SAMPLE_SEED, in their order."""
    if count >= len(characters):
        return list(characters)
    chosen = np.random.default_rng(SAMPLE_SEED).choice(len(characters), count, replace=False)
    return [characters[i] for i in sorted(chosen)]


def synthetic(character: HandCharacter, writer: int, count: int) -> list[list[Stroke]]:
    """The hand's drawings 0..count-1 of `character` by the synthetic writer `writer`, tomoe's
    drawing its reference, in tomoe's units."""
    reference = [np.asarray(stroke, float) for stroke in character.strokes]
    return [[[(x * TOMOE_BOX, y * TOMOE_BOX) for x, y in stroke]
             for stroke in draw(reference, rng_for(writer, character.char, number))]
            for number in range(count)]


def held_out(characters: Sequence[HandCharacter]) -> list[Drawing]:
    """HELD drawings of each character, by the held-out seeds."""
    return [as_drawing(c.label, strokes) for c in characters
            for strokes in synthetic(c, HELD_WRITER, HELD)]


def teaching_rounds(misread: Sequence[HandCharacter],
                    teaches: Sequence[int] = TEACHES) -> list[list[Drawing]]:
    """What each round teaches on top of the rounds before, so that after round i every misread
    character has teaches[i] drawings taught (taught_by_hand's first)."""
    rounds, done = [], 0
    for taught in teaches:
        rounds.append([as_drawing(c.label, strokes) for c in misread
                       for strokes in taught_by_hand(c, taught)[done:]])
        done = taught
    return rounds


def taught_by_hand(character: HandCharacter, count: int) -> list[list[Stroke]]:
    """The first `count` drawings the hand teaches of `character`: tomoe's own (the drawing
    misread, as a candidate tap would teach it), then the taught seeds'."""
    return [character.strokes, *synthetic(character, TAUGHT_WRITER, count - 1)]


def as_drawing(label: str, strokes: Sequence[Stroke]) -> Drawing:
    return [label, [[list(point) for point in stroke] for stroke in strokes]]


# In the page: the rank of each drawing's label among the recognizer's answers (0: top-1; -1: not
# ranked, a drawing refused).
READ = """async (drawings) => {
  const { Recognizer } = await import('./recognizer.js');
  const recognizer = await Recognizer.load('model/');
  const ranks = [];
  for (const [label, strokes] of drawings) {
    const { ranked } = await recognizer.predict(strokes);
    ranks.push(ranked.findIndex((answer) => answer.label === label));
  }
  recognizer.dispose();
  return ranks;
}"""

# In the page: `taught` added to what this profile was taught, as one tap each would add them (all
# but the last kept in the store, read back and fitted once by the recognizer as a visit does; the
# last taught with teach()), then `held` read as READ reads them.
TEACH = """async ({ taught, held }) => {
  const { Recognizer, FIT_DRAWINGS } = await import('./recognizer.js');
  const { addDrawings } = await import('./personal-store.js');
  const key = new URL('model/', location.href).href; // where the Recognizer keeps what is taught
  await addDrawings(key, taught.slice(0, -1).map(([label, strokes]) => ({ label, strokes })));
  const recognizer = await Recognizer.load('model/');
  await recognizer.personal;
  const [label, strokes] = taught[taught.length - 1];
  const started = performance.now();
  const { fitMs, drawings } = await recognizer.teach(strokes, label);
  const teachMs = performance.now() - started;
  const ranks = [];
  for (const [heldLabel, heldStrokes] of held) {
    const { ranked } = await recognizer.predict(heldStrokes);
    ranks.push(ranked.findIndex((answer) => answer.label === heldLabel));
  }
  const note = recognizer.personalNote;
  recognizer.dispose();
  return { ranks, fitMs, teachMs, drawings, fitDrawings: FIT_DRAWINGS, note };
}"""


@dataclass
class Measured:
    tomoe_ranks: list[int]  # of each character's tomoe drawing, before
    held_ranks: list[list[int]]  # of the held-out drawings: before, then after each round
    fits: list[dict]  # each round's teach(): fitMs, teachMs, drawings, fitDrawings, note


def measure(export: Path, characters: Sequence[HandCharacter]) -> tuple[Measured, list[bool]]:
    """The page's readings, and which characters it misread (those taught)."""
    held = held_out(characters)
    with site_with_model(export) as site, serve(site) as base, chromium() as browser:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        page.goto(base)
        began = time.perf_counter()
        ranks = page.evaluate(READ, [as_drawing(c.label, c.strokes) for c in characters] + held)
        tomoe_ranks, before = ranks[:len(characters)], ranks[len(characters):]
        misread = [rank != 0 for rank in tomoe_ranks]
        progress(f"read {len(ranks):,} drawings before teaching", began)
        taught = [c for c, wrong in zip(characters, misread, strict=True) if wrong]
        measured = Measured(tomoe_ranks, [before], [])
        for drawings in teaching_rounds(taught) if taught else []:
            began = time.perf_counter()
            result = page.evaluate(TEACH, {"taught": drawings, "held": held})
            progress(f"taught {len(drawings):,} drawings more, read {len(held):,}", began)
            measured.held_ranks.append(result.pop("ranks"))
            measured.fits.append(result)
        context.close()
    return measured, misread


def progress(done: str, began: float) -> None:
    typer.echo(f"{done}: {time.perf_counter() - began:.0f} s", err=True)


def read_right(ranks: Sequence[int], top: int) -> float | None:
    return sum(0 <= rank < top for rank in ranks) / len(ranks) if ranks else None


def report(measured: Measured, misread: Sequence[bool]) -> str:
    """The table: the held-out drawings of the taught characters and of the others, top-1 and
    top-10, before and after each round."""
    held_misread = np.repeat(misread, HELD)
    columns = ["held-out drawings of", "characters", "drawings",
               *(f"top-{top} {when}" for top in (1, TOP)
                 for when in ("before", *(f"after {k}" for k in TEACHES[:len(measured.fits)])))]
    rows = []
    for name, chosen in (("the misread characters, taught", True),
                         ("the others, read right, not taught", False)):
        picked = [[rank for rank, wrong in zip(ranks, held_misread, strict=True)
                   if wrong == chosen] for ranks in measured.held_ranks]
        rows.append([name, sum(wrong == chosen for wrong in misread), f"{len(picked[0]):,}",
                     *(percent(read_right(ranks, top)) for top in (1, TOP) for ranks in picked)])
    return markdown_table(columns, rows, "lrr" + "r" * (len(columns) - 3))


def main(
    export: Annotated[Path, typer.Argument(help="A Japanese export (model.json, metadata.json).")],
    tomoe: Annotated[Path, typer.Option(help="tomoe_data's folder or .tdic file.")] = Path(
        "../shared/data/tomoe"),
    characters: Annotated[int, typer.Option(
        help="tomoe characters read (a seeded sample); those misread are taught.", min=1)] = 20,
) -> None:
    started = time.perf_counter()
    try:
        metadata = read_export(export)
        if not tdic_files(tomoe):
            fail(f"--tomoe {tomoe}: no .tdic file (tomoe_data's folder?)")
        hand = sampled(tomoe_characters(tomoe, metadata["labels"]), characters)
    except OneLineError as error:
        fail(str(error))
    if not hand:
        fail(f"--tomoe {tomoe}: none of its characters is among {export}'s labels")
    print_header(export)
    measured, misread = measure(export, hand)
    read = sum(rank == 0 for rank in measured.tomoe_ranks)
    tappable = sum(0 < rank < TOP for rank in measured.tomoe_ranks)
    print(f"{export}: {len(metadata['labels']):,} labels; tomoe's own drawings of {len(hand)} of "
          f"its characters read {read} right (top-1), {len(hand) - read} misread and taught "
          f"({tappable} of them among the ten candidates, a tap; the rest typed in the teach "
          f"panel); {HELD} held-out drawings of each, by the synthetic writer from tomoe's "
          "drawing\n")
    print(report(measured, misread))
    for taught, fit in zip(TEACHES, measured.fits, strict=False):
        capped = (f", fitted on {fit['fitDrawings']} of them"
                  if fit["drawings"] > fit["fitDrawings"] else "")
        print(f"\nafter {taught} a character ({fit['drawings']} drawings taught{capped}): the "
              f"worker's fit {fit['fitMs']:.0f} ms, the last teach() {fit['teachMs']:.0f} ms"
              + (f"; the page noted: {fit['note']}" if fit["note"] else ""))
    print(f"\nthe run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    run(main)
