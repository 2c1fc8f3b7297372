"""A tiny real HTTPS server on 127.0.0.1 for TLS trust tests (self-signed or CA-signed certificates).

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) and records every request it
*received*, so a test can prove that no request reached a server whose certificate was refused.
Certificates are generated with ``cryptography``; the certificate can be swapped while running
(new connections get the new one), which is how the "changed certificate" test works.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import json
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class CertFiles:
    cert: Path
    key: Path
    der: bytes


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def make_cert(
    directory: Path,
    name: str,
    *,
    hosts: tuple[str, ...] = ("127.0.0.1",),
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    expired: bool = False,
) -> tuple[CertFiles, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate for ``hosts``: self-signed, or signed by ``issuer``; ``ca=True`` makes a CA;
    ``expired=True``: valid for a week that ended yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC) - (datetime.timedelta(days=8) if expired else datetime.timedelta())
    sans: list[x509.GeneralName] = []
    for h in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return CertFiles(cert_path, key_path, cert.public_bytes(serialization.Encoding.DER)), cert, key


@dataclass
class HttpsServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    handshakes: int = 0
    _server: asyncio.Server | None = None
    _context: ssl.SSLContext | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def use_certificate(self, files: CertFiles) -> None:
        """Serve this certificate on new connections."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(files.cert, files.key)
        self._context = ctx

    def _sni(self, sslobj: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
        # Swap to the current certificate at handshake time, so a change applies to new connections.
        assert self._context is not None
        sslobj.context = self._context

    async def start(self, files: CertFiles) -> HttpsServer:
        self.use_certificate(files)
        listening = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        listening.load_cert_chain(files.cert, files.key)
        listening.sni_callback = self._sni
        self._server = await asyncio.start_server(self._serve, self.host, self.port, ssl=listening)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handshakes += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                length = int(headers.get("content-length", "0"))
                if length:
                    await reader.readexactly(length)
                self.requests.append((method, target, headers))
                body = json.dumps({"ok": True, "path": target}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._writers):
                w.transport.abort()  # drop at once (a TLS close would wait for the peer's close_notify)
            # Let every connection handler finish, so none is cancelled at loop shutdown.
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
