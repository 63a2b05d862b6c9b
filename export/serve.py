"""python -m export serve: the page's folder over http, or https with a certificate, on the address
the command names (127.0.0.1 for this machine alone, 0.0.0.0 for a LAN as well).

One asyncio event loop holds every connection, so a connection that is idle, or sends half a
request, costs a socket and no thread; files are read in a small thread pool. A connection waits
at most IDLE_TIMEOUT for its TLS handshake or its next request, and beyond MAX_CONNECTIONS the one
idle the longest is closed. A request the server cannot answer is a 4xx status or a closed
connection, with one log line."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

from export import ExportError
from export.static_files import (
    BadRequest,
    Request,
    file_headers,
    find,
    not_modified,
    parse_head,
    response_head,
)

OFFLINE_DOCS = "docs/offline.md"
IDLE_TIMEOUT = 10.0  # seconds for a TLS handshake, a request head, or the next request
SEND_TIMEOUT = 60.0  # seconds a response may take to reach a client that reads slowly
MAX_CONNECTIONS = 512  # well under a desktop's 1,024 open files
FILE_THREADS = 4
HEAD_LIMIT = 16 * 1024  # bytes of request line and headers
PORTS = range(0, 65536)  # 0: any free port

Log = Callable[[str], None]


def log_to_stderr(line: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}", file=sys.stderr, flush=True)


def make_server(folder: Path, host: str, port: int, cert: Path | None = None,
                key: Path | None = None, idle_timeout: float = IDLE_TIMEOUT,
                log: Log = log_to_stderr) -> PageServer:
    """A server for `folder`, listening, not yet serving; checks everything a start can fail on."""
    if not (folder / "model" / "model.json").is_file():
        raise ExportError(f"{folder / 'model' / 'model.json'}: no model yet "
                          "(run make train, then make export)")
    if port not in PORTS:
        raise ExportError(f"--port {port}: not a port (0 to 65535)")
    context = tls_context(cert, key) if cert or key else None
    return PageServer(folder.resolve(), listening_socket(host, port), context, idle_timeout, log)


def listening_socket(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, backlog=256)
    except OSError as error:
        raise ExportError(f"--host {host} --port {port}: cannot listen there "
                          f"({error.strerror or error})") from None


def tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext:
    if cert is None or key is None:
        raise ExportError("--cert and --key: give both, a PEM certificate and its private key")
    for flag, path in (("--cert", cert), ("--key", key)):
        if not path.is_file():
            raise ExportError(f"{path}: no such file ({flag})")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key, password=refuse_pass_phrase)
    except ssl.SSLError as error:
        raise ExportError(f"{cert}, {key}: not a PEM certificate and its private key "
                          f"({error.reason or error})") from None
    except EncryptedKey:
        raise ExportError(f"{key}: the key is encrypted; give one without a pass phrase "
                          f"(openssl pkey -in {key} -out plain-key.pem)") from None
    except OSError as error:
        raise ExportError(f"{cert}, {key}: cannot read them ({error.strerror})") from None
    return context


class EncryptedKey(Exception):
    pass


def refuse_pass_phrase() -> str:
    """OpenSSL asks for an encrypted key's pass phrase on the terminal unless told otherwise."""
    raise EncryptedKey


