"""Another page embeds the recognizer: web/examples/embed.html in real Chromium, and the npm
package that package.json describes."""

import json
import re
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from benchmarks.page import draw_strokes
from tests.helpers import DIGITS, ROOT

IMPORT = re.compile(r"""^import .*? from '(\.[^']+)';$|new URL\('(\.[^']+)', import\.meta\.url\)""",
                    re.MULTILINE)
IMPORT_SCRIPTS = re.compile(r"importScripts\('([^']+)'\)")


def test_the_embed_example_reads_a_drawn_digit(browser, site_url):
    page = browser.new_page(service_workers="block")
    page.goto(site_url + "examples/embed.html")
    page.evaluate("document.querySelector('draw-pad').ready")
    for digit in ("7", "1"):
        page.evaluate("document.querySelector('draw-pad').clear()")
        draw_strokes(page, DIGITS[digit], pad="draw-pad canvas")
        expect(page.locator("#answer")).to_have_text(digit)
    page.evaluate("document.querySelector('draw-pad').clear()")
    page.locator("draw-pad canvas").click()  # a dot
    expect(page.locator("#answer")).to_have_text("That is a dot: draw a whole character")
    page.close()


def test_the_package_holds_every_file_its_modules_load():
    """`npm pack` would ship the exported modules and everything they import or start."""
    package = json.loads((ROOT / "package.json").read_text())
    packed = subprocess.run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    files = {entry["path"] for entry in json.loads(packed.stdout)[0]["files"]}
    assert "private" not in package
    to_read = [path.removeprefix("./") for path in package["exports"].values()]
    seen = set()
    while to_read:
        path = to_read.pop()
        if path in seen:
            continue
        seen.add(path)
        assert path in files, f"{path} is loaded but not packed"
        if path.endswith(".js"):
            source = (ROOT / path).read_text()
            loaded = [a or b for a, b in IMPORT.findall(source)] + IMPORT_SCRIPTS.findall(source)
            to_read += [str(Path(path).parent / name) for name in loaded]
    assert {"web/recognizer-worker.js", "web/vendor/tf.js"} <= seen
    assert not {path for path in files if path.startswith(("tests/", "trainer/", "web/model/"))}
