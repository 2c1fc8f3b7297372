"""TLS trust for the HTTPS APIs: CA verification, or a pinned SHA-256 server-certificate fingerprint.

Proxmox, LXD and Incus serve self-signed certificates whose names rarely match the address we use,
so the usual answer is a *pin*: the SHA-256 of the server certificate (DER), captured on first
contact and confirmed by the user (``fetch_server_certificate``), stored as hex in
``NodeConfig.server_cert_fingerprint``.

How a pin is enforced, with no way to send a request to an unverified server:
- ``pinned_context`` turns OpenSSL's chain and name checks off (they cannot pass for a
  self-signed cert with the wrong name) and installs SSL object classes that compare the peer
  certificate with the pin **inside ``do_handshake``**, right after OpenSSL finishes and before
  the handshake returns. httpx (anyio), asyncio streams and blocking sockets all call
  ``do_handshake`` before writing a byte of application data, so a mismatch aborts the
  connection first (and our Finished message is never even flushed).
- ``write``/``send`` check again (cached), so even a caller that skips the explicit handshake
  (OpenSSL would then do it implicitly inside write) cannot send to an unpinned peer; ``read``
  checks before handing data out.
- A mismatch raises ``PinMismatch`` (deliberately not an ``ssl.SSLError``, so no layer above
  re-labels it as a generic connect error); ``http.py`` turns it into ``CertificateChanged``.
Every new connection gets a new SSL object, so the pin is checked on every connection.

Without a pin: the system CAs or a CA file, with full chain *and* host name verification.
With a CA file, the CA decides and a pin never replaces it: a pin stored beside a CA file is
checked *in addition* (after OpenSSL's verification, which runs first inside ``do_handshake``),
and a certificate that fails the CA check is refused (``http.py``: ``CertificateRejected``), never
offered for pinning.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ssl
from dataclasses import dataclass
from typing import Any

from ocv_desktop.core.errors import ConfigError, ConnectError, Timeout
from ocv_desktop.core.nodes import normalize_fingerprint as config_fingerprint


class PinMismatch(Exception):  # internal; http.py converts it to CertificateChanged
    """The peer certificate does not match the pinned fingerprint (or there is none)."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"server certificate sha256 {actual or '(none)'} does not match the pinned {expected}")
        self.expected = expected
        self.actual = actual


