"""HTTP/1.1 for a static folder, as pure functions: a request head parsed or refused, a URL path
found in the folder (never outside it: symlinks are followed only where they stay inside, and a
folder is its index.html, never a listing), a response head written."""

from __future__ import annotations

import email.utils
import mimetypes
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

METHODS = ("GET", "HEAD")
VERSIONS = ("HTTP/1.0", "HTTP/1.1")
INDEX = "index.html"


class BadRequest(Exception):
    """A request answered with `status` and closed; the message is the log's reason."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded, without query or fragment
    version: str
    headers: dict[str, str]  # names in lower case

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.1":
            return connection != "close"
        return connection == "keep-alive"


@dataclass(frozen=True)
class Found:
    """What a request gets: a file, a redirect to a folder's slash, or an error status."""

    status: HTTPStatus
    file: Path | None = None
    location: str | None = None


def parse_head(head: bytes) -> Request:
    """A request head (request line and headers, ending with an empty line)."""
    # Header values may hold other bytes (a cookie another program on this host set): Latin-1
    # reads any; the request line must be ASCII.
    request_line, *header_lines = head.decode("latin-1").removesuffix("\r\n\r\n").split("\r\n")
    if not request_line.isascii():
        raise BadRequest(HTTPStatus.BAD_REQUEST, "bytes that are not ASCII in the request line")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] not in VERSIONS:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "not a request line like GET / HTTP/1.1")
    method, target, version = parts
    headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or not name.isprintable():
            raise BadRequest(HTTPStatus.BAD_REQUEST, "a header line without a name and a colon")
        headers[name.lower()] = value.strip()
    if method not in METHODS:
        raise BadRequest(HTTPStatus.METHOD_NOT_ALLOWED, f"method {method}: only GET and HEAD")
    if headers.get("content-length", "0") != "0" or "transfer-encoding" in headers:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a body on a GET or HEAD")
    return Request(method, url_path(target), version, headers)


def url_path(target: str) -> str:
    """The decoded path of a request target; refused: a relative one, bad UTF-8, control bytes."""
    if not target.startswith("/"):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a target that is not a path from /")
    try:
        path = unquote_to_bytes(urlsplit(target).path).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a path that is not UTF-8") from None
    if not path.isprintable():  # NUL and every other control character
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a control character in the path")
    return path


def find(root: Path, path: str) -> Found:
    """The file `path` names under `root` (resolved: no symlink leads outside it)."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    try:
        candidate = root.joinpath(*parts).resolve()
    except (OSError, RuntimeError):  # a name too long, a symlink loop
        return Found(HTTPStatus.NOT_FOUND)
    if not candidate.is_relative_to(root):
        return Found(HTTPStatus.NOT_FOUND)
    if candidate.is_dir():
        if not path.endswith("/"):
            return Found(HTTPStatus.MOVED_PERMANENTLY, location=path + "/")
        candidate = candidate / INDEX
    if not candidate.is_file():
        return Found(HTTPStatus.NOT_FOUND)
    return Found(HTTPStatus.OK, candidate)


def not_modified(request: Request, modified: float) -> bool:
    """Whether the client's copy (If-Modified-Since) is as new as the file."""
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(modified) <= email.utils.parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def response_head(status: HTTPStatus, headers: dict[str, str], keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status.value} {status.phrase}",
             f"Date: {email.utils.formatdate(time.time(), usegmt=True)}",
             *(f"{name}: {value}" for name, value in headers.items()),
             f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def file_headers(file: Path, size: int, modified: float) -> dict[str, str]:
    return {"Content-Type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
            "Content-Length": str(size),
            "Last-Modified": email.utils.formatdate(modified, usegmt=True)}
