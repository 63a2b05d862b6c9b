"""python -m export serve: the page's folder over http, or https with a certificate, on the address
the command names (127.0.0.1 for this machine alone, 0.0.0.0 for a LAN as well)."""

from __future__ import annotations

import functools
import ipaddress
import ssl
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from export import ExportError

OFFLINE_DOCS = "docs/offline.md"


def make_server(folder: Path, host: str, port: int, cert: Path | None = None,
                key: Path | None = None) -> ThreadingHTTPServer:
    """A server for `folder`, listening, not yet serving; checks everything a start can fail on."""
    if not (folder / "model" / "model.json").is_file():
        raise ExportError(f"{folder / 'model' / 'model.json'}: no model yet "
                          "(run make train, then make export)")
    context = tls_context(cert, key) if cert or key else None
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise ExportError(f"--host {host} --port {port}: cannot listen there ({error.strerror})") \
            from None
    if context:
        # The handshake on the first read, in the request's own thread: on accept() it would run
        # in the serving loop, where one connection that never speaks stops every other.
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    return server


def tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext:
    if cert is None or key is None:
        raise ExportError("--cert and --key: give both, a PEM certificate and its private key")
    for flag, path in (("--cert", cert), ("--key", key)):
        if not path.is_file():
            raise ExportError(f"{path}: no such file ({flag})")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as error:
        raise ExportError(f"{cert}, {key}: not a PEM certificate and its private key "
                          f"({error.reason or error})") from None
    return context


def serve_forever(server: ThreadingHTTPServer, https: bool, say: Callable[[str], None]) -> None:
    host, port = server.server_address[:2]
    scheme = "https" if https else "http"
    if ipaddress.ip_address(host).is_unspecified:
        say(f"Serving on every address of this machine: open {scheme}://THIS-MACHINE:{port}/ "
            "with its LAN address or name")
    else:
        say(f"Open {scheme}://{host}:{port}/")
    if not https and not ipaddress.ip_address(host).is_loopback:
        say("Plain http on a LAN address: the page recognises, but browsers keep no offline "
            f"copy (not a secure context); {OFFLINE_DOCS} says how to serve it over https")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
