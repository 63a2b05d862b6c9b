"""Real TF.js: a static server on loopback and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import functools
import itertools
import math
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def site_with_model(model_dir: Path) -> Iterator[Path]:
    """A temporary copy of web/ (as links) whose model/ is `model_dir`."""
    with tempfile.TemporaryDirectory(prefix="site-") as tmp:
        root = Path(tmp)
        for entry in WEB_DIR.iterdir():
            if entry.name != "model":
                (root / entry.name).symlink_to(entry.resolve())
        (root / "model").symlink_to(model_dir.resolve())
        yield root


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """Headless Chromium; `extra_args` are more of its command-line switches."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        raise FileNotFoundError(f"{CHROMIUM}: Chromium not found (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def draw_strokes(page: Page, strokes: list[list[tuple[float, float]]], spacing: float = 24,
                 pad: str = "#pad") -> None:
    """Draw on the page's `pad` with the mouse; points are in pad units, 0..1 from the top left.

    Mouse events are sent every `spacing` CSS pixels or so along each segment, as a pointer
    reports a moving pen (each event costs a frame of the page, so fewer is faster).
    """
    box = page.locator(pad).bounding_box()
    assert box is not None, f"{pad}: not shown on the page"
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for start, end in itertools.pairwise(points):
            steps = max(1, round(math.dist(start, end) / spacing))
            page.mouse.move(*end, steps=steps)
        page.mouse.up()


# For page.evaluate: `strokes` (pad units, as draw_strokes takes them) drawn on #pad by the pointer
# events a mouse sends for them at spacing=math.inf: for each stroke pointerdown at its first point,
# a pointermove at each further point, pointerup at its last. The page's own handlers run on them
# as on a real pointer's, all within one call instead of a round trip to the browser per point.
DISPATCH_STROKES = """(strokes) => {
  const pad = document.getElementById('pad');
  const box = pad.getBoundingClientRect();
  const send = (type, [x, y], buttons) => pad.dispatchEvent(new PointerEvent(type, {
    bubbles: true, cancelable: true, composed: true, view: window,
    pointerId: 1, pointerType: 'mouse', isPrimary: true,
    button: type === 'pointermove' ? -1 : 0, buttons,
    clientX: box.left + x * box.width, clientY: box.top + y * box.height,
  }));
  for (const stroke of strokes) {
    send('pointerdown', stroke[0], 1);
    for (const point of stroke.slice(1)) send('pointermove', point, 1);
    send('pointerup', stroke[stroke.length - 1], 0);
  }
}"""