def normalize_fingerprint(value: str) -> str:
    """A SHA-256 fingerprint as 64 lowercase hex digits (the config's one rule; ``AB:CD:..`` and a
    ``sha256:`` prefix are accepted). ``ConfigError`` for anything else."""
    try:
        return config_fingerprint(value)
    except ValueError as exc:
        raise ConfigError(f"not a certificate fingerprint {value!r}: {exc}") from None


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate, as 64 lowercase hex digits (what gets pinned)."""
    return hashlib.sha256(der).hexdigest()


def format_fingerprint(fingerprint: str) -> str:
    """``AB:CD:...`` for showing to a user (as browsers and ``openssl x509 -fingerprint`` do)."""
    hexdigits = normalize_fingerprint(fingerprint).upper()
    return ":".join(hexdigits[i : i + 2] for i in range(0, len(hexdigits), 2))


class _PinChecker:
    """Mixin for SSLObject/SSLSocket: verify the peer certificate against ``_expected_sha256``."""

    _expected_sha256 = ""
    _pin_verified = False

    def _check_pin(self) -> None:
        if self._pin_verified:
            return
        der = self.getpeercert(binary_form=True)  # type: ignore[attr-defined]
        actual = certificate_fingerprint(der) if der else ""
        if not actual or not _constant_time_equal(actual, self._expected_sha256):
            raise PinMismatch(self._expected_sha256, actual)
        self._pin_verified = True


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class _PinnedSSLObject(_PinChecker, ssl.SSLObject):
    def do_handshake(self) -> None:
        super().do_handshake()
        self._check_pin()

    def write(self, data: Any) -> int:
        self._check_pin()
        return super().write(data)

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        data = super().read(len, buffer)
        self._check_pin()
        return data


class _PinnedSSLSocket(_PinChecker, ssl.SSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        self._check_pin()

    def send(self, data: Any, flags: int = 0) -> int:
        self._check_pin()
        return super().send(data, flags)

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._check_pin()
        super().sendall(data, flags)

    def write(self, data: Any) -> int:
        self._check_pin()
        return super().write(data)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        data = super().recv(buflen, flags)
        self._check_pin()
        return data

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        data = super().read(len, buffer)
        self._check_pin()
        return data


def _client_context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, client_cert: str | None, client_key: str | None) -> None:
    if not client_cert:
        return
    try:
        ctx.load_cert_chain(client_cert, client_key or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the TLS client certificate: {exc}", path=client_cert) from exc


def pinned_context(
    fingerprint: str, *, client_cert: str | None = None, client_key: str | None = None
) -> ssl.SSLContext:
    """An SSL context that accepts exactly the server certificate with this SHA-256 (see module doc).

    The context's type stays ``ssl.SSLContext`` (anyio wraps it without a worker thread); the
    pin lives in per-pin subclasses of the SSL object classes it creates."""
    expected = normalize_fingerprint(fingerprint)
    ctx = _client_context()
    # Chain and name checks are replaced, not dropped: the pin check below is mandatory.
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    _require_pin(ctx, expected)
    _load_client_cert(ctx, client_cert, client_key)
    return ctx


def ca_context(
    ca_file: str | None = None, *, client_cert: str | None = None, client_key: str | None = None
) -> ssl.SSLContext:
    """Full verification (chain + host name) against ``ca_file``, or the system CAs when None."""
    ctx = _client_context()
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    try:
        if ca_file:
            ctx.load_verify_locations(cafile=ca_file)
        else:
            ctx.load_default_certs()
            if not ctx.get_ca_certs():  # e.g. python.org builds on macOS: no system store visible
                import certifi

                ctx.load_verify_locations(cafile=certifi.where())
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA certificates: {exc}", path=ca_file) from exc
    _load_client_cert(ctx, client_cert, client_key)
    return ctx


def server_context(
    *,
    fingerprint: str | None,
    ca_file: str | None,
    client_cert: str | None = None,
    client_key: str | None = None,
) -> ssl.SSLContext:
    """The one rule: a CA file is always verified (and a pin beside it must match too); without a
    CA file a pin decides; with neither, the system CAs."""
    if ca_file:
        ctx = ca_context(ca_file, client_cert=client_cert, client_key=client_key)
        if fingerprint:
            _require_pin(ctx, normalize_fingerprint(fingerprint))
        return ctx
    if fingerprint:
        return pinned_context(fingerprint, client_cert=client_cert, client_key=client_key)
    return ca_context(None, client_cert=client_cert, client_key=client_key)


def _require_pin(ctx: ssl.SSLContext, expected: str) -> None:
    """Make every SSL object of ``ctx`` check the pin after the handshake (and before any data)."""
    ctx.sslobject_class = type("PinnedSSLObject", (_PinnedSSLObject,), {"_expected_sha256": expected})
    ctx.sslsocket_class = type("PinnedSSLSocket", (_PinnedSSLSocket,), {"_expected_sha256": expected})


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    """The certificate a server presented on first contact, for the user to confirm."""

    host: str
    port: int
    der: bytes
    fingerprint: str  # sha256 hex, what gets pinned

    @property
    def pem(self) -> str:
        return ssl.DER_cert_to_PEM_cert(self.der)

    @property
    def display_fingerprint(self) -> str:
        return format_fingerprint(self.fingerprint)

    def describe(self) -> dict[str, str]:
        """Subject, issuer, validity and names, for the confirmation dialog."""
        from cryptography import x509

        cert = x509.load_der_x509_certificate(self.der)
        names: list[str] = []
        with contextlib.suppress(x509.ExtensionNotFound):
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = [str(n.value) for n in san]
        return {
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
            "names": ", ".join(names),
            "sha256": self.display_fingerprint,
        }


async def fetch_server_certificate(host: str, port: int, *, timeout: float = 15.0) -> ServerCertificate:
    """The certificate host:port presents, read from a TLS handshake only (no request is sent).

    Nothing is trusted here: the result is shown to the user, who decides whether to pin it."""
    ctx = _client_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # we only look at the certificate; the connection carries no data
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname=host)
    except TimeoutError:
        raise Timeout(f"reading the TLS certificate of {where}", timeout) from None
    except ssl.SSLError as exc:
        raise ConnectError(f"TLS handshake with {where} failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise ConnectError(f"cannot connect to {where}: {exc.strerror or exc}") from None
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(2.0):
                await writer.wait_closed()
    del reader
    if not der:
        raise ConnectError(f"{where} presented no TLS certificate")
    return ServerCertificate(host=host, port=port, der=der, fingerprint=certificate_fingerprint(der))
