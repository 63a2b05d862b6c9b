"""docs/recognizer.md's examples of the Recognizer API, run as written in real Chromium against
the tests' model: an example that no longer runs is a broken promise to the reader."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "recognizer.md"
IMPORT = "import { Recognizer } from './recognizer.js';"
DIGIT_LABELS = [str(digit) for digit in range(10)]  # the tests' model reads digits


def examples() -> list[str]:
    return re.findall(r"^```js\n(.*?)^```", DOC.read_text(), re.MULTILINE | re.DOTALL)


def test_every_entry_point_has_an_example():
    shown = "\n".join(examples())
    for entry in ("Recognizer.load(", ".predict(", ".readCharacters(", ".recognisePhoto(",
                  ".preprocess(", ".teach(", ".taught(", ".remove(", ".undo(", ".personal",
                  ".forget(", ".dispose("):
        assert entry in shown, f"docs/recognizer.md: no example of {entry}"


def test_the_examples_run_as_written(page):
    # One script, in the page's order, as a reader would paste them; the module import becomes
    # a dynamic one so that the examples can run inside an async function.
    dynamic = "const { Recognizer } = await import('./recognizer.js');"
    script = "\n".join(examples()).replace(IMPORT, dynamic)
    logs: list[str] = []
    page.on("console", lambda message: logs.append(message.text))
    page.evaluate(f"async () => {{\n{script}\n}}")
    loaded, predicted, number, same_size, taught = logs
    assert loaded.endswith(" ms")
    assert predicted.split()[0] in DIGIT_LABELS  # predict(): its top label, probability and time
    assert len(number) == 2 and set(number) <= set(DIGIT_LABELS)  # readCharacters(): two characters
    assert same_size == "true"  # preprocess(): the model's input size
    assert taught == "1 true"  # teach(): one drawing, and the next answer read by the head
