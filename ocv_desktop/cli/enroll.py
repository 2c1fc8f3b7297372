"""``ocv-desktop nodes enroll NODE [--token-stdin] [--yes] [--json]``: make an LXD/Incus node trust us.

Generates the node's client certificate (``certs/`` in the home dir, key readable only by you),
pins the server certificate at first contact (shown, then confirmed; ``--yes`` accepts it), enrols
the certificate with a trust token read from stdin, or else over SSH with the node's own CLI, and
saves the node. See ``services/enrollment.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from ocv_desktop.cli._provider_cli import confirm, stdin_is_tty
from ocv_desktop.cli.context import Context, UsageError, read_secrets
from ocv_desktop.cli.nodes import GROUP_HELP
from ocv_desktop.cli.output import print_json
from ocv_desktop.cli.parser import command_group
from ocv_desktop.core.errors import CertificateUnknown, OcvError

ORDER = 11


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nodes = command_group(subparsers, "nodes", GROUP_HELP)
    p = nodes.add_parser(
        "enroll",
        help="trust this app on an LXD/Incus node (client certificate + server pin)",
        description="Create a client certificate for NODE, pin the server's TLS certificate (you confirm "
        "its fingerprint at first contact), and enrol the certificate: with a trust token read from stdin "
        "(--token-stdin; create one on the server with `incus config trust add NAME` or `lxc config trust "
        "add`), or else over SSH with the node's own incus/lxc. The node is then saved with its API "
        "endpoint, certificate paths and pin.",
    )
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("--token-stdin", action="store_true", help="read a trust token from stdin instead of using SSH")
    p.add_argument("-y", "--yes", action="store_true", help="pin the server certificate without asking")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(handler=enroll_node)


async def enroll_node(args: argparse.Namespace, ctx: Context) -> int:
    from ocv_desktop.providers.lxd_family.enrollment import enroll

    service = await ctx.node_service()
    node = service.find(args.node)
    token = (await asyncio.to_thread(read_secrets, ["trust token"]))[0] if args.token_stdin else None
    secrets = await service.secrets_of(node.id)
    timeout = service.config.settings.connect_timeout
    try:
        result = await enroll(node, ctx.home, secrets, token=token, connect_timeout=timeout)
    except CertificateUnknown as exc:
        print(f"{exc.message}", file=sys.stderr)
        if not args.yes:
            if not stdin_is_tty() or args.token_stdin:
                raise UsageError(
                    "no terminal to ask on: compare the fingerprint with the server's, then rerun with --yes"
                ) from None
            if not await asyncio.to_thread(confirm, "Pin this certificate?"):
                raise OcvError("not trusted: nothing was recorded") from None
        result = await enroll(
            node, ctx.home, secrets, token=token, accept_fingerprint=exc.fingerprint, connect_timeout=timeout
        )
    await service.update_node(result.node)
    if args.json:
        print_json(
            {
                "node": result.node.name,
                "method": result.method,
                "server": result.server,
                "api_endpoint": result.node.api_endpoint,
                "client_cert": result.node.client_cert,
                "client_fingerprint": result.client_fingerprint,
                "server_cert_fingerprint": result.node.server_cert_fingerprint,
            }
        )
    else:
        how = {"token": "with the trust token", "ssh": "over SSH", "already-trusted": "(it was trusted already)"}
        print(f"{result.node.name}: {result.server} trusts this app {how[result.method]}")
        print(f"  client certificate {result.node.client_cert} (SHA-256 {result.client_fingerprint})")
    return 0
