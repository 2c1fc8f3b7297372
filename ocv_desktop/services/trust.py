"""The trust flow (DESIGN.md rule 4), once for the CLI (``ocv-desktop trust``) and the GUI.

Trust on first use, made explicit: read what the node presents (the SSH host key; the API's TLS
certificate), compare it with what is trusted, ask the user through an injected callback, and
record the answer (the host key in the home's ``known_hosts``; the certificate's SHA-256 as the
node's pin in ``config.yaml``). A key or certificate that differs from the trusted one is put to
the callback as ``HostKeyChanged``/``CertificateChanged``; the CLI refuses it without
``--replace``, the GUI asks twice.

A node is offered every untrusted thing *it uses* (``parts_of``): the SSH host key unless the node
is local or ``api_only``; the API certificate when it has an ``https://`` API without a CA file and
is not ``ssh_only``. One part failing (sshd down on an ``auto`` node) never stops the others: it is
reported as its own failure.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ocv_desktop.core.errors import (
    CertificateChanged,
    CertificateError,
    CertificateUnknown,
    HostKeyChanged,
    HostKeyError,
    HostKeyUnknown,
    OcvError,
)
from ocv_desktop.core.models import NodeConfig, Platform
from ocv_desktop.providers.routing import uses_api, uses_ssh
from ocv_desktop.store.home import Home

if TYPE_CHECKING:  # a type only: `ocv-desktop trust` parses without the node service's imports
    from ocv_desktop.services.nodes import NodeService

TrustError = HostKeyError | CertificateError
# The user's answer to one question: True trusts what the error describes. May raise to stop.
Ask = Callable[[TrustError], Awaitable[bool]]

SSH_HOST_KEY = "ssh_host_key"
API_CERTIFICATE = "api_certificate"
FILE_TIMEOUT = 10.0  # a small local file (known_hosts) written off the loop
LXD_API_PORT = 8443  # where LXD/Incus serve their API when no endpoint is written down
PVE_API_PORT = 8006


@dataclass
class Outcome:
    """One thing offered; ``ocv-desktop trust --json`` prints it as is (the field names are the keys)."""

    what: str  # SSH_HOST_KEY or API_CERTIFICATE
    address: str
    key_type: str
    fingerprint: str
    previous_fingerprint: str | None
    status: str  # "already-trusted", "trusted", "replaced", "declined"


@dataclass
class TrustReport:
    node: NodeConfig
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[tuple[str, OcvError]] = field(default_factory=list)  # (what, why it could not be read)

    @property
    def recorded(self) -> bool:
        return any(o.status in ("trusted", "replaced") for o in self.outcomes)


def api_address(node: NodeConfig) -> tuple[str, int] | None:
    """Where the node's API presents a certificate to pin: None when the node uses no API, has a
    CA file (the CA decides), or speaks to a unix socket."""
    if not uses_api(node) or node.ca_file:
        return None
    endpoint = node.api_endpoint
    if endpoint is None:
        host = f"[{node.host}]" if ":" in node.host else node.host
        if node.type in (Platform.LXD, Platform.INCUS) and node.client_cert and not node.local:
            endpoint = f"https://{host}:{LXD_API_PORT}"
        elif node.type is Platform.PROXMOX and (node.api_token_id or node.api_user):
            endpoint = f"https://{host}:{PVE_API_PORT}/api2/json"
    if not endpoint or not endpoint.startswith("https://"):
        return None
    url = urlsplit(endpoint)
    return url.hostname or "", url.port or 443


def parts_of(node: NodeConfig) -> list[str]:
    """The things the node uses that need trust, in the order they are offered."""
    parts = [SSH_HOST_KEY] if uses_ssh(node) else []
    if api_address(node) is not None:
        parts.append(API_CERTIFICATE)
    return parts


class TrustService:
    """Reads, compares and records; the caller's ``ask`` decides."""

    def __init__(self, home: Home, nodes: NodeService, connect_timeout: float) -> None:
        self.home = home
        self.nodes = nodes
        self.connect_timeout = connect_timeout

    async def trust_node(self, node: NodeConfig, ask: Ask) -> TrustReport:
        """Offer every untrusted thing ``node`` uses; record what ``ask`` accepts."""
        report = TrustReport(node)
        read, report.failures = await self.read_parts(node)
        for outcome, question in read:
            if question is not None:
                if await ask(question):
                    await self.record(node.id, question)
                    outcome.status = "replaced" if outcome.previous_fingerprint else "trusted"
                else:
                    outcome.status = "declined"
            report.outcomes.append(outcome)
        return report

    async def read_parts(
        self, node: NodeConfig
    ) -> tuple[list[tuple[Outcome, TrustError | None]], list[tuple[str, OcvError]]]:
        """What the node presents for every part it uses, with the question to put (None: trusted
        already), and the parts that could not be read (what, why)."""
        parts = parts_of(node)
        if not parts:
            raise OcvError(
                f"node {node.name!r} has nothing to trust: no SSH and no https:// API with a pinnable certificate"
            )
        read: list[tuple[Outcome, TrustError | None]] = []
        failures: list[tuple[str, OcvError]] = []
        for part in parts:
            try:
                if part == SSH_HOST_KEY:
                    read.append(await self.read_host_key(node))
                else:
                    read.append(await self.read_certificate(node))
            except OcvError as exc:
                failures.append((part, exc))
        return read, failures

    # --- reading what the node presents -------------------------------------------------------

    async def read_host_key(self, node: NodeConfig) -> tuple[Outcome, HostKeyUnknown | HostKeyChanged | None]:
        """The node's SSH host key, and the question to put (None: it is trusted already)."""
        from ocv_desktop.transport.known_hosts import host_pattern, key_info, recorded_host_keys
        from ocv_desktop.transport.ssh import fetch_host_key

        name = host_pattern(node.host, node.port)
        seen = await fetch_host_key(node.host, node.port, self.connect_timeout)
        recorded = await asyncio.to_thread(recorded_host_keys, self.home.known_hosts, node.host, node.port)
        known = [key_info(k).fingerprint for k in recorded]
        outcome = Outcome(SSH_HOST_KEY, name, seen.key_type, seen.fingerprint, known[0] if known else None, "")
        if seen.fingerprint in known:
            outcome.status = "already-trusted"
            return outcome, None
        if known:
            message = (
                f"THE SSH HOST KEY OF {name} HAS CHANGED.\n"
                f"  trusted:   {known[0]}\n"
                f"  presented: {seen.key_type} {seen.fingerprint}\n"
                "Someone may be intercepting the connection, or the server was reinstalled."
            )
            return outcome, HostKeyChanged(
                message,
                expected_fingerprint=known[0],
                host=node.host,
                port=node.port,
                key_type=seen.key_type,
                fingerprint=seen.fingerprint,
            )
        message = f"SSH host key of {node.display_address} ({name}):\n  {seen.key_type} {seen.fingerprint}"
        return outcome, HostKeyUnknown(
            message, host=node.host, port=node.port, key_type=seen.key_type, fingerprint=seen.fingerprint
        )

    async def read_certificate(
        self, node: NodeConfig
    ) -> tuple[Outcome, CertificateUnknown | CertificateChanged | None]:
        """The API's certificate, and the question to put (None: it is pinned already)."""
        from ocv_desktop.transport.tls import fetch_server_certificate, format_fingerprint

        address = api_address(node)
        if address is None:
            raise OcvError(f"node {node.name!r} has no https:// API whose certificate could be pinned")
        host, port = address
        cert = await fetch_server_certificate(host, port, timeout=self.connect_timeout)
        details = cert.describe()
        pinned = node.server_cert_fingerprint
        shown_address = f"{host}:{port}"
        outcome = Outcome(API_CERTIFICATE, shown_address, "x509", cert.fingerprint, pinned, "")
        if pinned == cert.fingerprint:
            outcome.status = "already-trusted"
            return outcome, None
        shown = (
            f"  SHA-256  {cert.display_fingerprint}\n  subject  {details['subject']}\n  issuer   {details['issuer']}\n"
            f"  names    {details['names'] or '-'}\n  valid    {details['not_before']} .. {details['not_after']}"
        )
        if pinned:
            message = (
                f"THE API CERTIFICATE OF {shown_address} HAS CHANGED.\n  pinned:    {format_fingerprint(pinned)}\n"
                f"  presented:\n{shown}"
            )
            return outcome, CertificateChanged(
                message, host=host, port=port, fingerprint=cert.fingerprint, expected_fingerprint=pinned
            )
        message = f"API certificate of {shown_address}:\n{shown}"
        return outcome, CertificateUnknown(message, host=host, port=port, fingerprint=cert.fingerprint)

    # --- recording the answer -------------------------------------------------------------------

    async def record(self, node_id: str, question: TrustError) -> NodeConfig:
        """Record what ``question`` describes (the user said yes); returns the node as it is now."""
        if isinstance(question, HostKeyError):
            await self.record_host_key(question)
            return self.nodes.find(node_id)
        node = self.nodes.find(node_id)
        return await self.nodes.update_node(node.replace(server_cert_fingerprint=question.fingerprint))

    async def record_host_key(self, question: HostKeyError) -> None:
        """Record the key the user saw. It is read again to get the public key itself, and only
        recorded if it is still the one whose fingerprint was shown."""
        from ocv_desktop.transport.known_hosts import trust_host_key
        from ocv_desktop.transport.ssh import fetch_host_key

        seen = await fetch_host_key(question.host, question.port, self.connect_timeout)
        if seen.fingerprint != question.fingerprint:
            raise HostKeyChanged(
                f"the host key of {question.host}:{question.port} changed while you were looking at it "
                f"(now {seen.key_type} {seen.fingerprint}); nothing was recorded",
                host=question.host,
                port=question.port,
                key_type=seen.key_type,
                fingerprint=seen.fingerprint,
                expected_fingerprint=question.fingerprint,
            )
        record = functools.partial(
            trust_host_key,
            self.home.known_hosts,
            question.host,
            question.port,
            seen.openssh_line,
            replace=isinstance(question, HostKeyChanged),
        )
        await asyncio.wait_for(asyncio.to_thread(record), FILE_TIMEOUT)
