"""``ocv-desktop import FILE``: nodes from a OneClickVirt provider YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocv_desktop.cli.context import Context
from ocv_desktop.cli.output import node_json, node_summary, print_json, secrets_json
from ocv_desktop.store.oneclickvirt import ImportProblem

ORDER = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "import",
        help="import nodes from a OneClickVirt YAML file",
        description="Import the `providers:` list of a OneClickVirt YAML file. Passwords and API token "
        "secrets go to the keyring; importing the same file again updates the nodes (matched by name). "
        "Entries with problems are reported and skipped (exit status 1); the others are imported.",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--json", action="store_true", help="print the result as JSON (format in README.md)")
    p.set_defaults(handler=import_file)


def _problem_json(p: ImportProblem) -> dict[str, object]:
    return {"index": p.index, "name": p.name, "line": p.line, "message": p.message}


async def import_file(args: argparse.Namespace, ctx: Context) -> int:
    service = await ctx.node_service()
    report = await service.import_oneclickvirt(args.file)
    if args.json:
        print_json(
            {
                "source": str(report.source),
                "added": [node_json(n) for n in report.added],
                "updated": [node_json(n) for n in report.updated],
                "errors": [_problem_json(p) for p in report.errors],
                "warnings": [_problem_json(p) for p in report.warnings],
                "secrets": secrets_json(service.secrets),
            }
        )
    else:
        print(
            f"{report.source}: {len(report.added)} added, {len(report.updated)} updated, {len(report.errors)} skipped"
        )
        for node in report.added:
            print(f"  added    {node_summary(node)}")
        for node in report.updated:
            print(f"  updated  {node_summary(node)}")
        for problem in report.warnings:
            ctx.warn(str(problem))
        for problem in report.errors:
            print(f"skipped: {problem}", file=sys.stderr)
    if report.unsaved_secrets:
        names = ", ".join(repr(name) for name in report.unsaved_secrets)
        ctx.fail_if_not_persistent(service.secrets, f"the imported node(s) {names}")
    return 0 if report.ok else 1
