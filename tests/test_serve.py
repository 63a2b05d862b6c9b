"""python -m export serve (make serve): the page over http or https, on the address it names."""

from __future__ import annotations

import email.utils
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.serve_load import CLIENTS, small_site, under_load
from export.serve import MAX_CONNECTIONS, PageServer, make_server
from tests.helpers import run_export, self_signed_certificate


@pytest.fixture
def site(tmp_path) -> Path:
    """A page's folder with an (empty) exported model."""
    return small_site(tmp_path / "site")


@contextmanager
def running(server: PageServer) -> Iterator[tuple[str, int]]:
    """The server serving in a thread of its own; yields its address."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def exchange(address: tuple[str, int], request: bytes) -> bytes:
    """What the server answers `request` with, up to its closing the connection."""
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    cert, key, _ = self_signed_certificate(tmp_path, "127.0.0.1")
    return cert, key


def test_serves_the_page_over_https_with_a_certificate(site, certificate):
    log: list[str] = []
    with running(make_server(site, "127.0.0.1", 0, *certificate, log=log.append)) as address:
        trusting = ssl.create_default_context(cafile=str(certificate[0]))
        url = f"https://127.0.0.1:{address[1]}/index.html"
        # A connection that never speaks (a browser's preconnect) holds up no one else.
        with socket.create_connection(address):
            with urllib.request.urlopen(url, context=trusting, timeout=10) as response:
                assert response.read() == b"<p>the page</p>"
        assert len(log) == 1 and log.pop().endswith('"GET /index.html HTTP/1.1" 200')
        for not_tls in (get("/"), b"\x16\x03\x01\x00\x05hello" * 50):  # plain http, garbage
            assert exchange(address, not_tls) == b""
            assert last_line(log).startswith("127.0.0.1: closed: no TLS handshake (")


def test_bad_input_is_one_line(site, certificate, tmp_path):
    cert, key = certificate
    (tmp_path / "junk.pem").write_text("not a certificate")
    encrypted = tmp_path / "encrypted-key.pem"
    subprocess.run(["openssl", "pkey", "-in", key, "-aes256", "-passout", "pass:secret",
                    "-out", encrypted], check=True, capture_output=True)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = str(busy.getsockname()[1])
    cases = {
        "model.json: no model yet": [tmp_path / "nothing"],
        "--cert and --key: give both": [site, "--cert", cert],
        "missing.pem: no such file (--key)": [site, "--cert", cert,
                                              "--key", tmp_path / "missing.pem"],
        "not a PEM certificate and its private key": [site, "--cert", tmp_path / "junk.pem",
                                                      "--key", key],
        f"--port {port}: cannot listen there": [site, "--port", port],
        "--port 99999: not a port (0 to 65535)": [site, "--port", "99999"],
        "--port -1: not a port": [site, "--port", "-1"],
        "--host no.such.host.invalid --port 0: cannot listen there": [
            site, "--host", "no.such.host.invalid", "--port", "0"],
        "encrypted-key.pem: the key is encrypted": [site, "--cert", cert, "--key", encrypted],
    }
    try:
        for message, args in cases.items():
            output = run_export("serve", *args, code=2).output
            assert message in output and len(output.strip().splitlines()) == 1, output
    finally:
        busy.close()


def last_line(log: list[str]) -> str:
    """The one line the server logged, taken out; waits for it a little (the server may close a
    connection before it writes why)."""
    deadline = time.monotonic() + 2
    while not log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(log) == 1, log
    return log.pop()


def get(path: str, *headers: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: x", *headers, "Connection: close",
                          "", ""]).encode()


def test_answers_each_request_once_with_a_status_and_one_log_line(site, tmp_path):
    (tmp_path / "secret.txt").write_text("not the page's")
    (site / "leak").symlink_to(tmp_path / "secret.txt")
    (site / "inside").symlink_to(site / "index.html")  # a link that stays inside is followed
    (site / "folder").mkdir()
    (site / "folder" / "a.js").write_text("export {};")
    modified = email.utils.formatdate((site / "index.html").stat().st_mtime + 1, usegmt=True)
    answers = {  # request: its status, and a part of what it answers or logs
        get("/"): ("200", b"<p>the page</p>"),
        get("/inside"): ("200", b"<p>the page</p>"),
        get("/folder/a.js"): ("200", b"Content-Type: text/javascript"),
        get("/index.html", f"If-Modified-Since: {modified}"): ("304", b""),
        get("/leak"): ("404", b""),
        get("/../secret.txt"): ("404", b""),
        get("/%2e%2e/secret.txt"): ("404", b""),
        get("/folder"): ("301", b"Location: /folder/"),
        get("/folder/"): ("404", b""),  # no index.html: no listing
        get("/index.html\x00"): ("400", b"a control character in the path"),
        get("/index.html%00.js"): ("400", b"a control character in the path"),
        get("/%ff"): ("400", b"a path that is not UTF-8"),
        get("/", "Cookie: café=1"): ("200", b"the page"),  # UTF-8 bytes in a header value
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n": ("400", b"not ASCII"),
        b"GET / HTTP/9.9\r\n\r\n": ("400", b"not a request line"),
        b"GET /\r\n\r\n": ("400", b"not a request line"),
        b"DELETE / HTTP/1.1\r\n\r\n": ("405", b"only GET and HEAD"),
        b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello": ("400", b"a body"),
        get("/", "X: " + "y" * 20_000): ("431", b"a head over"),
    }
    log: list[str] = []
    with running(make_server(site, "127.0.0.1", 0, log=log.append)) as address:
        for request, (status, part) in answers.items():
            answer = exchange(address, request)
            assert answer.startswith(f"HTTP/1.1 {status} ".encode()) and part in answer, (
                request, answer[:300])
            assert f" {status}" in last_line(log), request
        with socket.create_connection(address) as half:  # half a request, then gone
            half.sendall(b"GET / HT")
        assert last_line(log) == "127.0.0.1: closed: a request head cut short"


def test_an_idle_connection_is_closed_and_holds_no_one_up(site):
    with running(make_server(site, "127.0.0.1", 0, idle_timeout=0.5, log=lambda _: None)) as \
            address:
        with socket.create_connection(address, timeout=5) as idle:
            idle.sendall(b"GET / HTTP/1.1\r\n")  # and nothing more
            assert exchange(address, get("/")).startswith(b"HTTP/1.1 200 ")
            assert idle.recv(100) == b""  # closed (after 0.5 s; the socket gives up at 5)


def test_under_load_every_client_is_served_and_the_idle_are_held_within_bounds(site):
    """200 clients at once and 1,000 connections that sent half a request, on loopback; how long
    the page then takes is benchmarks/serve_load.py's (BENCHMARKS.md)."""
    # In a thread of its own: the session's Playwright (conftest.py) may be running an event loop
    # in this one.
    with ThreadPoolExecutor(1) as thread:
        served = thread.submit(under_load, site).result()
    assert served["served"] == CLIENTS + 1, served
    assert served["held"] <= MAX_CONNECTIONS, served  # the idle ones beyond it closed
