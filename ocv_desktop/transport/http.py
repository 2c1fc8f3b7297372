"""ApiClient: one httpx.AsyncClient per API endpoint, with the trust rules of ``tls.py``.

- ``https://host:port[/prefix]``: TLS with a pinned server-certificate fingerprint, or a CA file,
  or the system CAs (``tls.server_context``: a pin wins). Optional TLS client certificate
  (LXD/Incus). Plain ``http://`` is refused: API credentials never travel in clear text.
- ``unix:///path/to/unix.socket``: a local LXD/Incus socket (the socket's file permissions are
  the authentication).
- Connections are kept alive and reused; every request has a timeout.

Errors come out as the ``core.errors`` tree: ``Timeout``, ``ConnectError``, ``CertificateChanged``
(pin mismatch), ``CertificateUnknown`` (no pin, no CA file, and the system CAs do not vouch for it:
the user may pin it), ``CertificateRejected`` (the node's CA file does not vouch for it: refused,
never offered for pinning), ``AuthError`` for HTTP 401/403. Other HTTP statuses are returned as
responses: the platform envelope helpers (``lxd_api.py``, ``pve_api.py``) know how to read their
error bodies.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from ocv_desktop.core.errors import (
    AuthError,
    CertificateChanged,
    CertificateRejected,
    CertificateUnknown,
    ConfigError,
    ConnectError,
    OcvError,
    Timeout,
)
from ocv_desktop.transport.tls import PinMismatch, fetch_server_certificate, format_fingerprint, server_context

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
UNIX_BASE_URL = "http://local"  # the host part is ignored on a unix socket
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
MESSAGE_MAX = 500

E = TypeVar("E", bound=BaseException)


def response_message(response: httpx.Response) -> str:
    """The server's own words for an error response: LXD ``error``, PVE ``message`` or reason
    phrase, else the first line of a plain-text body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:MESSAGE_MAX]
    reason = response.reason_phrase.strip()
    if reason:
        return reason[:MESSAGE_MAX]
    text = "" if body is not None else response.text.strip()
    return (text.splitlines()[0] if text else f"HTTP {response.status_code}")[:MESSAGE_MAX]


