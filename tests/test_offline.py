"""The service worker's model cache in real Chromium, against a server that misbehaves."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from benchmarks.page import draw_strokes
from export.browser import site_with_model
from export.version import model_hash
from tests.helpers import DIGITS, SERVICE_WORKER_IN_CONTROL, zero_float_weights

UPDATE_READY = "A newer model is ready — reload to update"


class _Handler(SimpleHTTPRequestHandler):
    """Files as they are on disk at each request, never from the browser's HTTP cache (the
    tests change them within a second, too fast for Last-Modified), and the paths in
    `cut_short` sent with their whole Content-Length but half their bytes."""

    cut_short: set[str]

    def do_GET(self) -> None:
        del self.headers["If-Modified-Since"]
        if urlsplit(self.path).path not in self.cut_short:
            super().do_GET()
            return
        body = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(self.path))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def misbehaving_server(root: Path) -> Iterator[tuple[str, set[str]]]:
    """Serve `root` on 127.0.0.1; yields the base URL and the set of paths to cut short."""
    cut_short: set[str] = set()
    handler = functools.partial(type("Handler", (_Handler,), {"cut_short": cut_short}),
                                directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", cut_short
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def model(exported_dir, tmp_path) -> Path:
    """A copy of the exported model that a test may change on the server."""
    return Path(shutil.copytree(exported_dir, tmp_path / "model"))


@pytest.fixture
def context(browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def first_visit(context: BrowserContext, base: str) -> tuple[Page, list[str]]:
    """The page loaded from the network, then controlled by its service worker, which installs
    only once it has cached the page and the whole model; and the page's errors from then on."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(base)
    page.evaluate("window.app.ready")
    page.evaluate(SERVICE_WORKER_IN_CONTROL)
    return page, errors


def new_version(model: Path, change_weights, name: str) -> str:
    """`model` changed in place as the export writes a new version: weights, then metadata.json
    with their hash; returns the hash."""
    change_weights(model)
    metadata = json.loads((model / "metadata.json").read_text())
    new_hash = model_hash(model)
    metadata = {**metadata, "name": name, "model_hash": new_hash}
    (model / "metadata.json").write_text(json.dumps(metadata))
    return new_hash


def read_digit(page: Page, digit: str) -> list[dict]:
    page.click("#clear")
    draw_strokes(page, DIGITS[digit])
    return page.evaluate("window.app.predict()")


def test_a_shard_cut_short_never_replaces_the_cached_model(context, model):
    with site_with_model(model) as site, misbehaving_server(site) as (base, cut_short):
        page, errors = first_visit(context, base)
        # A new version half uploaded: its metadata.json is there, its one shard half of itself,
        # served with HTTP 200 and a Content-Length that matches; and a page file whose
        # connection ends before its Content-Length.
        (shard,) = model.glob("*.bin")
        new_version(model, zero_float_weights, "new")
        shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
        cut_short.add("/pad.js")
        with page.expect_console_message(lambda msg: "No newer model" in msg.text) as refused:
            page.reload()
            page.evaluate("window.app.ready")
        assert "but model.json and its shards as downloaded hash to" in refused.value.text
        assert read_digit(page, "7")[0]["label"] == "7"

        context.set_offline(True)
        page.reload()
        page.evaluate("window.app.ready")
        assert read_digit(page, "7")[0]["label"] == "7"
        expect(page.locator("#model-info")).not_to_contain_text("new")
        expect(page.locator("#update")).to_be_hidden()
        assert not errors, errors


def test_a_complete_new_model_is_announced_and_runs_after_a_reload(context, model):
    with site_with_model(model) as site, misbehaving_server(site) as (base, _):
        page, errors = first_visit(context, base)
        old_hash = json.loads((model / "metadata.json").read_text())["model_hash"]
        # Every weight 0: the new version gives each label 10%.
        new_hash = new_version(model, zero_float_weights, "blank")
        assert new_hash != old_hash
        page.reload()
        page.evaluate("window.app.ready")
        expect(page.locator("#update")).to_have_text(UPDATE_READY)
        assert read_digit(page, "7")[0]["label"] == "7"  # this page keeps the version it loaded

        with page.expect_navigation():
            page.click("#update")
        page.evaluate("window.app.ready")
        expect(page.locator("#model-info")).to_contain_text("blank")
        assert read_digit(page, "7")[0]["prob"] == pytest.approx(0.1)
        expect(page.locator("#update")).to_be_hidden()
        caches = sorted(page.evaluate("caches.keys()"))
        assert caches[0::2] == ["drawrecog-current", "drawrecog-shell"]
        assert caches[1].startswith(f"drawrecog-model-{new_hash}-")

        context.set_offline(True)
        page.reload()
        page.evaluate("window.app.ready")
        assert read_digit(page, "7")[0]["prob"] == pytest.approx(0.1)
        assert not errors, errors


def test_a_version_the_page_would_refuse_is_never_adopted_and_new_metadata_alone_is(context,
                                                                                     model):
    """Online then offline: a metadata.json the page refuses (a format it does not read) keeps
    the working version; one that changes the name alone, the weights the same, is a version."""
    with site_with_model(model) as site, misbehaving_server(site) as (base, _):
        page, errors = first_visit(context, base)
        metadata = json.loads((model / "metadata.json").read_text())
        (model / "metadata.json").write_text(json.dumps({**metadata, "format_version": 99}))
        with page.expect_console_message(lambda msg: "No newer model" in msg.text) as refused:
            page.reload()
            page.evaluate("window.app.ready")
        assert "model/metadata.json: format_version 99 is unknown" in refused.value.text
        expect(page.locator("#update")).to_be_hidden()
        assert read_digit(page, "7")[0]["label"] == "7"

        (model / "metadata.json").write_text(json.dumps({**metadata, "name": "renamed"}))
        page.reload()
        page.evaluate("window.app.ready")
        expect(page.locator("#update")).to_have_text(UPDATE_READY)
        with page.expect_navigation():
            page.click("#update")
        page.evaluate("window.app.ready")
        expect(page.locator("#model-info")).to_contain_text("renamed")

        context.set_offline(True)
        page.reload()
        page.evaluate("window.app.ready")
        expect(page.locator("#model-info")).to_contain_text("renamed")
        assert read_digit(page, "7")[0]["label"] == "7"
        assert not errors, errors
