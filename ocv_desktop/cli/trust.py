"""``ocv-desktop trust NODE [--yes] [--replace] [--json]``: confirm a node's SSH host key and API certificate.

Trust on first use, made explicit (DESIGN.md rule 4). The command reads what the node presents
(the SSH host key; for an ``https://`` API without a CA file, the server certificate), shows the
fingerprints and, once the user confirms (or ``--yes``), records them: the host key in the home's
``known_hosts``, the certificate's SHA-256 as the node's pin in ``config.yaml``.

A key or certificate that differs from the trusted one is refused with both fingerprints shown.
Only ``--replace`` (after a reinstall, say) accepts the new one, and it still asks unless ``--yes``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from ocv_desktop.cli._provider_cli import confirm, stdin_is_tty
from ocv_desktop.cli.context import Context, UsageError
from ocv_desktop.cli.output import print_json
from ocv_desktop.core.errors import CertificateChanged, HostKeyChanged, OcvError
from ocv_desktop.core.models import NodeConfig

ORDER = 15


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "trust",
        help="show a node's SSH host key and API certificate fingerprints and trust them",
        description="Read the SSH host key (and, for an https:// API without a CA file, the server "
        "certificate) that NODE presents, show the fingerprints, and record them once you confirm: "
        "the host key in known_hosts, the certificate as the node's pinned SHA-256. Compare the "
        "fingerprints with the ones the server itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub; "
        "the certificate in the Proxmox/LXD/Incus settings) before you confirm.",
    )
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("-y", "--yes", action="store_true", help="trust what the node presents without asking")
    p.add_argument(
        "--replace",
        action="store_true",
        help="accept a key or certificate that DIFFERS from the trusted one (e.g. after a reinstall)",
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON (needs --yes)")
    p.set_defaults(handler=trust)


@dataclass
class Outcome:
    """One thing trusted; ``--json`` prints it as is (the field names are the keys)."""

    what: str  # "ssh_host_key" or "api_certificate"
    address: str
    key_type: str
    fingerprint: str
    previous_fingerprint: str | None
    status: str  # "already-trusted", "trusted", "replaced"


async def trust(args: argparse.Namespace, ctx: Context) -> int:
    if args.json and not args.yes:
        raise UsageError("--json prints without asking: add --yes")
    node = ctx.config().find(args.node)
    outcomes: list[Outcome] = []
    if not node.local:
        outcomes.append(await _trust_host_key(node, ctx, args))
    if _pinnable(node):
        outcomes.append(await _trust_certificate(node, ctx, args))
    if not outcomes:
        raise OcvError(
            f"node {node.name!r} has nothing to trust: no SSH and no https:// API with a pinnable certificate"
        )
    if args.json:
        print_json({"node": node.name, "trusted": outcomes})
    return 0


def _pinnable(node: NodeConfig) -> bool:
    return bool(node.api_endpoint and node.api_endpoint.startswith("https://") and not node.ca_file)


# --- SSH host key -------------------------------------------------------------------------------


async def _trust_host_key(node: NodeConfig, ctx: Context, args: argparse.Namespace) -> Outcome:
    from ocv_desktop.transport.known_hosts import host_pattern, key_info, recorded_host_keys, trust_host_key
    from ocv_desktop.transport.ssh import fetch_host_key

    path = ctx.home.known_hosts
    name = host_pattern(node.host, node.port)
    seen = await fetch_host_key(node.host, node.port, ctx.config().settings.connect_timeout)
    recorded = await asyncio.to_thread(recorded_host_keys, path, node.host, node.port)
    known = [key_info(k).fingerprint for k in recorded]
    outcome = Outcome("ssh_host_key", name, seen.key_type, seen.fingerprint, known[0] if known else None, "")
    if seen.fingerprint in known:
        outcome.status = "already-trusted"
        _say(args, f"SSH host key of {name} is already trusted: {seen.key_type} {seen.fingerprint}")
        return outcome
    if known:
        message = (
            f"THE SSH HOST KEY OF {name} HAS CHANGED.\n"
            f"  trusted:   {known[0]}\n"
            f"  presented: {seen.key_type} {seen.fingerprint}\n"
            "Someone may be intercepting the connection, or the server was reinstalled."
        )
        if not args.replace:
            raise HostKeyChanged(
                message,
                host=node.host,
                port=node.port,
                key_type=seen.key_type,
                fingerprint=seen.fingerprint,
                expected_fingerprint=known[0],
                hint="if you know the server was reinstalled, check the new fingerprint on it and rerun with --replace",
            )
        _say(args, message)
        question = "Replace the trusted key with this one?"
    else:
        _say(args, f"SSH host key of {node.display_address} ({name}):\n  {seen.key_type} {seen.fingerprint}")
        question = "Trust this host key?"
    await _confirm(question, args)
    await asyncio.to_thread(trust_host_key, path, node.host, node.port, seen.openssh_line, replace=bool(known))
    outcome.status = "replaced" if known else "trusted"
    _say(args, f"recorded in {path}")
    return outcome


# --- API certificate ----------------------------------------------------------------------------


async def _trust_certificate(node: NodeConfig, ctx: Context, args: argparse.Namespace) -> Outcome:
    from urllib.parse import urlsplit

    from ocv_desktop.transport.tls import fetch_server_certificate, format_fingerprint

    url = urlsplit(node.api_endpoint or "")
    host, port = url.hostname or "", url.port or 443
    cert = await fetch_server_certificate(host, port, timeout=ctx.config().settings.connect_timeout)
    details = cert.describe()
    pinned = node.server_cert_fingerprint
    address = f"{host}:{port}"
    outcome = Outcome("api_certificate", address, "x509", cert.fingerprint, pinned, "")
    if pinned == cert.fingerprint:
        outcome.status = "already-trusted"
        _say(args, f"API certificate of {address} is already pinned: SHA-256 {cert.display_fingerprint}")
        return outcome
    shown = (
        f"  SHA-256  {cert.display_fingerprint}\n  subject  {details['subject']}\n  issuer   {details['issuer']}\n"
        f"  names    {details['names'] or '-'}\n  valid    {details['not_before']} .. {details['not_after']}"
    )
    if pinned:
        message = (
            f"THE API CERTIFICATE OF {address} HAS CHANGED.\n  pinned:    {format_fingerprint(pinned)}\n"
            f"  presented:\n{shown}"
        )
        if not args.replace:
            raise CertificateChanged(
                message,
                host=host,
                port=port,
                fingerprint=cert.fingerprint,
                expected_fingerprint=pinned,
                hint="if the server got a new certificate, check its fingerprint there and rerun with --replace",
            )
        _say(args, message)
        question = "Pin this certificate instead?"
    else:
        _say(args, f"API certificate of {address}:\n{shown}")
        question = "Pin this certificate?"
    await _confirm(question, args)
    service = await ctx.node_service()
    await service.update_node(service.find(node.id).replace(server_cert_fingerprint=cert.fingerprint))
    outcome.status = "replaced" if pinned else "trusted"
    _say(args, f"pinned in {ctx.home.config_file}")
    return outcome


# --- talking to the user --------------------------------------------------------------------------


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(text)


async def _confirm(question: str, args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not stdin_is_tty():
        raise UsageError("no terminal to ask on: compare the fingerprint with the server's, then rerun with --yes")
    sys.stdout.flush()  # the fingerprints first, then the question (on stderr)
    if not await asyncio.to_thread(confirm, question):
        raise OcvError("not trusted: nothing was recorded")
