"""The recognizer (web/recognizer.js) in real Chromium: honest refusals, models it cannot run named
by their file, and pointers other than the mouse."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from benchmarks.page import draw_strokes
from export.browser import serve, site_with_model
from tests.helpers import DIGITS

SHARD = "group1-shard1of1.bin"


def fewer_labels(model: Path) -> None:
    metadata = json.loads((model / "metadata.json").read_text())
    (model / "metadata.json").write_text(json.dumps({**metadata, "labels": ["A", "B", "C"]}))


def shard_missing(model: Path) -> None:
    (model / SHARD).unlink()


def shard_cut_short(model: Path) -> None:
    shard = model / SHARD
    shard.write_bytes(shard.read_bytes()[:1001])


NOT_A_GRAPH = re.escape("model/model.json: not a TF.js graph model (no modelTopology and "
                        "weightsManifest): export the model again")


def model_json_not_json(model: Path) -> None:
    (model / "model.json").write_text("{oops")


def model_json_not_a_graph(model: Path) -> None:
    (model / "model.json").write_text(json.dumps({"format": "layers-model"}))


@pytest.mark.parametrize("damage, message", [
    (model_json_not_json, NOT_A_GRAPH),
    (model_json_not_a_graph, NOT_A_GRAPH),
    (fewer_labels, re.escape("model/model.json: the model gives 10 outputs but metadata.json names "
                             "3 labels: export the model again")),
    (shard_missing, re.escape(f"model/{SHARD}: HTTP 404")),
    (shard_cut_short, rf"model/{SHARD}: 1,001 bytes where model.json expects [\d,]+ "
                      r"\(a download cut short\?\)"),
], ids=["model.json not JSON", "model.json not a graph model", "fewer labels than outputs",
        "shard missing", "shard cut short"])
def test_a_model_the_page_cannot_run_is_refused_naming_the_file(browser, exported_dir, tmp_path,
                                                                  damage, message):
    model = tmp_path / "model"
    shutil.copytree(exported_dir, model)
    assert (model / SHARD).is_file()
    damage(model)
    with site_with_model(model) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        status = page.locator("#status")
        expect(status).to_have_text(re.compile(f"^The model failed to load: {message}$"))
        expect(status).to_have_attribute("role", "alert")
        page.close()


def zigzag(rows: int) -> list[tuple[float, float]]:
    """One stroke back and forth across the pad, `rows` times: ink nearly everywhere."""
    ys = np.linspace(0.2, 0.8, rows)
    return [(x, float(y)) for i, y in enumerate(ys)
            for x in ((0.2, 0.8) if i % 2 == 0 else (0.8, 0.2))]


def test_scribbles_are_refused_not_guessed(page, exported_dir):
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    max_strokes, ink_limit = metadata["preprocessing"]["max_strokes"], metadata["ink_limit"]
    assert 0 < ink_limit < 1

    bars = [[(0.1 + 0.06 * i, 0.3), (0.1 + 0.06 * i, 0.7)] for i in range(max_strokes + 1)]
    draw_strokes(page, bars, spacing=200)
    assert page.evaluate("window.app.predict()") == []
    expect(page.locator("#status")).to_have_text(
        f"{max_strokes + 1} strokes are too many for one character: clear and draw one")
    assert page.locator("#results li").count() == 0

    page.click("#clear")
    draw_strokes(page, [zigzag(30)], spacing=200)
    mean_ink = "window.app.preprocess().then((x) => x.reduce((a, b) => a + b) / x.length)"
    assert page.evaluate(mean_ink) / 255 > ink_limit
    assert page.evaluate("window.app.predict()") == []
    expect(page.locator("#status")).to_have_text(
        "Too much ink for one character: clear and draw one")

    page.click("#clear")
    draw_strokes(page, DIGITS["7"])
    assert page.evaluate("window.app.predict()")[0]["label"] == "7"  # characters still read


# Which kinds of pointer drew on the pad, as the page's own pointerdown handler saw them.
RECORD_POINTER_TYPES = """() => {
  window.pointerTypes = [];
  document.getElementById('pad').addEventListener('pointerdown',
    (event) => window.pointerTypes.push(event.pointerType), { capture: true });
}"""


def pad_points(page, stroke):
    box = page.locator("#pad").bounding_box()
    return [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]


def touch(cdp, page, strokes) -> None:
    """A finger on a touch screen: Chromium turns the touches into pointer events."""
    for stroke in strokes:
        points = pad_points(page, stroke)
        for kind, (x, y) in [("touchStart", points[0]), *(("touchMove", p) for p in points[1:])]:
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def pen(cdp, page, strokes) -> None:
    """A stylus: mouse events that Chromium reports as a pen's, with pressure."""
    for stroke in strokes:
        points = pad_points(page, stroke)
        for kind, (x, y) in [("mousePressed", points[0]), *(("mouseMoved", p) for p in points[1:]),
                             ("mouseReleased", points[-1])]:
            cdp.send("Input.dispatchMouseEvent", {
                "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1,
                "buttons": 0 if kind == "mouseReleased" else 1, "pointerType": "pen", "force": 0.5})


def dense(stroke, steps: int = 8):
    """The stroke with points between its corners, as a moving finger reports them."""
    return [tuple(np.add(a, np.multiply(np.subtract(b, a), t)))
            for a, b in zip(stroke, stroke[1:], strict=False) for t in np.linspace(0, 1, steps)]


@pytest.mark.parametrize("pointer", [touch, pen])
def test_a_digit_drawn_with_a_finger_or_a_pen_is_read(browser, site_url, pointer):
    context = browser.new_context(has_touch=True, service_workers="block")
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("window.app.ready")
    page.evaluate(RECORD_POINTER_TYPES)
    cdp = context.new_cdp_session(page)
    for digit in ("7", "4"):
        page.click("#clear")
        pointer(cdp, page, [dense(stroke) for stroke in DIGITS[digit]])
        assert page.evaluate("window.app.predict()")[0]["label"] == digit
        expect(page.locator("#results li").first).to_have_attribute("data-label", digit)
    kind = "touch" if pointer is touch else "pen"
    assert set(page.evaluate("window.pointerTypes")) == {kind}
    context.close()


def test_the_model_runs_in_a_worker_not_on_the_page(page):
    """The page's own thread never loads TF.js: the answer can only come from the worker."""
    draw_strokes(page, DIGITS["7"])
    assert page.evaluate("window.app.predict()")[0]["label"] == "7"
    assert page.evaluate("typeof window.tf") == "undefined"
    scripts = page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert any(name.endswith("/recognizer-worker.js") for name in scripts)
    assert not any(name.endswith("/vendor/tf.js") for name in scripts)
    times = page.evaluate("window.app.lastMs")
    assert 0 < times["model"] <= times["total"] and 0 <= times["preprocess"] <= times["total"]
