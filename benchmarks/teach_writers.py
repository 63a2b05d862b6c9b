"""How much does the page learn of a writer from a few of their drawings?

    python -m benchmarks.teach_writers [--model models/mnist]
        [--pendigits build/pendigits-writers/pendigits-orig.tes] [--per-digit 5] [--writers N,N]
    python -m benchmarks.teach_writers --page [--export web/model] [--uji DIR] [--unipen DIR] ...

With --page, the page itself learns (benchmarks/teach_page.py): the exported model's personal head
is taught k = 1, 2 and 5 drawings of each digit of each pendigits writer, and (with --unipen) of
each writer of UNIPEN's held-out sources (GMD and Valladolid; others with --unipen-sources, to tune
the page's settings on) who drew every digit 6 times or more,
and (with --uji) k = 1 of each of UJI Pen Characters' writers (who drew each digit twice), in
Chromium; no Python training.
Beside that help, the harm (with --more), for each of these writers: 4 labels the model lacks
(NEW_LABELS, from UNIPEN's letters and symbols) taught 5 drawings each, by the writer where they
drew enough, else by another hand, then the writer's digits read before and after and the other
drawings of those labels by the same hands; and one mistaken tap per digit (the first drawing the
model reads right, taught as its second answer, alone), then the writer's other drawings of that
digit and the rest. The page's settings were chosen on writers this benchmark does not report
(web/personal-head.js says which).

For each writer of a pendigits file (by default UCI's test writers 21-30, whom the default model
never trained on): the first `--per-digit` drawings of each digit are what that person would save
on the page, written as the page downloads them (Quick, Draw! ndjson, y down, whole units), and
the model is fine-tuned on them as docs/teaching.md does (`python -m trainer train --data
my-drawings.ndjson --init MODEL`). The writer's other drawings, and every other writer's, are then
read by the model before and after, rendered from their points as the page renders them
(trainer/strokes.py). Prints a row per writer and the totals.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import Character, cpu_name, print_header, taught_drawings
from export import ExportError
from export.inputs import read_export
from runfolder.classifier import require_whole_archive
from runfolder.commandline import fail, run
from runfolder.errors import OneLineError
from runfolder.finished import FinishedRun
from runfolder.layout import CLASSIFIER_MODEL, RUN_FILE
from runfolder.quiet import quiet_tensorflow
from trainer.dataset import MNIST_RECIPE, DataError
from trainer.sources.stroke_files import read_unipen, unipen_files
from trainer.sources.unipen import (
    HELD_OUT_SOURCES,
    is_unipen_root,
    read_segment_file,
    segment_files,
)


def main(
    model: Annotated[Path, typer.Option(help="A finished training run (its --out).")] = Path(
        "models/mnist"),
    pendigits: Annotated[Path, typer.Option(help="A pendigits UNIPEN file.")] = Path(
        "build/pendigits-writers/pendigits-orig.tes"),
    per_digit: Annotated[int, typer.Option(help="Drawings of each digit taught.", min=1)] = 5,
    writers: Annotated[str, typer.Option(help="Writers, comma-separated; default all.")] = "",
    page: Annotated[bool, typer.Option(help="Teach the page itself, not the trainer.")] = False,
    export: Annotated[Path, typer.Option(help="With --page: the exported model.")] = Path(
        "web/model"),
    uji: Annotated[Path | None, typer.Option(
        help="With --page: UJI Pen Characters' folder (its writers are not taught without it)."
    )] = None,
    unipen: Annotated[Path | None, typer.Option(
        help="With --page: UNIPEN's folder (its GMD and Valladolid writers likewise).")] = None,
    more: Annotated[Path | None, typer.Option(
        help="With --page: UNIPEN's letters and symbols (1c, 1d): without it, no harm measured."
    )] = None,
    unipen_sources: Annotated[str, typer.Option(
        help="With --unipen: the sources whose writers are taught, comma-separated (others than "
             "the held-out gmd,val to tune the page's settings on writers this benchmark reports "
             "not)."
    )] = ",".join(HELD_OUT_SOURCES),
) -> None:
    if page:
        return page_benchmark(export, pendigits, writers, uji, unipen, more,
                              unipen_sources.split(","))
    if not (model / CLASSIFIER_MODEL).is_file() or not (model / RUN_FILE).is_file():
        fail(f"--model {model}: no {CLASSIFIER_MODEL} and {RUN_FILE} (a training run?)")
    try:
        require_whole_archive(model / CLASSIFIER_MODEL)  # before TensorFlow, as the export does
        run = FinishedRun.read(model)
    except OneLineError as error:
        fail(str(error))
    if run.preprocessing != MNIST_RECIPE.to_json():  # as the trainer renders ndjson
        fail(f"--model {model}: not a digits model of the page's 28x28 recipe")
    characters, chosen = read_pendigits(pendigits, writers)
    print_header(model)
    quiet_tensorflow()
    from trainer.cli import app as trainer
    from trainer.strokes import render_inputs

    inputs = render_inputs([c.strokes for c in characters], MNIST_RECIPE)[..., None]
    truth = np.array([c.label for c in characters])
    writer_of = np.array([c.writer for c in characters])

    def right(trained: FinishedRun) -> np.ndarray:
        """Which drawings the finished run `trained` reads right."""
        labels = np.array(trained.labels)
        return labels[trained.classifier.predict(inputs, verbose=0).argmax(1)] == truth

    before = right(run)
    rows = []
    with tempfile.TemporaryDirectory(prefix="teach-") as tmp:
        for writer in chosen:
            taught = taught_drawings(characters, writer, per_digit)
            drawings = Path(tmp) / f"writer-{writer}.ndjson"
            drawings.write_text("".join(ndjson_line(characters[i], i) + "\n" for i in taught))
            tuned = Path(tmp) / f"writer-{writer}"
            code = trainer(["train", "--data", str(drawings), "--init", str(model),
                            "--out", str(tuned)], standalone_mode=False)
            if code:  # the trainer has said why, in one line
                raise typer.Exit(code)
            after = right(FinishedRun.read(tuned))
            held = writer_of == writer
            held[taught] = False
            others = writer_of != writer
            rows.append({"writer": writer, "taught": len(taught),
                         "held": int(held.sum()), "others": int(others.sum()),
                         **{f"{part}_{name}": int(read[mask].sum())
                            for part, mask in (("held", held), ("others", others))
                            for name, read in (("before", before), ("after", after))}})
    typer.echo(report(rows, model, per_digit))


# The page's drawings of each digit taught, one run each; UJI's writers drew each digit twice.
PAGE_PER_DIGIT = (1, 2, 5)
UJI_PER_DIGIT = (1,)


def page_benchmark(export: Path, pendigits: Path, writers: str, uji: Path | None,
                   unipen: Path | None, more: Path | None, sources: list[str]) -> None:
    import platform

    from benchmarks.teach_page import (
        harm_on_page,
        harm_report,
        harm_summed,
        page_report,
        summed,
        teach_on_page,
    )

    for flag, folder in (("--uji", uji), ("--unipen", unipen), ("--more", more)):
        if folder is not None and not folder.is_dir():
            fail(f"{flag} {folder}: no such folder")
    teachable_export(export)
    characters, chosen = read_pendigits(pendigits, writers)
    grouped = by_writer(characters)
    pendigits_writers = {writer: grouped[writer] for writer in chosen}
    try:
        uji_writers = {path.name.removeprefix("UJIpenchars-"): [
            c for c in read_unipen(path) if c.label.isdigit()]
            for path in (unipen_files(uji) if uji else [])}
        chosen_unipen = unipen_writers(unipen, sources) if unipen else {}
        symbols = new_label_drawings(more) if more else {}
    except DataError as error:
        fail(str(error))
    print_header(export)
    machine = f"{cpu_name()}, {os.cpu_count()} cores, {platform.system()}"
    rows, harm = [], []
    for name, group, per_digit in (("pendigits", pendigits_writers, PAGE_PER_DIGIT),
                                   (f"UNIPEN {'+'.join(sources)}", chosen_unipen, PAGE_PER_DIGIT),
                                   ("UJI", uji_writers, UJI_PER_DIGIT)):
        if not group:
            continue
        if symbols:
            taught = {writer: symbols_for(symbols, writer, n) for n, writer in enumerate(group)}
            found = list(harm_on_page(export, group, taught))
            harm += [*found, harm_summed(found, f"{name}: all {len(found)}")]
        found = list(teach_on_page(export, group, per_digit))
        for k in per_digit:
            at_k = [row for row in found if row["k"] == k]
            rows += [*at_k, summed(at_k, f"{name}: all {len(at_k)}")]
    if rows:
        typer.echo(page_report(rows, export, machine))
    if harm:
        typer.echo(f"\nThe harm: {len(NEW_LABELS)} new labels ({', '.join(NEW_LABELS)}), "
                   f"{SYMBOLS_TAUGHT} drawings each, and one mistaken tap per digit")
        typer.echo(harm_report(harm))


# Labels the digits model lacks, from unipen-more's sections, taught SYMBOLS_TAUGHT drawings each
# by one hand (the writer's own where they drew enough, else another writer's), whose other
# drawings of it, SYMBOLS_HELD at least, are then read.
NEW_LABELS = {"+": "1d", "=": "1d", "k": "1c", "w": "1c"}
SYMBOLS_TAUGHT, SYMBOLS_HELD = 5, 3


def new_label_drawings(more: Path) -> dict[str, dict[str, list[Character]]]:
    """NEW_LABELS' drawings by each writer who drew one SYMBOLS_TAUGHT + SYMBOLS_HELD times."""
    if not is_unipen_root(more):
        fail(f"--more {more}: not a UNIPEN folder (data/ and include/)")
    found: dict[str, dict[str, list[Character]]] = {label: {} for label in NEW_LABELS}
    for section in sorted(set(NEW_LABELS.values())):
        for path, source in segment_files(more, section):
            for character in read_segment_file(path, more, source):
                if NEW_LABELS.get(character.label) == section:
                    found[character.label].setdefault(character.writer, []).append(character)
    enough = {label: {writer: drawings for writer, drawings in sorted(writers.items())
                      if len(drawings) >= SYMBOLS_TAUGHT + SYMBOLS_HELD}
              for label, writers in found.items()}
    if missing := [label for label, writers in enough.items() if not writers]:
        fail(f"--more {more}: no writer drew {' or '.join(missing)} "
             f"{SYMBOLS_TAUGHT + SYMBOLS_HELD} times")
    return enough


