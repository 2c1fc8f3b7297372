"""``ocv-desktop images list|pull|delete NODE ...`` for every platform (through the Provider ABC)."""

from __future__ import annotations

import argparse

from ocv_desktop.cli._provider_cli import format_size, node_provider, short_id, stderr_progress
from ocv_desktop.cli.context import Context
from ocv_desktop.cli.output import print_listing, print_record
from ocv_desktop.cli.parser import command_group
from ocv_desktop.core.models import Image

ORDER = 25
GROUP_HELP = "list, pull and delete images"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = command_group(subparsers, "images", GROUP_HELP)

    p = group.add_parser("list", help="list the images of a node")
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("--json", action="store_true", help="print JSON: {node, images: [...]}")
    p.set_defaults(handler=list_images)

    p = group.add_parser("pull", help="pull (download) an image; progress goes to stderr")
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("ref", metavar="IMAGE", help="image reference (Docker: [registry/]repo:tag)")
    p.add_argument("--json", action="store_true", help="print the pulled image as JSON")
    p.set_defaults(handler=pull_image)

    p = group.add_parser("delete", help="delete an image (refused while instances use it, unless --force)")
    p.add_argument("node", metavar="NODE", help="node name (or id)")
    p.add_argument("ref", metavar="IMAGE", help="image reference or id")
    p.add_argument("--force", action="store_true", help="delete even if instances use it")
    p.set_defaults(handler=delete_image)


IMAGE_HEADERS = ["NAME", "ID", "SIZE", "CREATED", "ALIASES"]


def image_row(i: Image) -> list[str]:
    others = [a for a in i.aliases if a != i.name]
    return [
        i.name,
        short_id(i.id.removeprefix("sha256:")),
        format_size(i.size),
        i.created.strftime("%Y-%m-%d %H:%M") if i.created else "-",
        ",".join(others) or "-",
    ]


async def list_images(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        images = await provider.list_images()
        node_name = provider.node.name
    print_listing(node_name, "images", images, IMAGE_HEADERS, image_row, as_json=args.json)
    return 0


async def pull_image(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        image = await provider.pull_image(args.ref, progress=stderr_progress(f"pull {args.ref}"))
    print_record(image, IMAGE_HEADERS, image_row, as_json=args.json)
    return 0


async def delete_image(args: argparse.Namespace, ctx: Context) -> int:
    async with node_provider(ctx, args.node) as provider:
        await provider.delete_image(args.ref, force=args.force)
    print(f"deleted image {args.ref}")
    return 0
