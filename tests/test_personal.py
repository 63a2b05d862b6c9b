"""The page learns its writer, in real Chromium: real pen digits drawn on the pad and taught, a
personal head fitted in the worker and kept in IndexedDB, read again after an offline reload,
fitted again for a new model, dropped when damaged, grown by a symbol of the person's own, and
forgotten."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from export.browser import serve, site_with_model
from tests.helpers import (
    DIGITS,
    SERVICE_WORKER_IN_CONTROL,
    SHARED_DATA,
    draw,
    labels_read,
    real_digits,
)
from tests.test_offline import misbehaving_server
from trainer.sources.unipen import read_segment_file

PLUS = [[(0.2, 0.5), (0.8, 0.5)], [(0.5, 0.2), (0.5, 0.8)]]
# What is taught is kept per model folder's URL (web/personal-store.js): a record a drawing, and
# the head. These read and damage the store as another page (or a disk fault) would.
OPEN_STORE = """const database = await new Promise((resolve, reject) => {
    const request = indexedDB.open('drawrecog-personal', 2);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const request = (r) => new Promise((resolve) => { r.onsuccess = () => resolve(r.result); });"""
READ_ENTRY = f"""async (key) => {{
  {OPEN_STORE}
  const transaction = database.transaction(['drawings', 'heads']);
  const drawings = await request(transaction.objectStore('drawings').index('model').getAll(key));
  const head = await request(transaction.objectStore('heads').get(key));
  database.close();
  return (drawings.length || head) ? {{ drawings: drawings.length, head: head && {{
    modelHash: head.modelHash, labels: head.labels, rows: head.rows.length }} }} : null;
}}"""
DAMAGE_HEAD = f"""async (key) => {{
  {OPEN_STORE}
  const store = database.transaction('heads', 'readwrite').objectStore('heads');
  const head = await request(store.get(key));
  head.rows = head.rows.subarray(0, 7); // a head cut short
  await request(store.put(head, key));
  database.close();
}}"""
DAMAGE_DRAWING = f"""async (key) => {{
  {OPEN_STORE}
  const store = database.transaction('drawings', 'readwrite').objectStore('drawings');
  const [first] = await request(store.index('model').getAll(key));
  first.strokes[0][0][1] = NaN;
  await request(store.put(first));
  database.close();
  return first.id;
}}"""


def read(page: Page, strokes) -> list[dict]:
    draw(page, strokes)
    return page.evaluate("window.app.predict()")


def teach(page: Page, strokes, label: str) -> dict:
    draw(page, strokes)
    return page.evaluate("(label) => window.app.teach(label)", label)


def right(page: Page, digits) -> int:
    return sum(read == label for read, (label, _) in zip(labels_read(page, digits), digits,
                                                         strict=True))


def open_page(context, base: str) -> Page:
    page = context.new_page()
    page.goto(base)
    page.evaluate("window.app.personal")
    return page


def test_taught_digits_are_read_after_an_offline_reload_and_forgotten_exactly(browser,
                                                                              exported_dir):
    digits = real_digits()  # two UJI writers, two of each digit each: 40 drawings
    context = browser.new_context()
    with site_with_model(exported_dir) as site, serve(site) as base:
        page = open_page(context, base)
        page.evaluate(SERVICE_WORKER_IN_CONTROL)
        before = [read(page, strokes) for _, strokes in digits]
        assert page.evaluate("window.app.adapted") is False
        fits = [teach(page, strokes, label)["fitMs"] for label, strokes in digits]
        taught = [read(page, strokes) for _, strokes in digits]
        assert page.evaluate("window.app.adapted") is True
        right_before = sum(answer[0]["label"] == label
                           for answer, (label, _) in zip(before, digits, strict=True))
        right_taught = right(page, digits)
        print(f"40 taught drawings read right: {right_before} before, {right_taught} after; "
              f"fitting 40 took {fits[-1]:.0f} ms")
        # The head is fitted to these very drawings, from the model's own last layer: it reads
        # them nearly all, more than the tiny model on its own does.
        assert right_taught >= 38 and right_taught > right_before

        context.set_offline(True)
        page.reload()
        page.evaluate("window.app.personal")
        expect(page.locator("#personal-note")).to_have_text(
            "Reading your handwriting: 40 drawings taught.")
        assert [read(page, strokes) for _, strokes in digits] == taught

        page.evaluate("window.app.forget()")
        assert [read(page, strokes) for _, strokes in digits] == before  # exactly
        assert page.evaluate("window.app.adapted") is False
        assert page.evaluate(READ_ENTRY, f"{base}model/") is None
        page.reload()
        page.evaluate("window.app.personal")
        assert read(page, digits[0][1]) == before[0]
    context.close()


def test_a_new_model_refits_and_a_damaged_item_is_set_aside_alone(browser, exported_dir, tmp_path):
    digits = real_digits()[:20]
    model = Path(shutil.copytree(exported_dir, tmp_path / "model"))
    metadata = json.loads((model / "metadata.json").read_text())
    context = browser.new_context(service_workers="block")
    # A server that never lets the browser keep a file: metadata.json changes within a second.
    with site_with_model(model) as site, misbehaving_server(site) as (base, _):
        key = f"{base}model/"
        page = open_page(context, base)
        for label, strokes in digits:
            teach(page, strokes, label)
        taught = [read(page, strokes) for _, strokes in digits]
        assert page.evaluate(READ_ENTRY, key)["head"]["modelHash"] == metadata["model_hash"]

        # Another version of the model: the head kept for the old one is fitted again.
        (model / "metadata.json").write_text(json.dumps({**metadata, "model_hash": "f" * 64}))
        page.reload()
        page.evaluate("window.app.personal")
        entry = page.evaluate(READ_ENTRY, key)
        assert entry["head"]["modelHash"] == "f" * 64 and entry["drawings"] == 20
        assert [read(page, strokes) for _, strokes in digits] == taught
        assert page.evaluate("window.app.adapted") is True

        # A head cut short is set aside alone, and fitted again from the drawings: as before.
        page.evaluate(DAMAGE_HEAD, key)
        page.reload()
        page.evaluate("window.app.personal")
        expect(page.locator("#personal-note")).to_have_text(re.compile(
            r"^The head fitted to your drawings was damaged \(the head's weights do not fit 10 "
            r"labels of 128 features\): set aside, and fitted again\.$"))
        assert [read(page, strokes) for _, strokes in digits] == taught
        assert page.evaluate("document.getElementById('teach-set-aside').hidden") is False

        # One drawing with a point that is not a number: set aside alone, named; the other 19
        # are kept, and read with.
        damaged = page.evaluate(DAMAGE_DRAWING, key)
        page.reload()
        page.evaluate("window.app.personal")
        expect(page.locator("#personal-note")).to_have_text(re.compile(
            rf'^1 taught drawing was damaged and set aside \(a drawing of "{digits[0][0]}" '
            rf"\(#{damaged}\): a point is not a number\); the rest are read\."))
        assert page.evaluate(READ_ENTRY, key)["drawings"] == 19
        read(page, digits[1][1])
        assert page.evaluate("window.app.adapted") is True
        page.click("#teach summary")
        with page.expect_download() as download:
            page.click("#teach-set-aside")
        set_aside = json.loads(Path(download.value.path()).read_text())["taught"]
        assert [item["kind"] for item in set_aside] == ["head", "drawing"]
        assert set_aside[1]["item"]["id"] == damaged
    context.close()


def answers(page: Page) -> list[list[dict]]:
    return [read(page, strokes) for strokes in DIGITS.values()]


def correct(page: Page, strokes, label: str) -> None:
    """The person says the answer to `strokes` is wrong: it is `label` (one tap, two when sure)."""
    draw(page, strokes)
    page.evaluate("window.app.predict()")
    if page.locator("#wrong").is_visible():
        page.click("#wrong")
    page.click(f"#correct-labels button[data-label='{label}']")
    expect(page.locator("#personal-note")).to_contain_text(f"Saved as {label}")


def test_a_symbol_corrections_undo_remove_and_forget_on_the_page(page, tmp_path):
    page.set_viewport_size({"width": 360, "height": 560})  # a small phone
    page.click("#teach summary")
    draw(page, PLUS)
    page.fill("#teach-new", "+")  # typed once: the picker then shows it for the next four
    page.click("#teach-save")
    expect(page.locator("#teach-label")).to_have_value("+")
    for count in range(2, 6):
        draw(page, PLUS)
        page.click("#teach-save")
        if count < 5:
            more = 5 - count
            expect(page.locator("#personal-note")).to_have_text(
                f"Saved as +: {more} more drawing{'s' if more > 1 else ''} of it and the page "
                "reads it.")
    expect(page.locator("#personal-note")).to_have_text(
        re.compile(r"^Saved as \+: the page now reads your handwriting \(learnt in \d+ ms\)\.$"))
    assert read(page, PLUS)[0]["label"] == "+"
    expect(page.locator("#results li").first).to_have_attribute("data-label", "+")
    expect(page.locator("#teach-count")).to_contain_text("+ ×5")
    expect(page.locator("#taught-list li[data-label='+'] button.thumbnail")).to_have_count(5)
    # On a phone the answer stays in view while the teach panel is open and in use.
    page.evaluate("document.getElementById('teach-save').scrollIntoView({ block: 'start' })")
    assert page.locator("#results li").first.evaluate(
        "(item) => { const box = item.getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= innerHeight; }")

    # A sure answer offers "Wrong?", which opens the row of labels, spaced for a finger.
    read(page, DIGITS["1"])
    if page.locator("#wrong").is_visible():
        expect(page.locator("#correct")).to_be_hidden()
        page.click("#wrong")
    expect(page.locator("#correct")).to_be_visible()
    boxes = [page.locator(f"#correct-labels button[data-label='{label}']").bounding_box()
             for label in ("0", "1")]
    assert all(box["width"] >= 44 and box["height"] >= 44 for box in boxes)
    assert boxes[1]["x"] - (boxes[0]["x"] + boxes[0]["width"]) >= 8

    # The model reads a plain stroke as some digit; corrections say it is a 7, and it is a 7.
    stroke = [[(0.3, 0.3), (0.7, 0.35), (0.6, 0.8)]]
    wanted = "7" if read(page, stroke)[0]["label"] != "7" else "1"
    for _ in range(3):
        correct(page, stroke, wanted)
    assert read(page, stroke)[0]["label"] == wanted

    # A mistaken tap, then Undo: every answer exactly as before the tap.
    before = answers(page)
    correct(page, DIGITS["4"], "9")
    assert answers(page) != before
    page.click("#teach-undo")
    expect(page.locator("#personal-note")).to_have_text("Taken back: a drawing of 9.")
    assert answers(page) == before
    # One more drawing, removed by its thumbnail: its effect goes with it.
    correct(page, DIGITS["4"], "9")
    page.locator("#taught-list li[data-label='9'] button.thumbnail").click()
    expect(page.locator("#taught-list li[data-label='9']")).to_have_count(0)
    assert answers(page) == before

    with page.expect_download() as download:
        page.click("#teach-download")
    saved = tmp_path / "my-drawings.ndjson"
    download.value.save_as(saved)
    words = [json.loads(line)["word"] for line in saved.read_text().splitlines()]
    assert words == ["+"] * 5 + [wanted] * 3

    # "Forget my handwriting" asks first: no keeps everything, yes forgets it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#teach-forget")
    assert len(page.evaluate("window.app.taught()")) == 8
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#teach-forget")
    expect(page.locator("#personal-note")).to_have_text(
        "Forgotten: the model reads on its own again.")
    assert page.evaluate("window.app.taught()") == []


# One writer of UNIPEN (Valladolid's val01): their + (section 1d), and their 0s and 7s (1a).
VAL01 = {"+": ("unipen-more", "1d", "yannis2b.dat"), "0": ("unipen", "1a", "yannis30.dat"),
         "7": ("unipen", "1a", "yannis37.dat")}
# In the page: the writer's digits read, 5 of their + taught, the digits and other +s read; then,
# taught nothing else, the first 7 the model reads right taught as a 1, the digits read again.
SAME_HAND = """async ({ plus, digits }) => {
  const { Recognizer } = await import('./recognizer.js');
  const recognizer = await Recognizer.load('model/');
  const readAll = async (drawings) => {
    const labels = [];
    for (const strokes of drawings) {
      labels.push((await recognizer.predict(strokes)).ranked[0]?.label);
    }
    return labels;
  };
  const before = await readAll(digits.map(([, strokes]) => strokes));
  for (const strokes of plus.slice(0, 5)) await recognizer.teach(strokes, '+');
  const afterPlus = await readAll(digits.map(([, strokes]) => strokes));
  const plusRead = await readAll(plus.slice(5));
  await recognizer.forget();
  const tapped = digits.findIndex(([label], i) => label === '7' && before[i] === '7');
  await recognizer.teach(digits[tapped][1], '1');
  const afterTap = await readAll(digits.map(([, strokes]) => strokes));
  recognizer.dispose();
  return { before, afterPlus, plusRead, afterTap, tapped };
}"""


def val01(label: str, count: int) -> list:
    """The first `count` drawings of `label` by val01, as [x, y] points."""
    folder, section, name = VAL01[label]
    root = SHARED_DATA / folder
    found = read_segment_file(root / "data" / section / "val" / name, root, "val")
    return [[[list(point) for point in stroke] for stroke in c.strokes] for c in found[:count]]


def test_a_new_symbol_and_a_mistaken_tap_leave_the_same_hands_digits_as_they_were(browser,
                                                                                   exported_dir):
    plus = val01("+", 15)
    digits = [[label, strokes] for label in "07" for strokes in val01(label, 12)]
    context = browser.new_context(service_workers="block")
    with site_with_model(exported_dir) as site, serve(site) as base:
        page = context.new_page()
        page.goto(base)
        result = page.evaluate(SAME_HAND, {"plus": plus, "digits": digits})
    context.close()
    print(f"{result['plusRead'].count('+')} of 10 other + read as +")
    assert result["afterPlus"] == result["before"]  # the digits, every answer as it was
    assert result["plusRead"].count("+") >= 8  # their other +s are read as +
    tapped = result["tapped"]
    assert result["afterTap"][tapped] == "1"  # the drawing tapped is read as taught
    assert [label for i, label in enumerate(result["afterTap"]) if i != tapped] == [
        label for i, label in enumerate(result["before"]) if i != tapped]
