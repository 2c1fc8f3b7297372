"""Make a new LXD/Incus node trust this app: client certificate, server pin, enrolment.

The user flow (``ocv-desktop nodes enroll NODE [--token-stdin]``, and the GUI's node dialog):

1. The API endpoint defaults to ``https://HOST:8443``.
2. The server certificate is pinned at first contact: without a pin (or CA file) ``enroll`` raises
   ``CertificateUnknown`` carrying the fingerprint; the caller shows it, asks, and calls again with
   ``accept_fingerprint`` (only that exact certificate is then pinned).
3. A client certificate is generated into ``home/certs`` (key 0600), unless the node has one.
4. Enrolment, one of:
   - a trust token the user got from ``incus config trust add NAME`` / ``lxc config trust add``:
     ``POST /1.0/certificates`` as the (still untrusted) client, with ``trust_token`` (Incus, LXD
     with ``explicit_trust_token``) or ``password`` (LXD 5.0);
   - over SSH: the certificate goes to a temporary file on the node (written from stdin, never in a
     command line), ``incus config trust add-certificate FILE`` / ``lxc config trust add FILE``,
     then the file is removed.
5. ``GET /1.0`` must then say ``auth: trusted``; the updated node (endpoint, cert paths, pin) is
   returned for the caller to save (``NodeService.update_node``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ocv_desktop.core.errors import (
    ApiError,
    AuthError,
    CertificateUnknown,
    InvalidInput,
    OcvError,
    RemoteError,
    Unsupported,
)
from ocv_desktop.core.models import NodeConfig, NodeSecrets, Platform
from ocv_desktop.providers.lxd_family.api import lxd_call, lxd_request, open_lxd_client
from ocv_desktop.providers.lxd_family.client_certs import (
    ClientCertificate,
    generate_client_certificate,
    load_client_certificate,
)
from ocv_desktop.providers.lxd_family.requests import build_certificate_token_body
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.runner import open_command_runner
from ocv_desktop.transport.tls import fetch_server_certificate, format_fingerprint

log = logging.getLogger(__name__)

DEFAULT_PORT = 8443
CLI = {Platform.INCUS: "incus", Platform.LXD: "lxc"}
_TMP_PATH_RE = re.compile(r"^/[A-Za-z0-9._/-]+$")


@dataclass(frozen=True, slots=True)
class EnrollResult:
    node: NodeConfig  # with api_endpoint, client_cert/key and the server pin set; save it
    client_fingerprint: str
    method: str  # "token", "ssh" or "already-trusted"
    server: str  # e.g. "incus 6.0.4"


def default_endpoint(node: NodeConfig) -> str:
    host = f"[{node.host}]" if ":" in node.host else node.host
    return f"https://{host}:{DEFAULT_PORT}"


def certificate_name() -> str:
    """How the certificate is named in the server's trust list."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:40] or "desktop"
    return f"ocv-desktop-{host}"


async def _pin(node: NodeConfig, endpoint: str, accept_fingerprint: str | None, timeout: float) -> NodeConfig:
    if node.server_cert_fingerprint or node.ca_file:
        return node
    url = urlsplit(endpoint)
    host, port = url.hostname or "", url.port or 443  # where ApiClient connects for this URL
    cert = await fetch_server_certificate(host, port, timeout=timeout)
    if accept_fingerprint is None or accept_fingerprint.lower() != cert.fingerprint:
        raise CertificateUnknown(
            f"first contact with {host}:{port}: its TLS certificate has the SHA-256 fingerprint "
            f"{cert.display_fingerprint}",
            host=host,
            port=port,
            fingerprint=cert.fingerprint,
            hint="compare it with `incus info` / `lxc info` (certificate_fingerprint) on the server, then confirm",
        )
    return node.replace(server_cert_fingerprint=cert.fingerprint)


def _client_certificate_blocking(node: NodeConfig, home: Home) -> ClientCertificate:
    """The node's configured pair when both files exist, else a new pair in ``home/certs``."""
    if node.client_cert and node.client_key and Path(node.client_cert).exists() and Path(node.client_key).exists():
        return load_client_certificate(node.client_cert, node.client_key)
    return generate_client_certificate(home, node.id)


async def _client_certificate(node: NodeConfig, home: Home) -> ClientCertificate:
    return await asyncio.to_thread(_client_certificate_blocking, node, home)


