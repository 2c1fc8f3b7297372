"""``python -m tests.lab up|down [--home DIR]``: the lab for manual use (see tests/lab/manual.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.lab import manual
from tests.lab.system import LabError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lab", description="the ocv-desktop test lab, by hand")
    parser.add_argument("command", choices=("up", "down", "serve"))
    parser.add_argument("--home", type=Path, default=manual.DEFAULT_HOME, help="app home dir to write the nodes to")
    parser.add_argument("--hosts", default=",".join(manual.ALL_HOSTS), help="comma-separated subset of hosts")
    args = parser.parse_args(argv)
    home = args.home.expanduser().resolve()
    hosts = tuple(h for h in args.hosts.split(",") if h)
    unknown = set(hosts) - set(manual.ALL_HOSTS)
    if unknown:
        parser.error(f"unknown hosts: {sorted(unknown)}")
    try:
        if args.command == "up":
            return manual.up(home, hosts)
        if args.command == "down":
            return manual.down(home)
        return manual.serve(home, hosts)
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
