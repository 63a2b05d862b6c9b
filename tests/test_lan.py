"""The page served as a teacher without a host would serve it, on a LAN address: over plain http
the browser gives it no service worker (not a secure context), so it cannot work offline and says
so; over https with a certificate the device trusts (`make serve CERT= KEY=`) it works offline."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from benchmarks.page import draw_strokes
from export.browser import WEB_DIR, chromium
from export.serve import make_server
from tests.helpers import DIGITS, SERVICE_WORKER_IN_CONTROL, self_signed_certificate

LAN_HOST = "lan.test"  # resolved to 127.0.0.1, as a LAN address would be to the server's


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path, str]:
    """The LAN host's certificate, its key, and its public key's hash."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"), LAN_HOST)


def on_lan_browser(certificate: tuple[Path, Path, str], check: Callable[[Browser], None]) -> None:
    """Runs `check` on a Chromium that finds LAN_HOST at 127.0.0.1 and trusts its certificate, as
    a tablet that installed the local certificate authority would. In a thread of its own:
    Playwright's sync API runs one instance a thread, and the session's Chromium (conftest.py)
    may hold this one's."""
    def run() -> None:
        with chromium(f"--host-resolver-rules=MAP {LAN_HOST} 127.0.0.1",
                      f"--ignore-certificate-errors-spki-list={certificate[2]}") as browser:
            check(browser)

    with ThreadPoolExecutor(1) as thread:
        thread.submit(run).result()


def opened(browser: Browser, url: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(url)
    page.evaluate("window.app.ready")
    return page


def test_on_a_lan_address_over_http_the_page_recognises_and_says_it_cannot_work_offline(
    certificate, site_url
):
    on_lan_browser(certificate, lambda browser: check_http_on_a_lan(browser, site_url))


def check_http_on_a_lan(browser: Browser, site_url: str) -> None:
    origin = f"http://{LAN_HOST}:{urlsplit(site_url).port}"
    page = opened(browser, f"{origin}/")
    assert page.evaluate("isSecureContext") is False
    draw_strokes(page, DIGITS["7"])
    assert page.evaluate("window.app.predict()")[0]["label"] == "7"
    note = page.locator("#offline-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("offline use is unavailable here")
    expect(note).to_contain_text(f"{origin} is not a secure context")
    page.context.close()


def test_where_the_service_worker_runs_there_is_no_such_note(certificate, site_url):
    def check(browser: Browser) -> None:
        page = opened(browser, site_url)  # 127.0.0.1: a secure context
        page.evaluate(SERVICE_WORKER_IN_CONTROL)
        expect(page.locator("#offline-note")).to_be_hidden()
        page.context.close()

    on_lan_browser(certificate, check)


def test_over_https_with_a_trusted_certificate_it_works_offline(certificate, exported_dir,
                                                               tmp_path):
    cert, key, _ = certificate
    site = tmp_path / "web"  # a copy: make serve follows no symlink out of its folder
    shutil.copytree(WEB_DIR, site, ignore=shutil.ignore_patterns("model"))
    shutil.copytree(exported_dir, site / "model")
    server = make_server(site, "127.0.0.1", 0, cert, key)  # what make serve CERT= KEY= runs
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def check(browser: Browser) -> None:
        page = opened(browser, f"https://{LAN_HOST}:{server.server_address[1]}/")
        page.evaluate(SERVICE_WORKER_IN_CONTROL)
        expect(page.locator("#offline-note")).to_be_hidden()
        page.context.set_offline(True)
        page.reload()
        page.evaluate("window.app.ready")
        draw_strokes(page, DIGITS["7"])
        assert page.evaluate("window.app.predict()")[0]["label"] == "7"
        page.context.close()

    try:
        on_lan_browser(certificate, check)
    finally:
        server.shutdown()
        server.server_close()
