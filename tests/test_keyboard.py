"""The page as a handwriting keyboard, for a model that reads one character at a time (the tiny
Japanese model of tests/conftest.py), in real Chromium: one visit, every check."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.helpers import draw

# 30 short strokes (a jōyō kanji has 29 at most: 鬱) in a 6 x 5 grid, each apart from the others:
# a kanji's gaps (川, 八, 小) at their widest. A model reading one character reads it as one.
GAPS = [[(0.12 + 0.15 * col, 0.15 + 0.17 * row), (0.16 + 0.15 * col, 0.19 + 0.17 * row)]
        for row in range(5) for col in range(6)]
CANDIDATES = "#candidates button"
# What the page has been taught, once it holds something (at most 10 s).
TAUGHT_ONCE_STORED = """async () => {
  for (let tries = 0; tries < 200; tries += 1) {
    const taught = await window.app.taught();
    if (taught.length) return taught;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}"""


def test_a_one_character_model_writes_tapped_candidates_into_a_text_line(browser, japanese_url):
    page = browser.new_page(service_workers="block")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    # Every answer "not sure", so that the row is seen to stay when the page is unsure.
    page.route("**/model/metadata.json", lambda route: route.fulfill(
        json={**json.loads(route.fetch().text()), "not_sure_threshold": 1}))
    page.goto(japanese_url)
    page.evaluate("window.app.ready")
    metadata = page.evaluate("fetch('model/metadata.json').then((r) => r.json())")
    groups = {group[0]: group for group in metadata["candidate_groups"]}
    expect(page.locator("#multi-toggle")).to_be_hidden()
    expect(page.locator("#keyboard")).to_be_visible()

    draw(page, GAPS)
    buttons = page.locator(CANDIDATES)
    expect(buttons.first).to_be_visible()  # the answer after the pause
    assert len(page.evaluate("window.app.readNumber()")) == 1  # one character, not 30
    ranked = page.evaluate("window.app.predict()")  # the row drawn again, as it was
    assert ranked, "the 30 strokes were refused"
    expect(page.locator("#status")).to_contain_text("Not sure")
    row = [tuple(shown) for shown in page.eval_on_selector_all(
        CANDIDATES, "(row) => row.map((button) => [button.dataset.label, button.textContent])")]
    assert row[0][0] == ranked[0]["label"]
    labels = list(dict.fromkeys(label for label, _ in row))
    assert labels == [r["label"] for r in ranked[:len(labels)]]  # best first
    assert 10 <= len(row) < 10 + max(map(len, groups.values()))  # ten; a group never cut
    partners = [text for label, text in row if text != label]
    assert partners  # 12 of the 16 labels have a small form: among the first five, one at least
    for label in labels:
        assert [text for shown, text in row if shown == label] == groups.get(label, [label])
    sizes = page.eval_on_selector_all(CANDIDATES, "(row) => row.map((button) => "
                                      "[button.offsetWidth, button.offsetHeight])")
    assert min(min(size) for size in sizes) >= 48  # a finger's target

    # A tap on another label than the first writes it, clears the pad, and teaches the drawing.
    other = next(i for i, (label, _) in enumerate(row) if label != ranked[0]["label"])
    buttons.nth(other).click()
    expect(page.locator("#text-line")).to_have_text(row[other][1])
    expect(buttons).to_have_count(0)
    assert page.evaluate("window.app.strokes") == []
    # The teach is stored after the tap returns; wait_for_function would not await taught().
    taught = page.evaluate(TAUGHT_ONCE_STORED)
    assert [drawing["label"] for drawing in taught] == [row[other][0]]

    draw(page, GAPS)
    expect(buttons.first).to_be_visible()
    first = buttons.first.inner_text()
    buttons.first.click()  # the first: no correction, nothing taught
    expect(page.locator("#text-line")).to_have_text(row[other][1] + first)
    assert len(page.evaluate("window.app.taught()")) == 1
    page.click("#text-backspace")
    expect(page.locator("#text-line")).to_have_text(row[other][1])

    # The text line is kept, a line for each model (keyed by its folder's URL, as what is taught);
    # a damaged one is set aside alone, with a message.
    folder, other_folder = page.evaluate(
        "['model/', 'models/other/'].map((folder) => new URL(folder, location.href).href)")
    line, aside = f"drawrecog-text-line {folder}", f"drawrecog-text-line-set-aside {folder}"
    another = f"drawrecog-text-line {other_folder}"
    stored = "([key, value]) => localStorage.setItem(key, value)"
    page.evaluate(stored, [another, '{"format": 1, "text": "他"}'])
    page.reload()
    expect(page.locator("#text-line")).to_have_text(row[other][1])
    assert json.loads(page.evaluate("(key) => localStorage.getItem(key)", line)) == {
        "format": 1, "text": row[other][1]}
    page.evaluate(stored, [line, '{"format": 1, "te'])
    page.reload()
    expect(page.locator("#text-note")).to_contain_text("damaged")
    expect(page.locator("#text-line")).to_have_text("")
    assert page.evaluate("(key) => localStorage.getItem(key)", aside) == '{"format": 1, "te'
    assert page.evaluate("(key) => localStorage.getItem(key)", another) == (
        '{"format": 1, "text": "他"}')

    draw(page, GAPS)
    buttons.first.click()
    page.click("#text-copy")
    expect(page.locator("#text-note")).to_have_text("Copied.")
    page.click("#text-clear")
    expect(page.locator("#text-line")).to_have_text("")
    page.close()
    assert not errors, errors
