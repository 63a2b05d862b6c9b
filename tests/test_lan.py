"""The page served as a teacher without a host would serve it: plain http on a LAN address, where
the browser gives it no service worker (not a secure context), so it cannot work offline."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from export.browser import chromium, draw_strokes
from tests.helpers import DIGITS, SERVICE_WORKER_IN_CONTROL

LAN_HOST = "lan.test"  # resolved to 127.0.0.1, as a LAN address would be to the server's


@pytest.fixture(scope="module")
def lan_browser() -> Iterator[Browser]:
    with chromium(f"--host-resolver-rules=MAP {LAN_HOST} 127.0.0.1") as browser:
        yield browser


def opened(browser: Browser, url: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(url)
    page.evaluate("window.recognizer.ready")
    return page


def test_on_a_lan_address_over_http_the_page_recognises_and_says_it_cannot_work_offline(
    lan_browser, site_url
):
    origin = f"http://{LAN_HOST}:{urlsplit(site_url).port}"
    page = opened(lan_browser, f"{origin}/")
    assert page.evaluate("isSecureContext") is False
    draw_strokes(page, DIGITS["7"])
    assert page.evaluate("window.recognizer.predict()")[0]["label"] == "7"
    note = page.locator("#offline-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("offline use is unavailable here")
    expect(note).to_contain_text(f"{origin} is not a secure context")
    page.context.close()


def test_where_the_service_worker_runs_there_is_no_such_note(lan_browser, site_url):
    page = opened(lan_browser, site_url)  # 127.0.0.1: a secure context
    page.evaluate(SERVICE_WORKER_IN_CONTROL)
    expect(page.locator("#offline-note")).to_be_hidden()
    page.context.close()