def symbols_for(symbols: dict[str, dict[str, list[Character]]], writer: str,
                turn: int) -> tuple[list[Character], list[Character]]:
    """The drawings of each new label taught for `writer`, and those held out: their own where
    they drew enough, else the `turn`-th other hand's in turn."""
    taught, held = [], []
    for writers in symbols.values():
        hand = writers.get(writer) or list(writers.values())[turn % len(writers)]
        taught += hand[:SYMBOLS_TAUGHT]
        held += hand[SYMBOLS_TAUGHT:]
    return taught, held


def read_pendigits(pendigits: Path, writers: str) -> tuple[Sequence[Character], list[str]]:
    """A pendigits file's characters, and the writers `--writers` chooses among them (all by
    default), in order; bad input ends in one line."""
    if not pendigits.is_file():
        fail(f"--pendigits {pendigits}: no such file")
    try:
        characters = read_unipen(pendigits)
    except DataError as error:
        fail(str(error))
    known = sorted({c.writer for c in characters if c.writer}, key=int)
    if len(known) < 2:
        fail(f"--pendigits {pendigits}: {len(known)} writer(s) named in its .COMMENT lines; "
             "the benchmark needs two at least (a pendigits file)")
    chosen = writers.split(",") if writers else known
    if unknown := [writer for writer in chosen if writer not in known]:
        fail(f"--writers: {', '.join(unknown)} not among the writers of {pendigits}")
    return characters, chosen


