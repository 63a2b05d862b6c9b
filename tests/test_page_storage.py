"""The page survives its own storage (issue 35): whatever is stored under the saved drawings'
key, in Chromium the model loads, recognises, and a damaged item is set aside with a note."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from benchmarks.page import DISPATCH_STROKES
from tests.helpers import DIGITS

KEY, SET_ASIDE = "drawrecog-my-drawings", "drawrecog-my-drawings-set-aside"
GOOD = {"word": "7", "countrycode": "ZZ", "timestamp": "2026-01-01 00:00:00.0 UTC",
        "recognized": True, "key_id": "1", "drawing": [[[40, 160, 80], [160, 160, 280]]]}


@pytest.mark.browser
@pytest.mark.parametrize("stored, kept, set_aside", [
    (json.dumps([None]), 0, [None]),  # the record that made every load fail
    (json.dumps([GOOD, None, {"word": "7"}]), 1, [None, {"word": "7"}]),
    (json.dumps([{"word": "7", "drawing": [[[1e308], [1]]]}, GOOD]), 1,
     [{"word": "7", "drawing": [[[1e308], [1]]]}]),
    ("{not json", 0, ["{not json"]),
    (json.dumps({"word": "7"}), 0, [json.dumps({"word": "7"})]),
], ids=["[null]", "good and bad", "huge coordinate", "not JSON", "an object"])
def test_a_damaged_stored_drawing_is_set_aside_with_a_note(browser, site_url, stored, kept,
                                                           set_aside):
    page = browser.new_page(service_workers="block")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(f"if (!sessionStorage.seeded) {{ sessionStorage.seeded = 1; "
                         f"localStorage.setItem({KEY!r}, {json.dumps(stored)}); }}")
    page.goto(site_url)
    page.evaluate("window.app.ready")
    expect(page.locator("#status")).not_to_have_class("error")
    expect(page.locator("#personal-note")).to_contain_text(
        f"{len(set_aside)} saved item{'' if len(set_aside) == 1 else 's'} "
        f"{'was' if len(set_aside) == 1 else 'were'} not a drawing: set aside")
    expect(page.locator("#teach-download")).to_have_text(
        f"Download ({kept} drawing{'' if kept == 1 else 's'})")
    assert json.loads(page.evaluate(f"localStorage.getItem({SET_ASIDE!r})")) == set_aside
    page.evaluate(DISPATCH_STROKES, DIGITS["7"])
    assert page.evaluate("window.app.predict()")  # the model reads drawings
    page.reload()  # and the next visit starts clean, with no note
    page.evaluate("window.app.ready")
    expect(page.locator("#personal-note")).to_have_text("")
    page.close()
    assert not errors, errors
