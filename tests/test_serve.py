"""python -m export serve (make serve): the page over http or https, on the address it names."""

from __future__ import annotations

import socket
import ssl
import threading
import urllib.request
from pathlib import Path

import pytest

from export.serve import make_server
from tests.helpers import run_export, self_signed_certificate


@pytest.fixture
def site(tmp_path) -> Path:
    """A page's folder with an (empty) exported model."""
    (tmp_path / "site" / "model").mkdir(parents=True)
    (tmp_path / "site" / "model" / "model.json").write_text("{}")
    (tmp_path / "site" / "index.html").write_text("<p>the page</p>")
    return tmp_path / "site"


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    cert, key, _ = self_signed_certificate(tmp_path, "127.0.0.1")
    return cert, key


def test_serves_the_page_over_https_with_a_certificate(site, certificate):
    server = make_server(site, "127.0.0.1", 0, *certificate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        trusting = ssl.create_default_context(cafile=str(certificate[0]))
        url = f"https://127.0.0.1:{server.server_address[1]}/index.html"
        # A connection that never speaks (a browser's preconnect) holds up no one else.
        with socket.create_connection(server.server_address):
            with urllib.request.urlopen(url, context=trusting, timeout=10) as response:
                assert response.read() == b"<p>the page</p>"
    finally:
        server.shutdown()
        server.server_close()


def test_bad_input_is_one_line(site, certificate, tmp_path):
    cert, key = certificate
    (tmp_path / "junk.pem").write_text("not a certificate")
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
    }
    try:
        for message, args in cases.items():
            output = run_export("serve", *args, code=2).output
            assert message in output and len(output.strip().splitlines()) == 1, output
    finally:
        busy.close()
