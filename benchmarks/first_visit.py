"""What does a first visit to the page download, and how soon can it be used?

    python -m benchmarks.first_visit [--model web/model] [--second web/models/NAME] [--runs 3]
        [--report build/first-visit]

The page and MODEL are served on loopback the way a static host serves them: every response
gzip-compressed, with an ETag to revalidate against (GitHub Pages, Netlify and the like compress;
`make serve`'s `http.server` does not, and its figures are printed too). Then:

1. bytes: the page opens in a fresh Chromium profile; every response that came from the network,
   the page's and its service worker's, counts with its headers and its body as transferred,
   until `window.app.ready`, and until the service worker has cached the offline copy;
2. Lighthouse (npm `lighthouse`, pinned in package.json) runs RUNS times on the same server:
   mobile, its default simulated throttling (a mid-range phone on slow 4G), fresh storage; the
   medians of its performance score, time to interactive, total byte weight and unused JavaScript
   are printed, and its JSON reports kept in REPORT;
3. with --second, a site of two models (MODEL the default, SECOND in models/NAME/): after the
   first visit, the page picks SECOND (?model=NAME, as its picker does), and what the network
   sends counts until it is ready and until the service worker keeps SECOND for offline use;
   then a first visit straight to ?model=NAME (a link to it), in a fresh profile, counted as in 1.

Targets (issue 12): first visit at most 1 MB, time to interactive at most 3 s.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import statistics
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from playwright.sync_api import BrowserContext, Page, Request

from benchmarks.common import fail, print_header
from export.browser import CHROMIUM, chromium, serve, site_with_model
from export.catalog import DEFAULT_FOLDER
from runfolder.commandline import run

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_PACKAGE = ROOT / "node_modules" / "lighthouse" / "package.json"
# Lighthouse starts its own Chromium: the flags the tests use, in the new headless mode.
LIGHTHOUSE_CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
BYTES_TARGET = 1_000_000
INTERACTIVE_TARGET_MS = 3000
SERVICE_WORKER_INSTALLED = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return registration.active.state;
}"""


class _GzipHandler(SimpleHTTPRequestHandler):
    """Files as a compressing static host sends them: gzip, and 304 for an ETag that still fits."""

    # Browsers ignore an HTTP/1.0 response's ETag (it is HTTP/1.1's), so they could not revalidate.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        body = gzip.compress(path.read_bytes())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages' choice
        self.send_header("ETag", etag)
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve_gzip(root: Path) -> Iterator[str]:
    """Serve `root` gzip-compressed on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_GzipHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Audit:
    score: float
    interactive_s: float
    byte_weight: float
    unused_javascript: float


@dataclass
class Visit:
    ready_bytes: int  # transferred until window.app.ready
    total_bytes: int  # ... and until the service worker has cached the offline copy
    files: list[tuple[str, int]]  # (path, bytes) of every response, in the order they ended


def first_visit(context: BrowserContext, base: str, search: str = "") -> tuple[Page, Visit]:
    """Open the page (`search`: its ?model=, if any) in `context` (fresh) and count what the
    network sends until it is ready."""
    page = context.new_page()
    return page, counted(context, base, lambda: page.goto(base + search),
                         lambda: page.evaluate(SERVICE_WORKER_INSTALLED))


def second_model(page: Page, base: str, name: str) -> Visit:
    """After the first visit, the page opened on the model `name`, as its picker opens it: what
    the network sends until it is ready and until the service worker keeps it offline."""
    kept = f"#model option[value='{name}'][data-kept=true]"
    return counted(page.context, base, lambda: page.goto(f"{base}?model={name}"),
                   lambda: page.wait_for_selector(kept, state="attached"))


def counted(context: BrowserContext, base: str, open_page: Callable[[], object],
            kept_offline: Callable[[], object]) -> Visit:
    """What the network sends from `open_page` until the page is ready, and until
    `kept_offline` returns."""
    finished: list[Request] = []

    def record(request: Request) -> None:
        finished.append(request)

    context.on("requestfinished", record)
    open_page()
    page = context.pages[-1]
    page.evaluate("window.app.ready")
    ready = len(finished)
    kept_offline()
    page.wait_for_timeout(500)  # the last responses' events reach us after the worker is done
    context.remove_listener("requestfinished", record)
    files = [(request.url.removeprefix(base), transferred(request)) for request in finished]
    return Visit(sum(size for _, size in files[:ready]), sum(size for _, size in files), files)


def transferred(request: Request) -> int:
    """Bytes the network sent for `request`: 0 from a cache, or through the service worker (its
    own request counts them)."""
    response = request.response()
    if response is None or response.from_service_worker:  # failed, or the worker's
        return 0
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


def lighthouse(url: str, report: Path) -> Audit:
    """Lighthouse's mobile performance run on `url`; the JSON report is written to `report`."""
    report.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [LIGHTHOUSE, url, "--only-categories=performance", "--output=json",
         f"--output-path={report}", f"--chrome-flags={LIGHTHOUSE_CHROME_FLAGS}", "--quiet"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True,
    )
    result = json.loads(report.read_text())
    audits = result["audits"]
    return Audit(
        score=result["categories"]["performance"]["score"],
        interactive_s=audits["interactive"]["numericValue"] / 1000,
        byte_weight=audits["total-byte-weight"]["numericValue"],
        unused_javascript=audits["unused-javascript"].get("details", {})
        .get("overallSavingsBytes", 0),
    )


