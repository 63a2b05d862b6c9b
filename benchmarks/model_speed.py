"""How long does TF.js take to run each of these exported models, side by side?

    python -m benchmarks.model_speed DIR [DIR ...] [--backend wasm] [--rounds 20] [--calls 20]

Loads every model folder (model.json and weight shards, as the export writes them) into one
page of headless Chromium, on one backend, and times `predict()` and reading its output back on
one input of random pixels (seeded), on the page's main thread: the model alone, without the
page, its worker or its preprocessing. Calls come in blocks of `--calls` (the browser's clock
ticks in 0.1 ms, so one block is timed and divided) and the models take turns, block by block,
for `--rounds` rounds: a machine that slows down mid-run slows every model alike, so the
comparison holds where the absolute figures move. Prints, per model, its ops (Const excluded),
and the median and 90th percentile of one call, in ms.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from benchmarks.common import markdown_table, print_header, require_one_of
from export import BACKENDS
from export.browser import chromium, serve, site_with_model
from runfolder.commandline import fail, run

# Each model in turn, a block of `calls` at a time; {name: per-call ms of each block}.
TIME_MODELS = """async ({ backend, names, side, channels, rounds, calls }) => {
  tf.wasm.setWasmPaths(new URL('vendor/', location.href).href);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const models = {};
  for (const name of names) {
    const { outputs } = await (await fetch(`${name}/metadata.json`)).json();
    const model = await tf.loadGraphModel(`${name}/model.json`);
    // As the page runs it: the probabilities alone (an export may also give the features).
    models[name] = { execute: (input) => model.execute(input, outputs?.probabilities) };
  }
  const input = tf.randomUniform([1, side, side, channels], 0, 255, 'float32', 0);
  const run = (model) => {
    const output = model.execute(input);
    output.dataSync();
    output.dispose();
  };
  for (const name of names) for (let i = 0; i < 10; i++) run(models[name]);  // warm up
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const started = performance.now();
      for (let i = 0; i < calls; i++) run(models[name]);
      times[name].push((performance.now() - started) / calls);
    }
  }
  return times;
}"""


def main(
    models: Annotated[list[Path], typer.Argument(help="Exported model folders.")],
    backend: Annotated[str, typer.Option(help=f"One of {', '.join(BACKENDS)}.")] = "wasm",
    rounds: Annotated[int, typer.Option(help="Turns each model takes.", min=1)] = 20,
    calls: Annotated[int, typer.Option(help="Calls in one timed block.", min=1)] = 20,
) -> None:
    require_one_of(backend, BACKENDS, "--backend")
    metadata = {}
    for folder in models:
        if not (folder / "model.json").is_file() or not (folder / "metadata.json").is_file():
            fail(f"{folder}: no model.json and metadata.json (an export folder?)")
        metadata[folder] = json.loads((folder / "metadata.json").read_text())
    sides = {(meta["input_size"], meta["channels"]) for meta in metadata.values()}
    if len(sides) != 1:
        fail("the models take inputs of different sizes; compare one size at a time")
    ((side, channels),) = sides
    print_header(*models)
    names = [f"m{i}" for i in range(len(models))]
    with chromium() as browser, site_with_model(models[0]) as site, serve(site) as base:
        for name, folder in zip(names, models, strict=True):
            shutil.copytree(folder, site / name)
        (site / "models.html").write_text('<!doctype html><script src="vendor/tf.js"></script>')
        page = browser.new_page()
        page.goto(base + "models.html")
        times = page.evaluate(TIME_MODELS, {"backend": backend, "names": names, "side": side,
                                            "channels": channels, "rounds": rounds,
                                            "calls": calls})
    typer.echo(f"{backend}, {rounds} rounds of {calls} calls each, ms per call; headless "
               f"Chromium on {platform.machine()}, {os.cpu_count()} cores")
    rows = []
    for name, folder in zip(names, models, strict=True):
        ops = sum(node["op"] != "Const" for node in
                  json.loads((folder / "model.json").read_text())["modelTopology"]["node"])
        median, p90 = np.median(times[name]), np.percentile(times[name], 90)
        rows.append([folder, ops, f"{median:.3f}", f"{p90:.3f}"])
    typer.echo(markdown_table(["model", "ops", "median", "p90"], rows, "lrrr"))


app = typer.Typer(add_completion=False)
app.command()(main)

if __name__ == "__main__":
    run(app)