class PageServer:
    """The static server: serve_forever() in a thread of its own, shutdown() from another."""

    def __init__(self, root: Path, listening: socket.socket, context: ssl.SSLContext | None,
                 idle_timeout: float, log: Log) -> None:
        self.root, self.socket, self.context = root, listening, context
        self.idle_timeout, self.log = idle_timeout, log
        self.server_address = listening.getsockname()
        self.idle_since: dict[asyncio.StreamWriter, float | None] = {}  # None: answering
        self._files = ThreadPoolExecutor(FILE_THREADS, thread_name_prefix="serve-files")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            asyncio.run(self._serve())
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self._stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(stop.set)
            self._stopped.wait()

    def server_close(self) -> None:
        self.socket.close()
        self._files.shutdown(cancel_futures=True)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self._loop.set_exception_handler(lambda _, context: self.log(
            f"server: {context.get('exception') or context['message']}"))
        server = await asyncio.start_server(self._connection, sock=self.socket, limit=HEAD_LIMIT)
        async with server:
            if not self._stopping.is_set():
                await self._stop.wait()
            for writer in list(self.idle_since):  # before wait_closed, which waits for them
                writer.transport.abort()

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername", ("?",))[0])
        try:
            if not self._admit(writer):
                return
            if self.context is not None and not await self._handshake(writer, peer):
                return
            while await self._answer(reader, writer, peer):
                pass
        except (ConnectionError, TimeoutError):
            pass  # the client went away, or read too slowly: nothing to answer
        finally:
            self.idle_since.pop(writer, None)
            writer.transport.abort()

    def _admit(self, writer: asyncio.StreamWriter) -> bool:
        """Room for one more connection: the one idle the longest makes way, if any is idle."""
        if len(self.idle_since) >= MAX_CONNECTIONS:
            idle = [(since, w) for w, since in self.idle_since.items() if since is not None]
            oldest = min(idle, key=lambda pair: pair[0])[1] if idle else writer
            if oldest is writer:
                self.log(f"closed a connection: {MAX_CONNECTIONS} are busy")
                return False
            oldest.transport.abort()
            self.idle_since.pop(oldest, None)
        self.idle_since[writer] = time.monotonic()
        return True

    async def _handshake(self, writer: asyncio.StreamWriter, peer: str) -> bool:
        assert self.context is not None
        try:
            await writer.start_tls(self.context, ssl_handshake_timeout=self.idle_timeout)
        except ssl.SSLError as error:  # plain http, or bytes that are not TLS
            self.log(f"{peer}: closed: no TLS handshake ({error.reason or error})")
            return False
        except (ConnectionError, TimeoutError):
            return False
        return True

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      peer: str) -> bool:
        """Reads one request and answers it; whether the connection stays open for another."""
        if writer not in self.idle_since:
            return False  # closed to make way for another
        self.idle_since[writer] = time.monotonic()
        try:
            async with asyncio.timeout(self.idle_timeout):
                head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if error.partial.strip():
                self.log(f"{peer}: closed: a request head cut short")
            return False
        except asyncio.LimitOverrunError:
            await self._refuse(writer, peer, BadRequest(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, f"a head over {HEAD_LIMIT} bytes"))
            return False
        except ssl.SSLError as error:
            self.log(f"{peer}: closed: {error.reason or error}")
            return False
        self.idle_since[writer] = None
        first_line = printable(head.split(b"\r\n", 1)[0])
        try:
            request = parse_head(head)
        except BadRequest as refused:
            await self._refuse(writer, peer, refused, first_line)
            return False
        status = await self._respond(writer, request)
        self.log(f'{peer} "{first_line}" {status.value}')
        return request.keep_alive

    async def _respond(self, writer: asyncio.StreamWriter, request: Request) -> HTTPStatus:
        found = find(self.root, request.path)
        if found.file is None:
            headers = {"Location": found.location} if found.location else {}
            await self._send(writer, found.status, headers, request, keep_alive=True)
            return found.status
        file = found.file
        try:
            stat = file.stat()
            if not_modified(request, stat.st_mtime):
                await self._send(writer, HTTPStatus.NOT_MODIFIED, {}, request, True, b"")
                return HTTPStatus.NOT_MODIFIED
            body = b"" if request.method == "HEAD" else await asyncio.get_running_loop(
            ).run_in_executor(self._files, file.read_bytes)
        except OSError:
            await self._send(writer, HTTPStatus.NOT_FOUND, {}, request, keep_alive=True)
            return HTTPStatus.NOT_FOUND
        headers = file_headers(file, stat.st_size, stat.st_mtime)
        await self._send(writer, HTTPStatus.OK, headers, request, request.keep_alive, body)
        return HTTPStatus.OK

    async def _refuse(self, writer: asyncio.StreamWriter, peer: str, refused: BadRequest,
                      first_line: str = "") -> None:
        self.log(f'{peer} "{first_line}" {refused.status.value}: {refused}')
        body = f"{refused.status.value} {refused.status.phrase}: {refused}\n".encode()
        head = response_head(refused.status, {"Content-Type": "text/plain; charset=utf-8",
                                              "Content-Length": str(len(body))}, False)
        writer.write(head + body)
        async with asyncio.timeout(SEND_TIMEOUT):
            await writer.drain()

    async def _send(self, writer: asyncio.StreamWriter, status: HTTPStatus,
                    headers: dict[str, str], request: Request, keep_alive: bool,
                    body: bytes | None = None) -> None:
        if body is None:  # an error or a redirect: its status as text
            body = f"{status.value} {status.phrase}\n".encode()
            headers = {**headers, "Content-Type": "text/plain; charset=utf-8",
                       "Content-Length": str(len(body))}
        writer.write(response_head(status, headers, keep_alive and request.keep_alive))
        if request.method != "HEAD":
            writer.write(body)
        async with asyncio.timeout(SEND_TIMEOUT):
            await writer.drain()


def printable(raw: bytes) -> str:
    """A request line for the log, its control characters and other bytes escaped."""
    return raw[:200].decode("ascii", "backslashreplace").encode("unicode_escape").decode("ascii")


def serve_forever(server: PageServer, https: bool, say: Callable[[str], None]) -> None:
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
