"""The argument parser, assembled from the command modules of this package.

Adding commands: create ``cli/<group>.py`` with ``register(subparsers)`` that adds parsers and
binds each to its function with ``set_defaults(handler=func)``. Modules are found automatically
(no list to edit); ``ORDER`` (an int, default 100) sorts them in ``--help``. A command that
belongs under an existing group (``nodes enroll``) gets that group's subparsers with
``command_group(subparsers, "nodes", ...)``. Keep module-level imports light (the parser is
built for every run, ``--version`` included): import providers inside the command function.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Any, TypeAlias

from ocv_desktop import __version__
from ocv_desktop.cli.context import PROG, UsageError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line and exit status 2, via main()
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # generic for mypy only


def command_group(subparsers: SubParsers, name: str, help: str) -> SubParsers:
    """The sub-command list of group ``name`` (``ocv-desktop nodes ...``), created on first use,
    so several modules can add commands to one group."""
    groups: dict[str, SubParsers] = subparsers.__dict__.setdefault("_ocv_groups", {})
    if name not in groups:
        group = subparsers.add_parser(name, help=help, description=help)
        groups[name] = group.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)
    return groups[name]


def command_modules() -> list[Any]:
    from ocv_desktop import cli

    modules = []
    for info in pkgutil.iter_modules(cli.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{cli.__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="Desktop console for Docker, LXD, Incus and Proxmox VE nodes. "
        "Without a command it opens the main window.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="folder with config.yaml, known_hosts, certs/ and logs/ "
        "(default: $OCV_DESKTOP_HOME, else the user config folder)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log progress to stderr (-vv: debug, with tracebacks)"
    )
    parser.set_defaults(handler=None)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in command_modules():
        module.register(subparsers)
    return parser