def median(audits: list[Audit]) -> Audit:
    """Each figure's median over the runs (Lighthouse's advice for noisy machines)."""
    runs = zip(*map(astuple, audits), strict=True)
    return Audit(*(statistics.median(values) for values in runs))


def main(
    model: Annotated[Path, typer.Option(help="Exported model folder (model.json, metadata.json).")]
    = Path("web/model"),
    second: Annotated[Path | None, typer.Option(
        help="Another exported model, in models/NAME/ of the same site: its first pick counted.")]
    = None,
    runs: Annotated[int, typer.Option(min=1, help="Lighthouse runs per server; medians shown.")]
    = 3,
    report: Annotated[Path, typer.Option(help="Folder for Lighthouse's JSON reports.")]
    = Path("build/first-visit"),
) -> None:
    if not (model / "model.json").is_file():
        fail(f"--model {model}: no model.json (make export, or --model FOLDER)")
    if second is not None and not (second / "model.json").is_file():
        fail(f"--second {second}: no model.json (make export NAME=..., or --second FOLDER)")
    if not LIGHTHOUSE.exists():
        fail(f"{LIGHTHOUSE}: not installed (run make setup)")
    print_header(model, *([second] if second else []))
    servers = {"gzip": ("gzip, as a static host", serve_gzip),
               "plain": ("plain, as make serve", serve)}
    more = {second.resolve().name: second} if second else {}
    visits, seconds, straight, audits = {}, {}, {}, {}
    with site_with_model(model, more) as site, chromium() as browser:
        for name, (_, server) in servers.items():
            with server(site) as base:
                page, visits[name] = first_visit(browser.new_context(), base)
                for picked in more:
                    seconds[name] = second_model(page, base, picked)
                    straight[name] = first_visit(browser.new_context(), base,
                                                 f"?model={picked}")[1]
                audits[name] = median([lighthouse(base, report / f"lighthouse-{name}-{run}.json")
                                       for run in range(1, runs + 1)])

    model_bytes = sum(path.stat().st_size for path in model.iterdir())
    print(f"first visit with the model in {model} ({model_bytes:,} bytes); "
          "what the network sent over gzip:")
    for path, size in visits["gzip"].files:
        if size:
            print(f"  {size:>10,}  {path}")
    version = json.loads(LIGHTHOUSE_PACKAGE.read_text())["version"]
    print(f"Lighthouse {version}: mobile, simulated throttling, median of {runs} runs; "
          f"reports in {report}/")
    print("| server | bytes until ready | with the offline copy | Lighthouse score | "
          "time to interactive | total byte weight | unused JavaScript |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (label, _) in servers.items():
        visit, audit = visits[name], audits[name]
        print(f"| {label} | {visit.ready_bytes:,} | {visit.total_bytes:,} | {audit.score:.2f} "
              f"| {audit.interactive_s:.1f} s | {audit.byte_weight:,.0f} "
              f"| {audit.unused_javascript:,.0f} |")
    if second:
        second_bytes = sum(path.stat().st_size for path in second.iterdir())
        print(f"then {second} ({second_bytes:,} bytes) picked, as models/{second.resolve().name}/:")
        print("| server | bytes until ready | with its offline copy |")
        print("|---|---:|---:|")
        for name, (label, _) in servers.items():
            print(f"| {label} | {seconds[name].ready_bytes:,} | {seconds[name].total_bytes:,} |")
        print(f"a first visit straight to ?model={second.resolve().name}:")
        print("| server | bytes until ready | with the offline copy | of it, the default model's |")
        print("|---|---:|---:|---:|")
        for name, (label, _) in servers.items():
            visit = straight[name]
            default = sum(size for path, size in visit.files
                          if path.startswith(f"{DEFAULT_FOLDER}/"))
            print(f"| {label} | {visit.ready_bytes:,} | {visit.total_bytes:,} | {default:,} |")
    print(f"targets: first visit at most {BYTES_TARGET:,} bytes, "
          f"time to interactive at most {INTERACTIVE_TARGET_MS / 1000:.0f} s")


if __name__ == "__main__":
    run(main)
