"""``ocv-desktop nodes list|add|remove`` (``nodes enroll`` is in cli/enroll.py)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from ocv_desktop.cli.context import Context, UsageError, read_secrets
from ocv_desktop.cli.output import node_json, node_summary, print_json, print_table, secrets_json
from ocv_desktop.cli.parser import command_group
from ocv_desktop.core.errors import InvalidInput
from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeConfig, NodeSecrets, Platform
from ocv_desktop.core.nodes import fields_of, normalize_fingerprint, set_fields
from ocv_desktop.store.config import check_node

ORDER = 10
GROUP_HELP = "list, add, remove and enroll nodes"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nodes = command_group(subparsers, "nodes", GROUP_HELP)

    p = nodes.add_parser("list", help="show the configured nodes and where their secrets are kept")
    p.add_argument("--json", action="store_true", help="print JSON (format in README.md)")
    p.set_defaults(handler=list_nodes)

    p = nodes.add_parser(
        "add",
        help="add a node",
        description="Add a node. Secrets are read from stdin (one line each: the SSH password first, "
        "then the API token secret) or asked for on a terminal; they go to the keyring only.",
    )
    p.add_argument("--name", required=True, help="unique name shown in the app (any language)")
    p.add_argument("--type", required=True, choices=[t.value for t in Platform])
    p.add_argument("--host", help="SSH host name or IP address (not needed with --local)")
    p.add_argument("--port", type=int, default=22, help="SSH port (default 22)")
    p.add_argument("--username", default="root", help="SSH user (default root)")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--password-stdin", action="store_true", help="log in with a password, read from stdin")
    auth.add_argument("--key", metavar="PATH", help="log in with this private key file")
    p.add_argument("--use-sudo", action="store_true", help="prefix remote commands with `sudo -n` (non-root users)")
    p.add_argument("--local", action="store_true", help="this computer: run commands here instead of over SSH")
    p.add_argument("--api-endpoint", metavar="URL", help="https://host:port/... or unix:///path/to/socket")
    p.add_argument("--api-token-id", metavar="ID", help="Proxmox API token id USER@REALM!TOKENID")
    p.add_argument("--api-token-stdin", action="store_true", help="read the Proxmox API token secret from stdin")
    p.add_argument("--proxmox-node", metavar="NAME", help="Proxmox node name (default: discover)")
    p.add_argument("--client-cert", metavar="PATH", help="LXD/Incus client certificate (PEM)")
    p.add_argument("--client-key", metavar="PATH", help="LXD/Incus client key (PEM)")
    p.add_argument("--server-cert-fingerprint", metavar="SHA256", help="pin the API server certificate")
    p.add_argument("--execution-rule", choices=[r.value for r in ExecutionRule], default=ExecutionRule.AUTO.value)
    p.add_argument("--tag", action="append", default=[], help="a tag (repeat for more)")
    p.add_argument("--notes", default="", help="free text")
    p.add_argument("--json", action="store_true", help="print the added node as JSON")
    p.set_defaults(handler=add_node)

    p = nodes.add_parser("remove", help="remove a node and its secrets")
    p.add_argument("name", metavar="NAME", help="node name (or id)")
    p.add_argument("--json", action="store_true", help="print the removed node as JSON")
    p.set_defaults(handler=remove_node)


async def list_nodes(args: argparse.Namespace, ctx: Context) -> int:
    config = ctx.config()
    store = await ctx.secrets()
    if args.json:
        print_json({"nodes": [node_json(n) for n in config.nodes], "secrets": secrets_json(store)})
        return 0
    if config.nodes:
        rows = [
            [
                n.name,
                n.type.value,
                n.display_address,
                n.auth.value,
                n.api_endpoint or "-",
                n.execution_rule.value,
                ",".join(n.tags) or "-",
            ]
            for n in config.nodes
        ]
        print_table(["NAME", "TYPE", "ADDRESS", "AUTH", "API", "RULE", "TAGS"], rows)
    else:
        print("no nodes yet: add one with `ocv-desktop nodes add` or `ocv-desktop import FILE`")
    print(store.describe())
    return 0


def _path(value: str | None) -> str | None:
    return str(Path(value).expanduser().resolve()) if value else None


def node_from_args(args: argparse.Namespace) -> NodeConfig:
    if bool(args.api_token_id) != bool(args.api_token_stdin):
        raise UsageError("--api-token-id and --api-token-stdin go together")
    if bool(args.client_cert) != bool(args.client_key):
        raise UsageError("--client-cert and --client-key go together")
    if not args.host and not args.local:
        raise UsageError("--host is required (unless --local)")
    fingerprint = None
    if args.server_cert_fingerprint:
        try:
            fingerprint = normalize_fingerprint(args.server_cert_fingerprint)
        except ValueError as e:
            raise UsageError(f"--server-cert-fingerprint {e}") from None
    auth = AuthMethod.PASSWORD if args.password_stdin else AuthMethod.KEY if args.key else AuthMethod.AGENT
    node = NodeConfig(
        name=args.name,
        type=Platform(args.type),
        host=args.host or "localhost",
        port=args.port,
        username=args.username,
        auth=auth,
        key_path=_path(args.key),
        use_sudo=args.use_sudo,
        local=args.local,
        api_endpoint=args.api_endpoint,
        api_token_id=args.api_token_id,
        proxmox_node=args.proxmox_node,
        client_cert=_path(args.client_cert),
        client_key=_path(args.client_key),
        server_cert_fingerprint=fingerprint,
        execution_rule=ExecutionRule(args.execution_rule),
        tags=tuple(args.tag),
        notes=args.notes,
    )
    _refuse_unused_options(node, password_stdin=args.password_stdin)
    return node


_OPTION_OF_FIELD = {"key_path": "--key", "ssh_password": "--password-stdin"}


def _refuse_unused_options(node: NodeConfig, *, password_stdin: bool) -> None:
    """An option the node would not use is a mistake (the per-platform table in core/nodes.py,
    the one the node editor shows its rows by), never silently stored."""
    uses = fields_of(node)
    unused = [f for f in set_fields(node) if f not in uses]
    if password_stdin and "ssh_password" not in uses:
        unused.append("ssh_password")
    if unused:
        option = _OPTION_OF_FIELD.get(unused[0], "--" + unused[0].replace("_", "-"))
        where = " on this computer (--local)" if node.local else ""
        raise UsageError(f"{option} does not apply to a {node.type.value} node{where}")


def add_node(args: argparse.Namespace, ctx: Context) -> int:
    # Secrets are read before the event loop starts: a blocking read must not sit on the loop,
    # and Ctrl+C at the prompt must end the command at once.
    node = node_from_args(args)
    check_node(node)  # say what is wrong before asking for secrets (the service checks again)
    if any(n.name == node.name for n in ctx.config().nodes):
        from ocv_desktop.services.nodes import duplicate_name_message  # keyring and more: only here

        raise InvalidInput(duplicate_name_message(node.name), hint="choose another name")
    prompts = []
    if args.password_stdin:
        prompts.append(f"SSH password for {node.username}@{node.host}")
    if args.api_token_stdin:
        prompts.append(f"API token secret for {node.api_token_id}")
    values = iter(read_secrets(prompts))
    secrets = NodeSecrets(
        ssh_password=next(values) if args.password_stdin else None,
        api_token_secret=next(values) if args.api_token_stdin else None,
    )
    return asyncio.run(_add_node(args, ctx, node, secrets))


async def _add_node(args: argparse.Namespace, ctx: Context, node: NodeConfig, secrets: NodeSecrets) -> int:
    service = await ctx.node_service()
    node = await service.add_node(node, secrets)
    if args.json:
        print_json(node_json(node))
    else:
        print(f"added node {node_summary(node)}, id {node.id}")
    if secrets.values():
        ctx.fail_if_not_persistent(service.secrets, f"node {node.name!r}")
    return 0


async def remove_node(args: argparse.Namespace, ctx: Context) -> int:
    service = await ctx.node_service()
    node = await service.remove_node(args.name)
    if args.json:
        print_json(node_json(node))
    else:
        print(f"removed node {node_summary(node)} and its secrets")
    return 0
