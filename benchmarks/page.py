"""Drawing on the page as a person does, for tests and benchmarks: the mouse along each stroke, or
the pointer events it sends dispatched within the page (the browser itself: export/browser.py)."""

from __future__ import annotations

import itertools
import math

from playwright.sync_api import Page


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
