"""ApiClient TLS trust against a real HTTPS server on 127.0.0.1 (tests/integration/https_server.py).

Pinned fingerprint, changed certificate (refused before any request reaches the server, on every
new connection), CA-file trust, unknown certificates, timeouts and refused connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ocv_desktop.core.errors import (
    CertificateChanged,
    CertificateError,
    CertificateRejected,
    CertificateUnknown,
    ConfigError,
    ConnectError,
    Timeout,
)
from ocv_desktop.transport.http import ApiClient, request_never_sent
from ocv_desktop.transport.tls import (
    PinMismatch,
    certificate_fingerprint,
    fetch_server_certificate,
    pinned_context,
)
from tests.integration.https_server import CertFiles, HttpsServer, make_cert


@pytest.fixture
def certs(tmp_path: Path) -> dict[str, CertFiles]:
    ca_files, ca_cert, ca_key = make_cert(tmp_path, "ca", ca=True)
    signed, _, _ = make_cert(tmp_path, "signed", issuer=(ca_cert, ca_key))
    wrong_name, _, _ = make_cert(tmp_path, "wrong-name", hosts=("node.example",), issuer=(ca_cert, ca_key))
    expired, _, _ = make_cert(tmp_path, "expired", issuer=(ca_cert, ca_key), expired=True)
    first, _, _ = make_cert(tmp_path, "first")
    second, _, _ = make_cert(tmp_path, "second")
    return {
        "ca": ca_files,
        "signed": signed,
        "wrong_name": wrong_name,
        "expired": expired,
        "first": first,
        "second": second,
    }


@pytest.fixture
async def server(certs: dict[str, CertFiles]) -> AsyncIterator[HttpsServer]:
    srv = await HttpsServer().start(certs["first"])
    try:
        yield srv
    finally:
        await srv.stop()


def fp(files: CertFiles) -> str:
    return certificate_fingerprint(files.der)


async def test_fetch_server_certificate_reads_the_fingerprint(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    cert = await fetch_server_certificate(server.host, server.port, timeout=5)
    assert cert.fingerprint == fp(certs["first"])
    assert cert.describe()["subject"] == "CN=first"
    assert cert.pem.startswith("-----BEGIN CERTIFICATE-----")
    assert server.requests == []  # a handshake only


async def test_pinned_fingerprint_is_accepted_and_the_connection_reused(
    server: HttpsServer, certs: dict[str, CertFiles]
) -> None:
    pin = ":".join(f"{b:02X}" for b in bytes.fromhex(fp(certs["first"])))  # the display form works too
    async with ApiClient(server.url, server_fingerprint=pin) as client:
        for i in range(3):
            response = await client.request("GET", f"/item/{i}")
            assert response.json() == {"ok": True, "path": f"/item/{i}"}
    assert [r[1] for r in server.requests] == ["/item/0", "/item/1", "/item/2"]
    assert server.handshakes == 1


async def test_wrong_pin_is_refused_before_any_request(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    async with ApiClient(server.url, server_fingerprint=fp(certs["second"])) as client:
        with pytest.raises(CertificateChanged) as info:
            await client.request("POST", "/instances", json={"password": "s3cr3t"})
    err = info.value
    assert err.fingerprint == fp(certs["first"])
    assert err.expected_fingerprint == fp(certs["second"])
    assert (err.host, err.port) == (server.host, server.port)
    assert server.requests == []


async def test_changed_certificate_is_refused_on_the_next_new_connection(
    server: HttpsServer, certs: dict[str, CertFiles]
) -> None:
    async with ApiClient(server.url, server_fingerprint=fp(certs["first"])) as client:
        assert (await client.request("GET", "/before")).status_code == 200
        server.use_certificate(certs["second"])
        await server.stop()  # drops the kept-alive connection
        server = await HttpsServer(port=server.port).start(certs["second"])
        try:
            with pytest.raises(CertificateChanged) as info:
                await client.request("GET", "/after")
            assert info.value.fingerprint == fp(certs["second"])
            assert server.requests == []
        finally:
            await server.stop()


async def test_ca_file_trust(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    server.use_certificate(certs["signed"])
    async with ApiClient(server.url, ca_file=str(certs["ca"].cert)) as client:
        assert (await client.request("GET", "/ca")).status_code == 200
    assert [r[1] for r in server.requests] == ["/ca"]


# With ca_file set, a certificate that fails the CA check is a refusal (issue 12 item 5): never a
# CertificateUnknown (which the trust flows offer to pin, "first connection ... pin it").
CA_FAILURES = [
    ("wrong_name", "/wrong-name", "address mismatch, certificate is not valid for '127.0.0.1'"),
    ("expired", "/expired", "certificate has expired"),
    ("first", "/self-signed", "self-signed certificate"),  # another issuer altogether
]


@pytest.mark.parametrize(("cert", "path", "why"), CA_FAILURES)
async def test_a_failed_ca_check_is_a_refusal(
    server: HttpsServer, certs: dict[str, CertFiles], cert: str, path: str, why: str
) -> None:
    server.use_certificate(certs[cert])
    async with ApiClient(server.url, ca_file=str(certs["ca"].cert)) as client:
        with pytest.raises(CertificateRejected) as info:
            await client.request("GET", path)
    err = info.value
    assert not isinstance(err, CertificateError)  # nothing to confirm or pin
    assert isinstance(err, ConnectError)
    assert (err.host, err.port, err.ca_file) == (server.host, server.port, str(certs["ca"].cert))
    assert err.fingerprint == fp(certs[cert])  # shown, so the admin can compare; never pinned
    assert "failed the check against the CA file" in str(err) and why in str(err)
    assert not request_never_sent(err)  # so no provider falls back to SSH over it
    assert server.requests == []


@pytest.mark.parametrize(("cert", "path", "why"), CA_FAILURES)
async def test_a_pin_never_overrides_the_ca_file(
    server: HttpsServer, certs: dict[str, CertFiles], cert: str, path: str, why: str
) -> None:
    """A node with ca_file and (from an older version) a pin of exactly the certificate served:
    the pin does not replace the CA check."""
    server.use_certificate(certs[cert])
    async with ApiClient(server.url, ca_file=str(certs["ca"].cert), server_fingerprint=fp(certs[cert])) as client:
        with pytest.raises(CertificateRejected) as info:
            await client.request("GET", path)
    assert why in str(info.value)
    assert server.requests == []


async def test_ca_file_and_pin_both_have_to_pass(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    server.use_certificate(certs["signed"])
    async with ApiClient(server.url, ca_file=str(certs["ca"].cert), server_fingerprint=fp(certs["signed"])) as client:
        assert (await client.request("GET", "/both")).status_code == 200
    async with ApiClient(server.url, ca_file=str(certs["ca"].cert), server_fingerprint=fp(certs["first"])) as client:
        with pytest.raises(CertificateChanged):
            await client.request("GET", "/pin-differs")
    assert [r[1] for r in server.requests] == ["/both"]


async def test_self_signed_without_pin_is_unknown(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    async with ApiClient(server.url) as client:
        with pytest.raises(CertificateUnknown) as info:
            await client.request("GET", "/")
    assert info.value.fingerprint == fp(certs["first"])
    assert server.requests == []


async def test_blocking_sockets_are_pinned_too(server: HttpsServer, certs: dict[str, CertFiles]) -> None:
    def handshake(pin: str) -> bytes:
        ctx = pinned_context(pin)
        with (
            socket.create_connection((server.host, server.port), timeout=5) as raw,
            ctx.wrap_socket(raw, server_hostname=server.host) as tls,
        ):
            tls.sendall(b"GET /sync HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return tls.recv(200)

    assert (await asyncio.to_thread(handshake, fp(certs["first"]))).startswith(b"HTTP/1.1 200")
    with pytest.raises(PinMismatch):
        await asyncio.to_thread(handshake, fp(certs["second"]))
    assert [r[1] for r in server.requests] == ["/sync"]


async def test_a_server_that_never_answers_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read()  # accept, then say nothing (no TLS handshake)
        writer.close()

    srv = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        async with ApiClient(f"https://127.0.0.1:{port}", server_fingerprint="00" * 32, connect_timeout=0.5) as c:
            with pytest.raises(Timeout) as info:
                await c.request("GET", "/1.0", timeout=1.0)
        assert f"127.0.0.1:{port}" in str(info.value)
    finally:
        srv.close()
        await srv.wait_closed()


async def test_refused_connection() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    async with ApiClient(f"https://127.0.0.1:{port}", server_fingerprint="00" * 32) as client:
        with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
            await client.request("GET", "/")


def test_plain_http_and_bad_addresses_are_refused() -> None:
    for url in ("http://10.77.0.2:8443", "ftp://x", "https://", "unix://"):
        with pytest.raises(ConfigError):
            ApiClient(url)
    with pytest.raises(ConfigError):
        ApiClient("https://127.0.0.1:8443", server_fingerprint="not-a-fingerprint")


def test_pinned_context_keeps_the_exact_ssl_context_type() -> None:
    # anyio wraps a plain ssl.SSLContext without a worker thread per connection.
    assert type(pinned_context("ab" * 32)) is ssl.SSLContext


async def test_a_connect_timeout_names_the_connect_limit_not_the_request_limit() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.read()  # accept, then never start TLS: the connect (TCP + TLS) times out
        writer.close()

    srv = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        async with ApiClient(f"https://127.0.0.1:{port}", server_fingerprint="00" * 32, connect_timeout=0.5) as c:
            with pytest.raises(Timeout) as info:
                await c.request("GET", "/1.0", timeout=30.0)
        # It gave up after the 0.5 s connect limit; before, the message said "after 30 s".
        assert info.value.seconds == 0.5 and "after 0.5 s" in str(info.value)
        assert str(info.value).startswith(f"connecting to 127.0.0.1:{port}")
    finally:
        srv.close()
        await srv.wait_closed()
