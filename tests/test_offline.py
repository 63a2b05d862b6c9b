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


def first_visit(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """The page loaded from the network, then controlled by its service worker, which installs
    only once it has cached the page and the whole model; and the page's errors from then on."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url)
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


def expect_update_ready(page: Page) -> None:
    """The page says a newer version is ready (the button is in the page, hidden, until then)."""
    update = page.locator("#update")
    expect(update).to_be_visible()
    expect(update).to_have_text(UPDATE_READY)


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
        expect_update_ready(page)
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
        expect_update_ready(page)
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


def letters_model(exported_dir: Path, folder: Path) -> Path:
    """The test model again, its labels letters and its credit named: what it reads as 7 it
    calls h."""
    shutil.copytree(exported_dir, folder)
    metadata = json.loads((folder / "metadata.json").read_text())
    credit = {"trained_on": ["Letters by a test"], "licence": "CC BY 4.0"}
    metadata = {**metadata, "labels": list("abcdefghij"), "name": "letters", "credit": credit}
    (folder / "metadata.json").write_text(json.dumps(metadata))
    return folder


def model_caches(page: Page) -> dict[str, str]:
    """The service worker's model caches, by the model folder each keeps a version of."""
    names = [name.split(" ") for name in page.evaluate("caches.keys()") if " " in name]
    return {folder: version for version, folder in names}


def test_two_models_on_one_site_each_offline_once_visited(context, model, tmp_path):
    """The default model and another, picked by the URL and by the picker; each kept offline
    once visited (a first visit straight to the other keeps it as the worker installs, and never
    downloads the default), a third never visited marked so offline; an update of one leaves the
    other's copy alone; a damaged catalog is a note and the default model still reads."""
    letters = letters_model(model, tmp_path / "letters")
    more = {"letters": letters, "unvisited": letters}
    with site_with_model(model, more) as site, misbehaving_server(site) as (base, _):
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page, errors = first_visit(context, f"{base}?model=letters")
        expect(page.locator("#model-info")).to_have_text(
            "letters · 10 labels · trained on Letters by a test · shared under CC BY 4.0")
        assert read_digit(page, "7")[0]["label"] == "h"
        assert list(model_caches(page)) == ["models/letters/"]
        assert not [url for url in requested if url.startswith(f"{base}model/")]
        picker = page.locator("#model")
        expect(picker).to_have_value("letters")
        with page.expect_navigation():
            picker.select_option("default")
        page.evaluate("window.app.ready")
        assert page.url == base
        assert read_digit(page, "7")[0]["label"] == "7"
        # Kept once the worker has downloaded and checked it whole: seconds on a loaded machine.
        expect(picker.locator("option[value=default]")).to_have_attribute("data-kept", "true",
                                                                          timeout=30_000)
        kept = model_caches(page)
        assert sorted(kept) == ["model/", "models/letters/"]

        context.set_offline(True)
        page.goto(base)
        page.evaluate("window.app.ready")
        assert read_digit(page, "7")[0]["label"] == "7"
        unvisited = picker.locator("option[value=unvisited]")
        expect(unvisited).to_be_disabled()
        expect(unvisited).to_have_text("unvisited (not kept offline)")
        with page.expect_navigation():
            picker.select_option("letters")
        page.evaluate("window.app.ready")
        assert read_digit(page, "7")[0]["label"] == "h"

        context.set_offline(False)
        new_version(letters, lambda _: None, "letters 2")
        page.reload()
        page.evaluate("window.app.ready")
        expect_update_ready(page)
        updated = model_caches(page)
        assert updated["model/"] == kept["model/"]  # the default's copy untouched
        assert updated["models/letters/"] != kept["models/letters/"]

        (site / "models.json").write_text("{")
        page.goto(f"{base}?model=letters")
        page.evaluate("window.app.ready")
        expect(page.locator("#models-note")).to_have_text(
            "models.json: not JSON; reading with the default model")
        assert read_digit(page, "7")[0]["label"] == "7"
        assert not errors, errors
