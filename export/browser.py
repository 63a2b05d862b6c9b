"""Real TF.js for the export's parity check: a static server on loopback, a copy of the page with a
model in it, and headless Debian Chromium driven by Playwright (benchmarks/page.py draws on it)."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from export import ExportError
from export.catalog import (
    CATALOG,
    DEFAULT_FOLDER,
    MODELS_FOLDER,
    UNNAMED_DEFAULT,
    SitePlace,
    add_to_catalog,
)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def site_with_model(model_dir: Path, more: dict[str, Path] | None = None) -> Iterator[Path]:
    """A temporary copy of web/ (as links) whose model/ is `model_dir`, named "default" in its
    catalog, and whose models/NAME/ is each of `more`'s, in the catalog as NAME."""
    with tempfile.TemporaryDirectory(prefix="site-") as tmp:
        root = Path(tmp)
        for entry in WEB_DIR.iterdir():
            if entry.name not in (DEFAULT_FOLDER, MODELS_FOLDER, CATALOG):
                (root / entry.name).symlink_to(entry.resolve())
        (root / DEFAULT_FOLDER).symlink_to(model_dir.resolve())
        add_to_catalog(SitePlace(root, f"{DEFAULT_FOLDER}/", UNNAMED_DEFAULT))
        for name, folder in (more or {}).items():
            (root / MODELS_FOLDER).mkdir(exist_ok=True)
            (root / MODELS_FOLDER / name).symlink_to(folder.resolve())
            add_to_catalog(SitePlace(root, f"{MODELS_FOLDER}/{name}/", name))
        yield root


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """Headless Chromium; `extra_args` are more of its command-line switches."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        raise ExportError(f"{CHROMIUM}: Chromium not found (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()
