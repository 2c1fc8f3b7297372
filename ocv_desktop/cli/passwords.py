"""``ocv-desktop reset-password NODE ID [--password-stdin]``: the one-off root password reset.

Without ``--password-stdin`` a strong password is generated, set, and printed on stdout (the only
thing printed there, so ``PW=$(ocv-desktop reset-password ...)`` works). With it, the password is
read from stdin (or asked for twice on a terminal) and is not printed back. The password never
appears in argv, here or on the node (it reaches chpasswd on stdin).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys

from ocv_desktop.cli._provider_cli import node_provider, stdin_is_tty
from ocv_desktop.cli.context import PROG, Context, UsageError, read_secrets
from ocv_desktop.cli.output import print_json

ORDER = 30


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "reset-password",
        help="set a new root password in an instance and print it",
        description="Generate a strong password, set it for the user (default root) inside the instance, "
        "and print it on stdout. With --password-stdin, set the password read from stdin instead.",
    )
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("id", metavar="ID", help="instance id or name (Proxmox: vmid)")
    p.add_argument("--user", default="root", help="the account whose password is set (default root)")
    p.add_argument("--password-stdin", action="store_true", help="read the new password from stdin")
    p.add_argument("--json", action="store_true", help="print {node, instance, user, password} as JSON")
    p.add_argument(
        "--allow-reboot",
        action="store_true",
        help="Proxmox VMs without a guest agent: set the password through cloud-init and reboot the VM",
    )
    p.set_defaults(handler=reset_password)


def reset_password(args: argparse.Namespace, ctx: Context) -> int:
    chosen: str | None = None
    if args.password_stdin:
        # Read before the event loop starts: a blocking read must not sit on the loop.
        if stdin_is_tty():
            first, second = read_secrets(["new password", "the same password again"])
            if first != second:
                raise UsageError("the two passwords differ")
            chosen = first
        else:
            (chosen,) = read_secrets(["new password"])
    return asyncio.run(_reset(args, ctx, chosen))


async def _reset(args: argparse.Namespace, ctx: Context, chosen: str | None) -> int:
    async with node_provider(ctx, args.node) as provider:
        # Only providers that may need a reboot for it (Proxmox: cloud-init) take the consent.
        consent = {"allow_reboot": True} if args.allow_reboot else {}
        if consent and "allow_reboot" not in inspect.signature(provider.set_instance_password).parameters:
            raise UsageError(f"--allow-reboot does not apply to {provider.type.value} nodes")
        if chosen is None:
            password = await provider.reset_instance_password(args.id, username=args.user, **consent)
        else:
            await provider.set_instance_password(args.id, chosen, username=args.user, **consent)
            password = chosen
        node_name = provider.node.name
    if args.json:
        print_json(
            {"node": node_name, "instance": args.id, "user": args.user, "password": None if chosen else password}
        )
    elif chosen is None:
        print(password)
    else:
        print(f"{PROG}: the password of {args.user} in {args.id} was set", file=sys.stderr)
    return 0
