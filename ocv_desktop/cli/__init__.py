"""The command line: ``ocv-desktop [--home DIR] [-v] COMMAND ...``; no command opens the GUI.

Exit status: 0 success; 1 an expected failure (an OcvError: one clear message on stderr, no
traceback); 2 a usage error; 130 interrupted (Ctrl+C). How to add commands: see ``cli/parser.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from ocv_desktop.cli.context import PROG, Context, GuiFace, UsageError
from ocv_desktop.cli.output import terminal_safe
from ocv_desktop.cli.parser import build_parser
from ocv_desktop.core.errors import OcvError
from ocv_desktop.store.home import resolve_home

__all__ = ["Context", "UsageError", "main"]


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Always writes to the current ``sys.stderr`` (tests swap it between runs)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def _setup_logging(verbosity: int) -> None:
    logger = logging.getLogger("ocv_desktop")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity == 1 else logging.WARNING)


def _utf8_streams() -> None:
    """Node names may be Chinese: never die on a console or pipe that is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def _error(message: str) -> None:
    # Messages quote node output (stderr tails, names): no raw escape sequences to the terminal.
    print(f"{PROG}: {terminal_safe(message, keep=chr(10) + chr(9))}", file=sys.stderr)


def main(argv: Sequence[str] | None = None, *, gui: GuiFace | None = None) -> int:
    """Run the command in ``argv``; without one, open ``gui`` (handed in by app.py, so that
    cli/ never imports ui/)."""
    _utf8_streams()
    args = argparse.Namespace(verbose=0)
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        window = _window_only(argv)  # no command: the window, without importing every command
        args = window if window is not None else build_parser().parse_args(argv)
        _setup_logging(args.verbose)
        home = resolve_home(args.home)
        if args.handler is None:
            return Context(home, gui).gui.run(home)
        result = args.handler(args, Context(home, gui))
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
        return int(result or 0)
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except (Exception, KeyboardInterrupt) as e:
        return _report(e, args.verbose)


def _window_only(argv: list[str]) -> argparse.Namespace | None:
    """The arguments when they only open the window (``[--home DIR] [-v...]``), else None (the
    full parser then reads them). Building the parser imports every command module (~100 ms
    before the first paint, issue 15); what it would make of these few options is spelled out
    here, and anything else goes to it."""
    args = argparse.Namespace(home=None, verbose=0, handler=None)
    rest = iter(argv)
    for arg in rest:
        if arg in ("-v", "--verbose"):
            args.verbose += 1
        elif arg.startswith("-v") and set(arg[1:]) == {"v"}:
            args.verbose += len(arg) - 1
        elif arg == "--home":
            args.home = next(rest, None)
            if args.home is None or args.home.startswith("-"):
                return None  # the parser says what is wrong
        elif arg.startswith("--home="):
            args.home = arg.removeprefix("--home=")
        else:
            return None
    return args


def _report(e: BaseException, verbose: int) -> int:
    """Show a failure the way its kind deserves; return the exit status."""
    status = 1
    if isinstance(e, UsageError):
        print(str(e) if str(e).startswith(PROG) else f"{PROG}: {e}", file=sys.stderr)
        status = 2
    elif isinstance(e, OcvError):
        _error(f"error: {e}")
    elif isinstance(e, KeyboardInterrupt):
        _error("interrupted")
        status = 130
    elif isinstance(e, BrokenPipeError):
        # the reader went away (`ocv-desktop nodes list | head -1`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    else:
        _error(f"internal error (a bug, please report it): {type(e).__name__}: {e}")
        if verbose < 2:
            _error("run with -vv to see the traceback")
    if verbose >= 2 and status == 1:
        traceback.print_exception(e)
    return status

