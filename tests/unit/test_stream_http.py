"""http_get (HTTP parsed by h11 over a stream we hold) against a real unix-socket server on this machine that
answers with the bytes each test gives it: well-formed answers and the malformed ones a socket
may carry. (The lab tests run it against the real dockerd socket, forwarded over SSH.)"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from ocv_desktop.core.errors import ApiError
from ocv_desktop.transport.stream_http import MAX_HEAD, HttpResponse, http_get

Serve = Callable[..., Awaitable[tuple[HttpResponse, bytes]]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``await serve(answer, chunks=1, **http_get options)`` -> (response, the request the server got).
    The server sends ``answer`` in ``chunks`` pieces, then closes (as HTTP/1.0 servers do)."""
    folder = Path(tempfile.mkdtemp(prefix="ocv-http-"))
    servers: list[asyncio.AbstractServer] = []

    async def run(answer: bytes, chunks: int = 1, close: bool = True, **options: object) -> tuple[HttpResponse, bytes]:
        got = bytearray()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            got.extend(await reader.readuntil(b"\r\n\r\n"))
            step = max(1, -(-len(answer) // chunks))
            for i in range(0, len(answer), step):
                writer.write(answer[i : i + step])
                await writer.drain()
                await asyncio.sleep(0.01)
            if close:
                writer.close()
            else:
                await asyncio.sleep(3600)

        path = folder / f"s{len(servers)}.sock"
        servers.append(await asyncio.start_unix_server(handle, str(path)))
        reader, writer = await asyncio.open_unix_connection(str(path))
        response = await asyncio.wait_for(http_get(reader, writer, "/version", **options), 5)  # type: ignore[arg-type]
        return response, bytes(got)

    yield run
    for server in servers:
        server.close()
        await server.wait_closed()
    for sock in folder.iterdir():
        sock.unlink()
    folder.rmdir()


async def test_request_and_a_content_length_answer(serve: Serve) -> None:
    body = b'{"Version":"20.10.24"}'
    answer = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    response, request = await serve(answer, chunks=7, host="docker")
    assert request == b"GET /version HTTP/1.1\r\nHost: docker\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    assert (response.status, response.reason, response.body) == (200, "OK", body)
    assert response.headers["content-type"] == "application/json"


async def test_content_length_ends_the_body_without_waiting_for_the_close(serve: Serve) -> None:
    response, _ = await serve(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", close=False)
    assert response.body == b"{}"


async def test_without_content_length_the_body_ends_at_the_close(serve: Serve) -> None:
    response, _ = await serve(b"HTTP/1.0 404 Not Found\r\nX-A: 1\r\n\r\npage not found\n", chunks=3)
    assert (response.status, response.reason, response.body) == (404, "Not Found", b"page not found\n")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "illegal status line"),
        (b"HTTP/1.0 200 OK\r\nno colon here\r\n\r\n", "illegal header line"),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort", "received 5 bytes, expected 10"),
        (b"HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"),
        (b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "chunked"),
        (b"HTTP/1.0 200 OK\r\nContent-Le", "peer unexpectedly closed"),
        (b"HTTP/1.0 200 OK\r\nX: " + b"a" * (MAX_HEAD + 10) + b"\r\n\r\n", "Receive buffer too long|head is longer"),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000, "larger than 1000 bytes"),
        (b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 1500, "larger than 1000 bytes"),
    ],
)
async def test_what_is_not_a_well_formed_bounded_answer_is_refused(serve: Serve, answer: bytes, message: str) -> None:
    with pytest.raises(ApiError, match=message):
        await serve(answer, chunks=3, max_body=1000)


async def test_an_http_1_1_chunked_body_is_decoded(serve: Serve) -> None:
    response, _ = await serve(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", chunks=4)
    assert response.body == b"{}"


async def test_request_line_injection_is_impossible() -> None:
    reader, writer = asyncio.StreamReader(), None
    for path in ("version", "/v HTTP/1.1\r\nX: y", "/a b"):
        with pytest.raises(ValueError):
            await http_get(reader, writer, path)  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [b"\xb2", b"1\xb9", b"+2", b"2 2", b"0x10"])
async def test_a_content_length_that_is_not_ascii_digits_is_an_api_error(serve: Serve, length: bytes) -> None:
    # Read as latin-1, b"\xb2" is "²", for which str.isdigit() is True and int() raises ValueError.
    with pytest.raises(ApiError):
        await serve(b"HTTP/1.0 200 OK\r\nContent-Length: " + length + b"\r\n\r\n{}")
