"""``ocv-desktop health [NODE ...] [--json]``: check nodes now, concurrently, and say how they are.

All given nodes (default: every configured node) are checked at once through one ProviderPool, at
most ``settings.health_concurrency`` at a time; each check, connecting included, ends within
``settings.health_timeout``. Exit status 0 when every node is healthy, 1 otherwise.

Output order, chosen on purpose:
- Text (for a person): one line per node **as soon as that node finishes**. A dead node takes the
  whole timeout; the healthy ones are on screen long before it, which is the point of checking
  concurrently. The state is coloured on a terminal; plain when stdout is not a terminal or
  ``NO_COLOR`` is set (https://no-color.org).
- ``--json`` (for scripts): one document once all nodes finished, nodes in config order, so the
  output is stable (README.md, "JSON output").
"""

from __future__ import annotations

import argparse
import contextlib
import os
from typing import Any, TextIO

from ocv_desktop.cli._provider_cli import format_size
from ocv_desktop.cli.context import Context
from ocv_desktop.cli.output import display_width, print_json
from ocv_desktop.core.models import (
    CheckStatus,
    HealthReport,
    HealthState,
    NodeConfig,
    Resources,
    to_jsonable,
)

ORDER = 30
HELP = "check nodes now (SSH, API, service) and show their health and resources"

COLOURS = {
    HealthState.HEALTHY: "32",  # green
    HealthState.PARTIAL: "33",  # yellow
    HealthState.UNHEALTHY: "31",  # red
    HealthState.UNKNOWN: "90",  # grey
}
STATE_WIDTH = max(len(s.value) for s in HealthState)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "health",
        help=HELP,
        description="Check the given nodes (default: all) concurrently: SSH, API (when configured) and the "
        "platform's service, with CPU, memory, disk and load. One line per node as each finishes; exit "
        "status 0 when all are healthy, 1 otherwise. A node that does not answer is reported after "
        "settings.health_timeout.",
    )
    p.add_argument("nodes", nargs="*", metavar="NODE", help="node names (or ids); default all")
    p.add_argument("--json", action="store_true", help="print one JSON document: {nodes: [...], healthy}")
    p.set_defaults(handler=health)


async def health(args: argparse.Namespace, ctx: Context) -> int:
    from ocv_desktop.health.monitor import MonitorSettings, check_all
    from ocv_desktop.services.pool import ProviderPool

    config = ctx.config()
    chosen = [config.find(name) for name in args.nodes] if args.nodes else config.nodes
    by_id = {n.id: n for n in chosen}  # a node named twice (or by name and id) is checked once
    nodes = list(by_id.values())
    if not nodes:
        ctx.warn("no nodes are configured; add one with `ocv-desktop nodes add`")
    pool = ProviderPool(ctx.home, await ctx.secrets(), config.settings)
    colour = not args.json and use_colour(ctx.out)
    name_width = max((display_width(n.name) for n in nodes), default=0)
    reports: dict[str, HealthReport] = {}
    try:
        checks = check_all(nodes, pool.check_health, MonitorSettings.from_settings(config.settings))
        async with contextlib.aclosing(checks) as finished:
            async for report in finished:
                reports[report.node_id] = report
                if not args.json:
                    print(report_line(by_id[report.node_id], report, name_width, colour), file=ctx.out, flush=True)
    finally:
        await pool.close()
    ordered = [(n, reports[n.id]) for n in nodes]
    all_healthy = all(r.state is HealthState.HEALTHY for _, r in ordered)
    if args.json:
        print_json({"nodes": [report_json(n, r) for n, r in ordered], "healthy": all_healthy}, ctx.out)
    return 0 if all_healthy else 1


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# --- formatting ----------------------------------------------------------------------------------


def report_json(node: NodeConfig, report: HealthReport) -> dict[str, Any]:
    """README.md, "JSON output": ``health --json``."""
    return {
        "node": node.name,
        "id": node.id,
        "type": node.type.value,
        "state": report.state.value,
        "checked_at": to_jsonable(report.checked_at),
        "checks": to_jsonable(report.checks),
        "resources": _resources_json(report.resources),
    }


# The CPU tick counters are the history's input (a % needs two rounds), not a figure to show:
# README's JSON keeps its documented fields.
_INTERNAL = ("cpu_busy_ticks", "cpu_total_ticks")


def _resources_json(resources: Resources | None) -> dict[str, Any] | None:
    if resources is None:
        return None
    doc: dict[str, Any] = to_jsonable(resources)
    for key in _INTERNAL:
        doc.pop(key, None)
    return doc


def report_line(node: NodeConfig, report: HealthReport, name_width: int, colour: bool) -> str:
    """``NAME  STATE  ssh online 12 ms · service offline (why) · cpu 2 · mem ...`` on one line."""
    state = report.state.value
    shown_state = f"\x1b[{COLOURS[report.state]}m{state}\x1b[0m" if colour else state
    parts = [_check_text(c.kind.value, c.status, c.latency, c.error, c.detail) for c in report.checks]
    parts = [p for p in parts if p]
    if report.resources is not None:
        parts += _resource_texts(report.resources)
    pad_name = " " * (name_width - display_width(node.name))
    pad_state = " " * (STATE_WIDTH - len(state))
    return f"{node.name}{pad_name}  {shown_state}{pad_state}  " + " · ".join(parts)


def _check_text(kind: str, status: CheckStatus, latency: float | None, error: str, detail: str) -> str:
    if status is CheckStatus.NOT_CHECKED:
        return ""  # does not apply to this node; --json lists it with the reason
    took = f" {latency * 1000:.0f} ms" if latency is not None else ""
    if status is CheckStatus.ONLINE:
        note = f" ({_one_line(detail)})" if detail and kind != "ssh" else ""
        return f"{kind} online{took}{note}"
    return f"{kind} offline{took} ({_one_line(error) or 'no reason given'})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _resource_texts(res: Resources) -> list[str]:
    out = []
    if res.cpu_cores is not None:
        out.append(f"cpu {res.cpu_cores}")
    if res.memory_total is not None:
        used = format_size(res.memory_used) if res.memory_used is not None else "?"
        out.append(f"mem {used} used of {format_size(res.memory_total)}")
    if res.disk_total is not None:
        free = format_size(res.disk_free) if res.disk_free is not None else "?"
        out.append(f"disk {free} free of {format_size(res.disk_total)}")
    if res.load1 is not None:
        out.append(f"load {res.load1:.2f}")
    return out
