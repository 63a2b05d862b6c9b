"""How long does `make serve` take to answer while it is busy?

    python -m benchmarks.serve_load [--rounds 3]

Each round starts export/serve.py's server on loopback for a small site of its own, opens IDLE
connections that send half a request and then nothing, fetches the page with CLIENTS clients at
once, and then times one more fetch: what a visitor waits while the server holds the idle ones
(at most MAX_CONNECTIONS; it closes the oldest beyond that). Prints the header line and a table.
tests/test_serve.py runs the same load for what must hold whatever the time: every client served,
no more than MAX_CONNECTIONS held.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.common import markdown_table, print_header
from export.serve import MAX_CONNECTIONS, PageServer, make_server
from runfolder.commandline import run

CLIENTS, IDLE = 200, 1000
PAGE = b"<p>the page</p>"


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()


async def load(server: PageServer, address: tuple[str, int], page: bytes = PAGE) -> dict:
    """IDLE half-sent requests, CLIENTS fetches at once, then one more timed: the pages served
    whole (the answer ends with `page`; CLIENTS + 1 when all are), the idle connections the server
    held, the seconds the last one took."""

    async def fetch() -> bool:
        reader, writer = await asyncio.open_connection(*address)
        writer.write(get("/"))
        answer = await reader.read()
        writer.close()
        return answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(page)

    idle = []
    for _ in range(IDLE):
        idle.append((await asyncio.open_connection(*address))[1])
        idle[-1].write(b"GET / HTTP/1.1\r\nHost: x\r\n")
    await asyncio.sleep(0.1)
    held = len(server.idle_since)
    clients = await asyncio.wait_for(asyncio.gather(*(fetch() for _ in range(CLIENTS))), 30)
    start = time.monotonic()
    served_last = await asyncio.wait_for(fetch(), 5)
    seconds = time.monotonic() - start
    for writer in idle:
        writer.close()
    return {"served": sum(clients) + served_last, "seconds": seconds, "held": held}


def under_load(site: Path) -> dict:
    """One round: `load` against a server for `site` serving in a thread of its own, with room
    for the idle connections in this process's open files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    server = make_server(site, "127.0.0.1", 0, log=lambda _: None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return asyncio.run(load(server, server.server_address[:2]))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def small_site(folder: Path) -> Path:
    """A page and an (empty) model: what the server needs to start."""
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "model.json").write_text("{}")
    (folder / "index.html").write_bytes(PAGE)
    return folder


def main(rounds: Annotated[int, typer.Option(help="Rounds, each on a fresh server.", min=1)] = 3,
         ) -> None:
    print_header()  # the server alone: no model
    with tempfile.TemporaryDirectory() as work:
        site = small_site(Path(work) / "site")
        results = [under_load(site) for _ in range(rounds)]
    ms = [result["seconds"] * 1000 for result in results]
    typer.echo(markdown_table(
        ["clients at once", "half-sent requests", "pages served (fewest)", "held (most)", "rounds",
         "one more page, ms: median", "slowest"],
        [[f"{CLIENTS:,}", f"{IDLE:,}", f"{min(r['served'] for r in results):,} of {CLIENTS + 1:,}",
          f"{max(r['held'] for r in results):,} ({MAX_CONNECTIONS:,})", f"{rounds}",
          f"{statistics.median(ms):.1f}", f"{max(ms):.1f}"]],
        "rrrrrrr"))


if __name__ == "__main__":
    run(main)
