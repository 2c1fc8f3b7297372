"""One HTTP/1.0 GET over a byte stream we already hold (a unix socket forwarded over SSH).

Why not httpx: its transports open their own sockets; this stream comes out of the SSH connection.
The exchange is the simplest HTTP there is, and small on purpose: one request, ``Connection: close``
semantics (HTTP/1.0), the answer read until its ``Content-Length`` or until the server closes,
never chunked (an HTTP/1.1 feature a server must not send to an HTTP/1.0 request). Everything is
bounded: the head to ``MAX_HEAD`` bytes, the body to ``max_body``. The caller bounds the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocv_desktop.core.errors import ApiError
from ocv_desktop.transport.base import ByteReader, ByteWriter

MAX_HEAD = 16 * 1024
DEFAULT_MAX_BODY = 1024 * 1024
READ_CHUNK = 65536
_PATH_RE = re.compile(r"^/[!-~]*$")  # visible ASCII only: no space, CR or LF can end up in the request
_STATUS_RE = re.compile(rb"^HTTP/1\.[01] ([0-9]{3})(?: (.*))?$")


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    reason: str
    headers: dict[str, str]  # names in lower case; a repeated header keeps its last value
    body: bytes


async def http_get(
    reader: ByteReader,
    writer: ByteWriter,
    path: str,
    *,
    host: str = "localhost",
    max_body: int = DEFAULT_MAX_BODY,
) -> HttpResponse:
    """Send ``GET path`` and read the whole answer; raises ``ApiError`` for anything that is not a
    well-formed HTTP response within the bounds. Closes the stream."""
    if not _PATH_RE.fullmatch(path) or not _PATH_RE.fullmatch("/" + host):
        raise ValueError(f"not a plain request path and host: {path!r}, {host!r}")
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode("ascii"))
        await writer.drain()
        head, rest = await _read_head(reader)
        status, reason, headers = _parse_head(head)
        body = await _read_body(reader, rest, headers, max_body)
    finally:
        writer.close()
    return HttpResponse(status, reason, headers, body)


async def _read_head(reader: ByteReader) -> tuple[bytes, bytes]:
    data = b""
    while (end := data.find(b"\r\n\r\n")) < 0:
        if len(data) > MAX_HEAD:
            raise ApiError(f"the HTTP response head is longer than {MAX_HEAD} bytes")
        chunk = await reader.read(READ_CHUNK)
        if not chunk:
            raise ApiError("the server closed the connection before a complete HTTP response head")
        data += chunk
    if end > MAX_HEAD:
        raise ApiError(f"the HTTP response head is longer than {MAX_HEAD} bytes")
    return data[:end], data[end + 4 :]


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    status_line, *lines = head.split(b"\r\n")
    match = _STATUS_RE.fullmatch(status_line)
    if match is None:
        raise ApiError(f"not an HTTP response: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            raise ApiError(f"malformed HTTP header line: {line[:80]!r}")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return int(match.group(1)), (match.group(2) or b"").decode("latin-1"), headers


async def _read_body(reader: ByteReader, body: bytes, headers: dict[str, str], max_body: int) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ApiError("the server sent a chunked body to an HTTP/1.0 request")
    length_text = headers.get("content-length")
    length = None
    if length_text is not None:
        if not length_text.isdigit():
            raise ApiError(f"invalid Content-Length {length_text[:40]!r}")
        length = int(length_text)
        if length > max_body:
            raise ApiError(f"the HTTP response body ({length} bytes) is larger than {max_body} bytes")
    while length is None or len(body) < length:
        if len(body) > max_body:
            raise ApiError(f"the HTTP response body is larger than {max_body} bytes")
        chunk = await reader.read(READ_CHUNK)
        if not chunk:
            if length is not None:
                raise ApiError(f"the server closed the connection after {len(body)} of {length} body bytes")
            break  # no Content-Length: the body ends where the server closes
        body += chunk
    if len(body) > max_body and length is None:
        raise ApiError(f"the HTTP response body is larger than {max_body} bytes")
    return body[:length] if length is not None else body
