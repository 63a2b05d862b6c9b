"""How well does the page read real pen strokes? Replay UJI Pen Characters digits on #pad.

    python -m benchmarks.pen_digits [--uji ../shared/data/ujipenchars] [--model web/model]

Each of the 220 digits (11 writers, 2 of each digit) is scaled to fill 70% of the pad (PAD_FILL in
trainer/pad.py), drawn with the mouse in headless Chromium, and read by
window.recognizer.predict(). `python -m trainer evaluate MODEL --data FOLDER/digits` draws the same
strokes with the page's pad in Python, without a browser.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Annotated

import typer

from export.browser import chromium, draw_strokes, serve, site_with_model
from trainer.pad import Stroke, fit_to_pad
from trainer.sources.strokes import read_unipen


def read_uji_digits(folder: Path) -> list[tuple[str, list[Stroke]]]:
    """(label, strokes) for every digit in the UJI files, read by the trainer's UNIPEN reader."""
    return [(character.label, character.strokes)
            for path in sorted(folder.glob("UJIpenchars-w*"))
            for character in read_unipen(path) if character.label.isdigit()]


def main(
    uji: Annotated[Path, typer.Option(help="Folder of UJIpenchars-wNN files.")] = Path(
        "../shared/data/ujipenchars"
    ),
    model: Annotated[Path, typer.Option(help="Exported model folder.")] = Path("web/model"),
) -> None:
    samples = read_uji_digits(uji)
    if not samples:
        raise typer.BadParameter(f"{uji}: no UJIpenchars-wNN files with digits")
    errors: dict[str, list[str]] = {}
    timings: list[float] = []
    with site_with_model(model) as site, serve(site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base)
        page.evaluate("window.recognizer.ready")
        backend = page.evaluate("tf.getBackend()")
        for label, strokes in samples:
            page.click("#clear")
            draw_strokes(page, fit_to_pad(strokes), spacing=math.inf)  # the recorded points only
            started = time.perf_counter()
            ranked = page.evaluate("window.recognizer.predict()")
            timings.append(time.perf_counter() - started)
            if ranked[0]["label"] != label:
                errors.setdefault(label, []).append(ranked[0]["label"])
    correct = len(samples) - sum(map(len, errors.values()))
    metadata = json.loads((model / "metadata.json").read_text())
    timings.sort()
    accuracy = metadata["accuracy"]["keras_test"]
    print(f"model: {metadata['name']}, MNIST test accuracy {accuracy:.4f}")
    share = correct / len(samples)
    print(f"real pen digits read correctly: {correct}/{len(samples)} = {share:.1%}")
    print(f"misread (true -> read): {json.dumps(errors, sort_keys=True)}")
    print(f"predict() median {timings[len(timings) // 2] * 1000:.1f} ms on {backend}, "
          f"headless Chromium, {platform.machine()} with {os.cpu_count()} cores")


if __name__ == "__main__":
    typer.run(main)
