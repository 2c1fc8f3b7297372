"""``ocv-desktop self-test``: build the main window (offscreen without a display), turn the event
loop, and report the Qt platform and the keyring in use. A quick check that an install works."""

from __future__ import annotations

import argparse

from ocv_desktop.cli.context import Context
from ocv_desktop.cli.output import print_json

ORDER = 90


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("self-test", help="check that the app, its window and the keyring work here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=self_test)


def self_test(args: argparse.Namespace, ctx: Context) -> int:
    result = ctx.gui.self_test(ctx.home)  # imports PySide6: only for this command
    window_ok = result["window"]["nodeTree"] and result["window"]["instanceTable"]
    if args.json:
        print_json({**result, "ok": window_ok})
        return 0 if window_ok else 1
    qt = result["qt"]
    secrets = result["secrets"]
    print(f"ocv-desktop {result['version']} self-test: {'OK' if window_ok else 'FAILED'}")
    print(f"home:     {result['home']}")
    print(f"config:   {result['config_file']} ({result['nodes']} nodes)")
    print(
        f"window:   built on Qt {qt['version']} (PySide6 {qt['pyside']}), platform {qt['platform']}, "
        f"loop {qt['event_loop']}; nodeTree {'found' if result['window']['nodeTree'] else 'MISSING'}, "
        f"instanceTable {'found' if result['window']['instanceTable'] else 'MISSING'}"
    )
    print(f"keyring:  {secrets['backend']}")
    if secrets["persistent"]:
        print("secrets:  saved in the system keyring")
    else:
        print(f"secrets:  NOT saved (memory only, this run): {secrets['reason']}")
    return 0 if window_ok else 1
