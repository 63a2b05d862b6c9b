"""What a person taught survives the page's own store (issue 41), in real Chromium, in one
browser profile: the previous page's format read and split, a damaged drawing set aside alone;
teach() refusing what it cannot use before anything is kept; two tabs teaching at once, both kept;
a thousand drawings kept, the model reading at once and the head following."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from benchmarks.page import DISPATCH_STROKES
from tests.helpers import DIGITS, draw, real_digits

# The previous page's store (version 1): one entry per model folder, every drawing in it.
PREVIOUS_STORE = """async ({ key, examples }) => {
  const database = await new Promise((resolve, reject) => {
    const request = indexedDB.open('drawrecog-personal', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('taught');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const transaction = database.transaction('taught', 'readwrite');
  transaction.objectStore('taught').put({ examples, head: { modelHash: 7 } }, key);
  await new Promise((resolve) => { transaction.oncomplete = resolve; });
  database.close();
}"""
# teach() with each of these, on a recognizer of its own in the page: each refused, in one line,
# and nothing kept.
REFUSALS = """async () => {
  const { Recognizer } = await import('./recognizer.js');
  const recognizer = await Recognizer.load('model/');
  await recognizer.personal;
  const line = [[0, 0], [10, 10]];
  const cases = [
    [[line], ''], [[line], 'x'.repeat(10_000_000)], [[line], 7], [[], '7'], [[[]], '7'],
    [[[[5, 5], [5, 5]]], '7'], [[[[0, 0], [NaN, 1]]], '7'], [[[[0, 0], [Infinity, 1]]], '7'],
    [[[[0, 0, 0]]], '7'], ['strokes', '7'],
  ];
  const refused = [];
  for (const [strokes, label] of cases) {
    const taught = recognizer.teach(strokes, label);
    refused.push(await taught.then(() => 'taught', (error) => error.reason));
  }
  const { readTaught } = await import('./personal-store.js');
  const kept = await readTaught(new URL('model/', location.href).href);
  recognizer.dispose();
  return { refused, kept: kept.drawings.length };
}"""
SEED = """async ({ key, count }) => {
  const { addDrawings } = await import('./personal-store.js');
  const line = (i) => [[[10, 10], [20 + (i % 7), 40 + (i % 13)], [35, 20 + (i % 5)]]];
  const drawings = Array.from({ length: count },
    (_, i) => ({ label: String(i % 10), strokes: line(i) }));
  await addDrawings(key, drawings);
}"""
FIRST_ANSWER_THEN_HEAD = """async (strokes) => {
  await window.app.ready;
  (DISPATCH_STROKES)(strokes);
  const first = await window.app.predict();
  const adaptedFirst = window.app.adapted;
  await window.app.personal;
  await window.app.predict();
  return { answered: first.length > 0, adaptedFirst, adapted: window.app.adapted,
           taught: (await window.app.taught()).length };
}""".replace("DISPATCH_STROKES", DISPATCH_STROKES)


def test_the_store_keeps_each_drawing_apart_across_formats_tabs_and_thousands(browser, site_url):
    key = f"{site_url}model/"
    digits = real_digits()[:3]
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{site_url}manifest.webmanifest")  # the origin, before the page opens its store
    examples = [{"label": label, "strokes": strokes} for label, strokes in digits]
    nan = {"label": "7", "strokes": [[[0, 0], [None, 1]]]}  # JSON's NaN, as a damaged disk has it
    page.evaluate(PREVIOUS_STORE, {"key": key, "examples": [examples[0], nan, *examples[1:]]})

    page.goto(site_url)
    page.evaluate("window.app.personal")
    expect(page.locator("#personal-note")).to_have_text(re.compile(
        r'^1 taught drawing was damaged and set aside \(a drawing of "7" \(#2\): a point is not '
        r"a number\); the rest are read\."))
    assert [d["label"] for d in page.evaluate("window.app.taught()")] == [
        label for label, _ in digits]
    draw(page, DIGITS["7"])
    page.evaluate("window.app.predict()")
    assert page.evaluate("window.app.adapted") is True

    result = page.evaluate(REFUSALS)
    assert result == {"refused": ["label", "label", "label", "empty", "empty", "dot",
                                  "not-a-number", "not-a-number", "not-strokes", "not-strokes"],
                      "kept": 3}

    # Two tabs teach at the same time: what each taught is kept.
    other = context.new_page()
    other.goto(site_url)
    other.evaluate("window.app.personal")
    for tab, digit in ((page, "1"), (other, "4")):
        draw(tab, DIGITS[digit])
        tab.evaluate(f"window.teaching = window.app.teach('{digit}')")
    for tab in (page, other):
        tab.evaluate("window.teaching")
    other.close()
    page.reload()
    page.evaluate("window.app.personal")
    assert sorted(d["label"] for d in page.evaluate("window.app.taught()")) == sorted(
        [label for label, _ in digits] + ["1", "4"])

    # A thousand more, and no head for them: the model answers at once, the head follows.
    page.evaluate(SEED, {"key": key, "count": 1000})
    page.reload()
    assert page.evaluate(FIRST_ANSWER_THEN_HEAD, DIGITS["7"]) == {
        "answered": True, "adaptedFirst": False, "adapted": True, "taught": 1005}
    context.close()