def _in_chain(exc: BaseException, kind: type[E] | tuple[type[E], ...]) -> E | None:
    """The first exception of ``kind`` among ``exc``, its causes and contexts, and the exceptions
    carried in their ``args`` (how httpx/httpcore/anyio wrap the ssl and socket errors). Our own
    errors are raised ``from None``, which keeps the httpx exception in ``__context__``."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return item
        todo += [item.__cause__, item.__context__]
        todo += [a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]
    return None


class ApiClient:
    """HTTP(S) client for one API endpoint. ``request`` returns the ``httpx.Response``."""

    def __init__(
        self,
        base_url: str,
        *,
        server_fingerprint: str | None = None,
        ca_file: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_connections: int = 10,
    ) -> None:
        url = urlsplit(base_url)
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._fingerprint = server_fingerprint
        self._ca_file = ca_file
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        transport: httpx.AsyncBaseTransport
        # The trust every connection of this client uses (None on a unix socket); other connections
        # to the same endpoint (LXD's exec websockets) reuse it rather than build it again.
        self.ssl_context: ssl.SSLContext | None = None
        if url.scheme == "unix":
            socket_path = unquote(url.path)
            if not socket_path:
                raise ConfigError(f"no socket path in {base_url!r}")
            self.host, self.port = "localhost", 0
            self.description = socket_path
            self.base_url = UNIX_BASE_URL
            transport = httpx.AsyncHTTPTransport(uds=socket_path, limits=limits, retries=0)
        elif url.scheme == "https":
            if not url.hostname:
                raise ConfigError(f"no host in {base_url!r}")
            self.host, self.port = url.hostname, url.port or 443
            host = f"[{self.host}]" if ":" in self.host else self.host
            self.description = f"{host}:{self.port}"
            self.base_url = base_url.rstrip("/")
            self.ssl_context = server_context(
                fingerprint=server_fingerprint, ca_file=ca_file, client_cert=client_cert, client_key=client_key
            )
            transport = httpx.AsyncHTTPTransport(verify=self.ssl_context, limits=limits, retries=0)
        else:
            raise ConfigError(f"unsupported API address {base_url!r}: use https://host:port or unix:///path/to/socket")
        # What authenticates this client, for side connections to the same API (a Proxmox console
        # websocket): the fixed headers (an API token) and the auth flow (a ticket login).
        self.default_headers: dict[str, str] = dict(headers or {})
        self.auth = auth
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            headers=dict(headers or {}),
            auth=auth,
            timeout=self._timeouts(timeout),
            follow_redirects=False,
        )

    def _timeouts(self, seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(seconds, self._connect_timeout))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request (``path`` is relative to the base URL) and return the response.

        Raises ``AuthError`` for 401/403 and the connection errors described in the module doc;
        other statuses are left to the caller. Reading a kept-alive connection the server had
        already closed is retried once for idempotent methods."""
        method = method.upper()
        seconds = self._timeout if timeout is None else timeout
        what = f"{method} {path} on {self.description}"
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                response = await self._client.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    data=data,
                    headers=headers,
                    timeout=self._timeouts(seconds),
                )
                break
            except OcvError:
                raise  # from an auth flow (e.g. a refused Proxmox ticket login)
            except httpx.ConnectTimeout:
                # httpx gave up after the connect limit (TCP and TLS), not the request's: say so.
                limit = min(seconds, self._connect_timeout)
                raise Timeout(f"connecting to {self.description} for {method} {path}", limit) from None
            except httpx.TimeoutException:
                raise Timeout(what, seconds) from None
            except httpx.RemoteProtocolError as exc:
                if attempt + 1 < attempts:
                    log.debug("%s: %s; retrying on a new connection", what, exc)
                    continue
                raise ConnectError(f"{self.description} closed the connection during {method} {path}: {exc}") from None
            except (httpx.TransportError, PinMismatch) as exc:
                raise await self._connection_error(exc) from None
        if response.status_code in (401, 403):
            message = response_message(response)
            raise AuthError(
                f"{self.description} refused the request {method} {path} (HTTP {response.status_code}): {message}",
                hint="check the API credentials" if response.status_code == 401 else "check the permissions",
            )
        return response

    async def connection_error(self, exc: BaseException) -> ConnectError:
        """The error a failed connection to this endpoint reads as (a changed pinned certificate,
        an unknown one, a refusal...), for side connections that share this client's trust."""
        return await self._connection_error(exc)

    async def _connection_error(self, exc: BaseException) -> ConnectError:
        mismatch = _in_chain(exc, PinMismatch)
        if mismatch is not None:
            return CertificateChanged(
                f"THE TLS CERTIFICATE OF {self.description} HAS CHANGED: its SHA-256 fingerprint is "
                f"{format_fingerprint(mismatch.actual) if mismatch.actual else '(none)'}, but "
                f"{format_fingerprint(mismatch.expected)} is pinned. Connection refused.",
                host=self.host,
                port=self.port,
                fingerprint=mismatch.actual,
                expected_fingerprint=mismatch.expected,
                hint="someone may be intercepting the connection, or the server got a new certificate",
            )
        failure = _in_chain(exc, ssl.SSLCertVerificationError)
        if failure is not None and self._ca_file:
            return await self._rejected(failure.verify_message or str(failure))
        if failure is not None:
            try:
                cert = await fetch_server_certificate(self.host, self.port, timeout=self._connect_timeout)
            except OcvError:
                return ConnectError(
                    f"the TLS certificate of {self.description} is not trusted: {failure.verify_message}"
                )
            return CertificateUnknown(
                f"the TLS certificate of {self.description} is not trusted ({failure.verify_message}); "
                f"its SHA-256 fingerprint is {cert.display_fingerprint}",
                host=self.host,
                port=self.port,
                fingerprint=cert.fingerprint,
                hint="confirm the fingerprint to pin it, or configure the CA that signed it",
            )
        if isinstance(exc, httpx.ConnectError):
            return ConnectError(f"cannot connect to {self.description}: {_reason(exc)}")
        return ConnectError(f"the connection to {self.description} failed: {_reason(exc)}")

    async def _rejected(self, reason: str) -> CertificateRejected:
        """The CA file does not vouch for the server: a refusal. The fingerprint is read (a
        handshake only) so the message can show it for comparing; it is never pinned."""
        assert self._ca_file is not None
        fingerprint = ""
        with contextlib.suppress(OcvError):
            fingerprint = (
                await fetch_server_certificate(self.host, self.port, timeout=self._connect_timeout)
            ).fingerprint
        shown = f" (its SHA-256 fingerprint is {format_fingerprint(fingerprint)})" if fingerprint else ""
        return CertificateRejected(
            f"the TLS certificate of {self.description} failed the check against the CA file "
            f"{self._ca_file}: {reason}{shown}. Connection refused.",
            host=self.host,
            port=self.port,
            ca_file=self._ca_file,
            reason=reason,
            fingerprint=fingerprint,
            hint="the node's ca_file decides which certificates are trusted: give the server a certificate "
            "from that CA for this address, or correct ca_file",
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def request_never_sent(exc: BaseException) -> bool:
    """True when an error raised by ``ApiClient.request`` proves the request never reached the
    server: the TCP or TLS connection could not be set up (refused, unreachable, connect timeout).
    Providers use it to decide whether falling back to SSH could run an action twice.

    A refused server certificate also means nothing was sent; callers that must not fall back on
    trust problems check ``CertificateError`` first. A certificate the node's CA file refused
    (``CertificateRejected``) gives False here: it is a refusal, never a reason to try another road
    (nor a trust question, so it is not a CertificateError)."""
    if isinstance(exc, CertificateRejected):
        return False
    return _in_chain(exc, (httpx.ConnectError, httpx.ConnectTimeout)) is not None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    cause = exc.__cause__ or exc.__context__
    while not text and cause is not None:
        text = str(cause).strip()
        cause = cause.__cause__ or cause.__context__
    return text or type(exc).__name__
