"""``ocv-desktop snapshots list|create|restore|delete NODE INSTANCE ...`` on every platform that has them.

Provider-generic: each command calls one Provider method, which returns when the platform says it
is done (LXD/Incus operation awaited, Proxmox task polled). Docker has no snapshots and says so.
Restore and delete lose data: they ask on a terminal, and without one they refuse unless ``--yes``
(a script must say it means it). Results go to stdout; progress and questions go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ocv_desktop.cli._provider_cli import confirm, node_provider, stderr_progress, stdin_is_tty
from ocv_desktop.cli.context import PROG, Context, UsageError
from ocv_desktop.cli.output import print_json, print_table
from ocv_desktop.cli.parser import command_group
from ocv_desktop.core.models import Snapshot
from ocv_desktop.providers.base import Provider

ORDER = 25
GROUP_HELP = "list, create, restore and delete snapshots of an instance (LXD, Incus, Proxmox)"

HEADERS = ["NAME", "CREATED", "STATEFUL", "PARENT", "DESCRIPTION"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = command_group(subparsers, "snapshots", GROUP_HELP)

    p = group.add_parser("list", help="list the snapshots of an instance, oldest first")
    _node_and_instance(p)
    p.add_argument("--json", action="store_true", help="print JSON: {node, instance, snapshots: [...]}")
    p.set_defaults(handler=list_snapshots)

    p = group.add_parser("create", help="take a snapshot and wait until it is done")
    _node_and_instance(p)
    p.add_argument("name", metavar="NAME", help="snapshot name")
    p.add_argument("--description", default="", metavar="TEXT", help="what it is for (Proxmox)")
    p.add_argument("--stateful", action="store_true", help="also save the running memory state")
    p.set_defaults(handler=create_snapshot)

    p = group.add_parser(
        "restore",
        help="roll an instance back to a snapshot",
        description="Roll the instance back to snapshot NAME: every change since it is lost. Asks on a "
        "terminal; elsewhere refuses unless --yes.",
    )
    _node_and_instance(p)
    p.add_argument("name", metavar="NAME", help="snapshot name")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=restore_snapshot)

    p = group.add_parser(
        "delete",
        help="delete a snapshot",
        description="Delete snapshot NAME (the instance itself is kept). Asks on a terminal; elsewhere "
        "refuses unless --yes.",
    )
    _node_and_instance(p)
    p.add_argument("name", metavar="NAME", help="snapshot name")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=delete_snapshot)


def _node_and_instance(p: argparse.ArgumentParser) -> None:
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("instance", metavar="INSTANCE", help="instance id or name (Proxmox: vmid)")


def snapshot_json(s: Snapshot) -> dict[str, Any]:
    return {
        "name": s.name,
        "created": s.created.isoformat() if s.created else None,
        "description": s.description,
        "stateful": s.stateful,
        "parent": s.parent,
    }


def snapshot_row(s: Snapshot) -> list[str]:
    created = s.created.isoformat(timespec="seconds") if s.created else "-"
    return [s.name, created, "yes" if s.stateful else "no", s.parent or "-", s.description or "-"]


async def list_snapshots(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        snapshots = await provider.list_snapshots(args.instance)
        node_name = provider.node.name
    if args.json:
        print_json({"node": node_name, "instance": args.instance, "snapshots": [snapshot_json(s) for s in snapshots]})
    elif snapshots:
        print_table(HEADERS, [snapshot_row(s) for s in snapshots])
    else:
        print(f"no snapshots of {args.instance} on {node_name}", file=sys.stderr)
    return 0


async def _mutate(
    args: argparse.Namespace,
    ctx: Context,
    step: str,
    call: Callable[[Provider], Awaitable[None]],
    done: str,
) -> int:
    """One snapshot mutation: progress on stderr, awaited to completion, one line on stdout."""
    report = stderr_progress(f"snapshot {args.instance}")
    async with node_provider(ctx, args.node) as provider:
        report(None, step)
        await call(provider)
    print(done)
    return 0


async def create_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    return await _mutate(
        args,
        ctx,
        f"taking snapshot {args.name}",
        lambda p: p.create_snapshot(args.instance, args.name, description=args.description, stateful=args.stateful),
        f"created snapshot {args.name} of {args.instance}",
    )


def _confirmed(args: argparse.Namespace, what: str, loss: str, nothing: str) -> bool:
    """Ask "WHAT? LOSS" on a terminal (before the event loop starts: input would block it); refuse
    elsewhere without --yes, since a script that forgot it must not lose data silently."""
    if args.yes:
        return True
    if not stdin_is_tty():
        raise UsageError(f"no terminal to ask on: rerun with --yes to {what}")
    if confirm(f"{what}? {loss}"):
        return True
    print(f"{PROG}: {nothing}", file=sys.stderr)
    return False


def restore_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    what = f"restore {args.instance} on node {args.node} to snapshot {args.name}"
    if not _confirmed(args, what, "Every change since the snapshot is lost.", "nothing restored"):
        return 1
    restore = _mutate(
        args,
        ctx,
        f"restoring snapshot {args.name}",
        lambda p: p.restore_snapshot(args.instance, args.name),
        f"restored {args.instance} to snapshot {args.name}",
    )
    return asyncio.run(restore)


def delete_snapshot(args: argparse.Namespace, ctx: Context) -> int:
    what = f"delete snapshot {args.name} of {args.instance} on node {args.node}"
    if not _confirmed(args, what, "It cannot be taken back.", "nothing deleted"):
        return 1
    delete = _mutate(
        args,
        ctx,
        f"deleting snapshot {args.name}",
        lambda p: p.delete_snapshot(args.instance, args.name),
        f"deleted snapshot {args.name} of {args.instance}",
    )
    return asyncio.run(delete)
