"""``ocv-desktop instances list|show|start|stop|restart|delete|create|commit NODE ...`` for every platform.

Provider-generic: each command calls one Provider method. Results go to stdout (a table, or JSON
with ``--json``); progress and questions go to stderr, so scripts can read stdout as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from ocv_desktop.cli._provider_cli import (
    collect_pairs,
    confirm,
    format_size,
    node_provider,
    parse_key_value,
    parse_port,
    parse_size,
    short_id,
    stderr_progress,
    stdin_is_tty,
    with_trailing_command,
)
from ocv_desktop.cli.context import PROG, Context
from ocv_desktop.cli.images import IMAGE_HEADERS, image_row
from ocv_desktop.cli.output import print_listing, print_record
from ocv_desktop.cli.parser import command_group
from ocv_desktop.core.models import Instance, InstanceSpec, InstanceType

ORDER = 20
GROUP_HELP = "list, create, start, stop, restart and delete containers and VMs"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = command_group(subparsers, "instances", GROUP_HELP)

    p = group.add_parser("list", help="list the instances of a node (one round trip per node)")
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("--json", action="store_true", help="print JSON: {node, instances: [...]}")
    p.set_defaults(handler=list_instances)

    p = group.add_parser("show", help="show one instance")
    _node_and_id(p)
    p.add_argument("--json", action="store_true", help="print the instance as JSON")
    p.set_defaults(handler=show_instance)

    p = group.add_parser("start", help="start an instance")
    _node_and_id(p)
    p.set_defaults(handler=start_instance)

    p = group.add_parser("stop", help="stop an instance (gracefully, then hard after --timeout)")
    _node_and_id(p)
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="grace period (default 30)")
    p.add_argument("--force", action="store_true", help="stop at once, without the graceful part")
    p.set_defaults(handler=stop_instance)

    p = group.add_parser("restart", help="restart an instance")
    _node_and_id(p)
    p.set_defaults(handler=restart_instance)

    p = group.add_parser(
        "delete",
        help="delete an instance",
        description="Delete an instance. Asks first on a terminal unless --yes. A running instance is "
        "refused unless --force (which stops it first).",
    )
    _node_and_id(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--force", action="store_true", help="stop the instance first if it is running")
    p.add_argument("--purge-volumes", action="store_true", help="also delete its volumes (Docker: anonymous ones)")
    p.set_defaults(handler=delete_instance)

    p = group.add_parser(
        "commit",
        help="save a container's filesystem as a new image (Docker; not a snapshot)",
        description="Save the container's filesystem (not its volumes) as image IMAGE (repo:tag). "
        "Docker only: LXD, Incus and Proxmox have snapshots instead (`snapshots create`).",
    )
    _node_and_id(p)
    p.add_argument("image", metavar="IMAGE", help="the new image's reference, e.g. backup/web:before-upgrade")
    p.add_argument("--json", action="store_true", help="print the new image as JSON")
    p.set_defaults(handler=commit_instance)

    p = with_trailing_command(
        group.add_parser(
            "create",
            help="create (and start) an instance",
            usage=f"{PROG} instances create NODE --name NAME --image IMAGE [options] [-- COMMAND ...]",
            description="Create an instance and wait until it runs. Progress goes to stderr. "
            "Everything after `--` is the command to run (Docker).",
        )
    )
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("--name", required=True, help="instance name")
    p.add_argument("--image", required=True, help="image (Docker: repo:tag; LXD/Incus: alias; Proxmox: template)")
    p.add_argument("--type", choices=[t.value for t in InstanceType], default=InstanceType.CONTAINER.value)
    p.add_argument("--cpus", type=float, metavar="N", help="CPU limit in cores (e.g. 0.5, 2)")
    p.add_argument("--memory", type=parse_size, metavar="SIZE", help="memory limit (e.g. 512M, 2G)")
    p.add_argument("--disk", type=parse_size, metavar="SIZE", help="root disk size (e.g. 10G)")
    p.add_argument("--storage", metavar="POOL", help="storage pool / Proxmox storage")
    p.add_argument("--hostname", help="host name inside the instance (default: from the name)")
    p.add_argument(
        "--port",
        type=parse_port,
        action="append",
        metavar="[IP:]HOST:GUEST[/PROTO]",
        help="publish a port; PROTO tcp (default), udp or both; repeat for more",
    )
    p.add_argument("--env", type=parse_key_value, action="append", metavar="K=V", help="environment variable")
    p.add_argument("--restart", metavar="POLICY", help="restart policy (Docker: no|always|unless-stopped|on-failure)")
    p.add_argument("--opt", type=parse_key_value, action="append", metavar="KEY=VALUE", help="provider-specific option")
    p.add_argument("--no-start", action="store_true", help="create only, do not start")
    p.add_argument("--json", action="store_true", help="print the created instance as JSON")
    p.set_defaults(handler=create_instance)


def _node_and_id(p: argparse.ArgumentParser) -> None:
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("id", metavar="ID", help="instance id or name (Proxmox: vmid)")


def instance_row(i: Instance) -> list[str]:
    return [
        i.name,
        short_id(i.id),
        i.status.value if i.status.value == i.raw_status.lower() else f"{i.status.value} ({i.raw_status})",
        i.type.value,
        i.image or "-",
        f"{i.cpu_limit:g}" if i.cpu_limit is not None else "-",
        format_size(i.memory_limit),
        ",".join(i.ipv4) or "-",
    ]


INSTANCE_HEADERS = ["NAME", "ID", "STATUS", "TYPE", "IMAGE", "CPUS", "MEMORY", "IPV4"]


async def list_instances(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        instances = await provider.with_usage(await provider.list_instances())
        node_name = provider.node.name
    print_listing(node_name, "instances", instances, INSTANCE_HEADERS, instance_row, as_json=args.json)
    return 0


async def show_instance(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        instance = await provider.get_instance(args.id)
    print_record(instance, INSTANCE_HEADERS, instance_row, as_json=args.json)
    return 0


async def start_instance(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        await provider.start_instance(args.id)
    print(f"started {args.id}")
    return 0


async def stop_instance(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        await provider.stop_instance(args.id, timeout=args.timeout, force=args.force)
    print(f"stopped {args.id}")
    return 0


async def restart_instance(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        await provider.restart_instance(args.id)
    print(f"restarted {args.id}")
    return 0


def delete_instance(args: argparse.Namespace, ctx: Context) -> int:
    # The question is asked before the event loop starts (input() would block it).
    if not args.yes and stdin_is_tty():
        what = "stop and delete" if args.force else "delete"
        if not confirm(f"{what} instance {args.id} on node {args.node}?"):
            print(f"{PROG}: nothing deleted", file=sys.stderr)
            return 1
    return asyncio.run(_delete(args, ctx))


async def _delete(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        await provider.delete_instance(args.id, force=args.force, purge_volumes=args.purge_volumes)
    print(f"deleted {args.id}")
    return 0


async def commit_instance(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        stderr_progress(f"commit {args.id}")(None, f"committing to {args.image}")
        image = await provider.commit_instance(args.id, args.image)
    print_record(image, IMAGE_HEADERS, image_row, as_json=args.json)
    return 0


def spec_from_args(args: argparse.Namespace) -> InstanceSpec:
    return InstanceSpec(
        name=args.name,
        image=args.image,
        type=InstanceType(args.type),
        cpus=args.cpus,
        memory=args.memory,
        disk=args.disk,
        storage=args.storage,
        hostname=args.hostname,
        ports=tuple(args.port or ()),
        env=collect_pairs(args.env, "environment variable"),
        command=tuple(args.command),
        restart_policy=args.restart,
        start=not args.no_start,
        extra=collect_pairs(args.opt, "option"),
    )


async def create_instance(args: argparse.Namespace, ctx: Context) -> int:
    spec = spec_from_args(args)
    async with node_provider(ctx, args.node) as provider:
        instance = await provider.create_instance(spec, progress=stderr_progress(f"create {spec.name}"))
    print_record(instance, INSTANCE_HEADERS, instance_row, as_json=args.json)
    return 0