async def _server_info(client: ApiClient) -> dict[str, Any]:
    info = await lxd_request(client, "GET", "/1.0")
    if not isinstance(info, dict):
        raise OcvError(f"GET /1.0 on {client.description}: unexpected answer")
    return info


def _describe(node: NodeConfig, info: dict[str, Any]) -> str:
    env = info.get("environment") or {}
    return f"{node.type.value} {env.get('server_version') or info.get('api_version') or '?'}"


async def enroll_with_token(client: ApiClient, node: NodeConfig, token: str, info: dict[str, Any]) -> None:
    token = token.strip()
    if not token or any(c.isspace() for c in token):
        raise InvalidInput("the trust token is empty or has spaces in it")
    extensions = set(info.get("api_extensions") or ())
    explicit = node.type is Platform.INCUS or "explicit_trust_token" in extensions
    body = build_certificate_token_body(token, name=certificate_name(), explicit_trust_token=explicit)
    try:
        await lxd_call(client, "POST", "/1.0/certificates", json=body)
    except (AuthError, ApiError) as exc:
        raise AuthError(
            f"{client.description} refused the trust token: {exc}",
            hint="tokens are single-use and expire; create a new one with `config trust add`",
        ) from None


async def enroll_over_ssh(runner: CommandRunner, binary: str, cert_pem: str, *, name: str) -> None:
    """Add the certificate to the trust store with the node's CLI. The CLIs take a file path, so
    the PEM is written to a fresh ``mktemp`` file from stdin and removed afterwards."""
    made = await runner.run(["mktemp"], timeout=30)
    path = made.out.strip()
    if not _TMP_PATH_RE.fullmatch(path):
        raise OcvError(f"mktemp on {runner.description} printed an unexpected path: {path!r}")
    try:
        await runner.run(["tee", path], input=cert_pem.encode("ascii"), timeout=30)
        if binary == "incus":
            argv = ["incus", "config", "trust", "add-certificate", path, "--name", name]
        else:
            argv = ["lxc", "config", "trust", "add", path, "--name", name]
        try:
            await runner.run(argv, timeout=60)
        except RemoteError as exc:
            if "already" not in exc.stderr.lower():  # "Certificate already in trust store": fine
                raise
    finally:
        await runner.run(["rm", "-f", "--", path], timeout=30, check=False)


async def enroll(
    node: NodeConfig,
    home: Home,
    secrets: NodeSecrets,
    *,
    token: str | None = None,
    accept_fingerprint: str | None = None,
    connect_timeout: float = 15.0,
) -> EnrollResult:
    """The whole flow of the module docstring. Raises ``CertificateUnknown`` at first contact."""
    if node.type not in CLI:
        raise Unsupported(f"node {node.name} is a {node.type.value} node; only LXD and Incus nodes are enrolled")
    endpoint = node.api_endpoint or default_endpoint(node)
    if not endpoint.startswith("https://"):
        raise Unsupported(f"{endpoint} is not an https:// API; a local unix socket needs no certificate")
    node = await _pin(node.replace(api_endpoint=endpoint), endpoint, accept_fingerprint, connect_timeout)
    cert = await _client_certificate(node, home)
    node = node.replace(client_cert=str(cert.cert_path), client_key=str(cert.key_path))

    async with open_lxd_client(node, connect_timeout=connect_timeout) as client:
        info = await _server_info(client)
        if info.get("auth") == "trusted":
            return EnrollResult(node, cert.fingerprint, "already-trusted", _describe(node, info))
        if token is not None:
            await enroll_with_token(client, node, token, info)
            method = "token"
        else:
            runner = open_command_runner(node, secrets, home, connect_timeout=connect_timeout)
            try:
                await enroll_over_ssh(runner, CLI[node.type], cert.pem, name=certificate_name())
            finally:
                await runner.close()
            method = "ssh"
        info = await _server_info(client)
        if info.get("auth") != "trusted":
            raise AuthError(
                f"{client.description} still does not trust the client certificate "
                f"(SHA-256 {format_fingerprint(cert.fingerprint)}) after enrolment"
            )
    log.info("%s: enrolled client certificate %s by %s", node.name, cert.fingerprint[:12], method)
    return EnrollResult(node, cert.fingerprint, method, _describe(node, info))
