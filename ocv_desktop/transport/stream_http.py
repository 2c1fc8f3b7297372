"""One HTTP GET over a byte stream we already hold (a unix socket forwarded over SSH).

Why not httpx: its transports open their own sockets; this stream comes out of the SSH connection.
Why h11 (installed with httpx, which parses with it): the framing rules of HTTP (a Content-Length
that is ASCII digits only, chunked bodies, a body that ends at the close) are h11's job, not ours;
a hand-written parser let ``Content-Length: ²`` through ``str.isdigit()`` into a bare ValueError.

One request with ``Connection: close``; the answer is read until h11 says it is complete.
Everything is bounded: the head to ``MAX_HEAD`` bytes, the body to ``max_body``. The caller bounds
the time. Whatever is not well-formed HTTP is an ``ApiError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import h11

from ocv_desktop.core.errors import ApiError
from ocv_desktop.transport.base import ByteReader, ByteWriter

MAX_HEAD = 16 * 1024
DEFAULT_MAX_BODY = 1024 * 1024
READ_CHUNK = 65536
_PATH_RE = re.compile(r"^/[!-~]*$")  # visible ASCII only: no space, CR or LF can end up in the request


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
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    headers = [("Host", host), ("Accept", "application/json"), ("Connection", "close")]
    try:
        writer.write(conn.send(h11.Request(method="GET", target=path, headers=headers)) or b"")
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()
        return await _read_response(conn, reader, max_body)
    except h11.RemoteProtocolError as exc:
        raise ApiError(f"malformed HTTP response: {exc}") from None
    finally:
        writer.close()


async def _next_event(conn: h11.Connection, reader: ByteReader, budget: list[int] | None = None) -> object:
    """h11's next event, reading as needed. ``budget`` (the head's bytes left) makes the reads small
    enough that h11 sees a head longer than ``MAX_HEAD`` while it is incomplete (h11 checks its
    buffer only when it needs more data)."""
    while (event := conn.next_event()) is h11.NEED_DATA:
        size = READ_CHUNK
        if budget is not None:
            if budget[0] <= 0:
                raise ApiError(f"the HTTP response head is longer than {MAX_HEAD} bytes")
            size = min(size, budget[0])
        data = await reader.read(size)
        if budget is not None:
            budget[0] -= len(data)
        conn.receive_data(data)  # b"" tells h11 the server closed
    return event


async def _read_response(conn: h11.Connection, reader: ByteReader, max_body: int) -> HttpResponse:
    budget = [MAX_HEAD + 1]
    head = await _next_event(conn, reader, budget)
    while isinstance(head, h11.InformationalResponse):  # a 1xx before the real answer
        head = await _next_event(conn, reader, budget)
    if not isinstance(head, h11.Response):
        raise ApiError(f"no HTTP response (h11 event {type(head).__name__})")
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in head.headers}
    if head.http_version == b"1.0" and "chunked" in headers.get("transfer-encoding", "").lower():
        # HTTP/1.0 has no chunked framing; h11 would hand us the raw chunks as the body.
        raise ApiError("an HTTP/1.0 response with a chunked body")
    length = headers.get("content-length")
    if length is not None and int(length) > max_body:  # h11 has checked that it is ASCII digits
        raise ApiError(f"the HTTP response body ({length} bytes) is larger than {max_body} bytes")
    body = bytearray()
    while isinstance(event := await _next_event(conn, reader), h11.Data):
        body += event.data
        if len(body) > max_body:
            raise ApiError(f"the HTTP response body is larger than {max_body} bytes")
    if not isinstance(event, h11.EndOfMessage):
        raise ApiError(f"the HTTP response ended without its body (h11 event {type(event).__name__})")
    return HttpResponse(head.status_code, head.reason.decode("latin-1"), headers, bytes(body))
