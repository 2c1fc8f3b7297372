"""What the provider-generic commands (instances, images, reset-password) share: opening a node's
provider, progress lines on stderr, and reading sizes, ports and key=value options.

Everything here goes through the Provider ABC only, so the same commands serve Docker, LXD, Incus
and Proxmox nodes; provider-specific create options travel in ``InstanceSpec.extra`` (``--opt``).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from typing import Any

from ocv_desktop.cli.context import PROG, Context, UsageError
from ocv_desktop.cli.parser import Parser
from ocv_desktop.core import specs
from ocv_desktop.core.errors import InvalidInput
from ocv_desktop.core.models import PortMapping, ProgressCallback
from ocv_desktop.providers.base import Provider


@contextlib.asynccontextmanager
async def node_provider(ctx: Context, node_name: str) -> AsyncIterator[Provider]:
    """The connected provider of the node named (or with the id) ``node_name``."""
    from ocv_desktop.services.sessions import provider_session

    config = ctx.config()
    node = config.find(node_name)
    store = await ctx.secrets()
    async with provider_session(node, store, ctx.home, config.settings) as provider:
        yield provider


def stderr_progress(label: str) -> ProgressCallback:
    """A progress callback that prints one line per step on stderr (stdout stays for results)."""

    def report(fraction: float | None, message: str) -> None:
        percent = f"{round(fraction * 100):3d}%" if fraction is not None else "   …"
        print(f"{PROG}: {label}: [{percent}] {message}", file=sys.stderr, flush=True)

    return report


def confirm(question: str) -> bool:
    """Ask on a terminal; ``True`` when the user answers yes. Call before the event loop starts."""
    # The question goes to stderr: stdout carries only results.
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def stdin_is_tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


# --- values typed on the command line -----------------------------------------------------------

def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1.5GiB``, ``10g`` or plain bytes -> bytes (core/specs.py)."""
    try:
        return specs.parse_size(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def format_size(size: int | None) -> str:
    if size is None:
        return "-"
    for unit, factor in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def parse_port(text: str) -> PortMapping:
    """``[HOST_IP:]HOST:GUEST[/tcp|udp|both]`` (core/specs.py)."""
    try:
        return specs.parse_port(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def parse_key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def collect_pairs(pairs: list[tuple[str, str]] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs or []:
        if key in out:
            raise UsageError(f"{what} {key!r} given twice")
        out[key] = value
    return out


def short_id(instance_id: str) -> str:
    """64-hex container ids are shown like `docker ps` does (12 characters); other ids as they are."""
    return instance_id[:12] if re.fullmatch(r"[0-9a-f]{64}", instance_id) else instance_id


class TrailingCommandParser(Parser):
    """A sub-command parser for ``... [options] -- command args...``: everything after the first
    ``--`` becomes ``args.command`` verbatim. (argparse cannot put a trailing ``nargs='*'``
    positional after options that follow another positional.)"""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        items = list(sys.argv[1:] if args is None else args)
        command: list[str] = []
        if "--" in items:
            cut = items.index("--")
            items, command = items[:cut], items[cut + 1 :]
        parsed, extras = super().parse_known_args(items, namespace)
        parsed.command = command
        return parsed, extras


def with_trailing_command(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Turn a parser made by ``add_parser`` into a ``TrailingCommandParser``."""
    parser.__class__ = TrailingCommandParser
    return parser