def by_writer(characters: Sequence[Character]) -> dict[str, list[Character]]:
    grouped: dict[str, list[Character]] = {}
    for character in characters:
        grouped.setdefault(character.writer, []).append(character)
    return grouped


def unipen_writers(root: Path, sources: list[str]) -> dict[str, list[Character]]:
    """The digits of each writer of UNIPEN's `sources` who drew every digit more often than the
    page benchmark teaches it."""
    if not is_unipen_root(root):
        fail(f"--unipen {root}: not a UNIPEN folder (data/ and include/)")
    files = segment_files(root, None)
    if unknown := sorted(set(sources) - {source for _, source in files}):
        fail(f"--unipen-sources: {', '.join(unknown)} not among the sources of {root}")
    digits = [character for path, source in files if source in sources
              for character in read_segment_file(path, root, source) if character.label.isdigit()]
    return {writer: characters for writer, characters in sorted(by_writer(digits).items())
            if min(Counter(c.label for c in characters)[digit] for digit in "0123456789")
            > max(PAGE_PER_DIGIT)}


def teachable_export(export: Path) -> dict:
    """--export's metadata, when it is a whole export the page can teach; else one error line."""
    try:
        metadata = read_export(export)
    except ExportError as error:
        fail(str(error))
    if "outputs" not in metadata:
        fail(f"--export {export}: exported without feature outputs: export it again")
    return metadata


def ndjson_line(character: Character, number: int) -> str:
    """One drawing as the page saves it (web/samples.js): whole units, y down."""
    return json.dumps({
        "word": character.label, "countrycode": "ZZ", "recognized": True, "key_id": str(number),
        "drawing": [[[round(x) for x, _ in stroke], [round(y) for _, y in stroke]]
                    for stroke in character.strokes],
    })


def report(rows: list[dict], model: Path, per_digit: int) -> str:
    lines = [
        f"{model} fine-tuned on {per_digit} drawings of each digit of one writer at a time",
        "| writer | taught | writer's other drawings | read before | after "
        "| other writers' drawings | read before | after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = {key: sum(row[key] for row in rows) for key in rows[0] if key != "writer"}
    for row in [*rows, {"writer": "all", **total}]:
        lines.append(
            f"| {row['writer']} | {row['taught']} | {row['held']:,} "
            f"| {row['held_before'] / row['held']:.2%} | {row['held_after'] / row['held']:.2%} "
            f"| {row['others']:,} | {row['others_before'] / row['others']:.2%} "
            f"| {row['others_after'] / row['others']:.2%} |")
    return "\n".join(lines)


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    run(app)
