"""The CLI roads into an instance's shell: the argv each platform's tool takes for an interactive
session, run over the node's PTY runner (transport/pty.py: an SSH PTY, or a local pty).

Every road starts the same shell choice inside the instance: bash when it has one, else sh (a
busybox or alpine container has only sh). The choice is a constant string; the only user value,
the instance id, is validated by the caller and checked here not to look like an option.

Ending the shell: closing our PTY hangs up ``docker exec``/``incus exec`` on the node, but not the
shell inside the instance: the instance's side of the terminal belongs to the daemon
(containerd-shim, incusd), which keeps it open (tested). So the shell is started with a marker in
its environment (``OCV_CONSOLE=<random id>``, inherited by everything it starts), and closing the
console runs ``HANGUP_SCRIPT`` in the instance, which sends SIGHUP (then SIGKILL) to exactly the
processes carrying that marker, as a terminal hang-up would.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable

from ocv_desktop.providers.base import refuse_option_like
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.console import ConsoleChannel, TermSize, WrappedConsole
from ocv_desktop.transport.pty import TERM_TYPE, pty_runner

log = logging.getLogger(__name__)

MARKER = "OCV_CONSOLE"
# sh -c with one constant script: a shell of the instance's own, bash preferred.
SHELL_CHOICE = ("sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash -l || exec sh -l")
# $1: the marker line ("OCV_CONSOLE=<id>"). Busybox and coreutils alike (tr, grep, kill, sleep).
HANGUP_SCRIPT = (
    'for sig in HUP KILL; do for d in /proc/[0-9]*; do p="${d#/proc/}"; [ "$p" = "$$" ] && continue; '
    'tr "\\000" "\\n" < "$d/environ" 2>/dev/null | grep -qx "$1" && kill -s "$sig" "$p" 2>/dev/null; done; '
    '[ "$sig" = HUP ] && sleep 1; done; true'
)
HANGUP_TIMEOUT = 20.0

def new_marker() -> str:
    return f"{MARKER}={secrets.token_hex(8)}"


def docker_exec_argv(container: str, marker: str) -> list[str]:
    # docker exec has no TERM of its own: without it bash and less fall back to a dumb terminal.
    ref = refuse_option_like(container, "container")
    return ["docker", "exec", "-it", "-e", f"TERM={TERM_TYPE}", "-e", marker, ref, *SHELL_CHOICE]


def docker_hangup_argv(container: str, marker: str) -> list[str]:
    return ["docker", "exec", refuse_option_like(container, "container"), "sh", "-c", HANGUP_SCRIPT, "sh", marker]


def lxd_exec_argv(binary: str, instance: str, marker: str) -> list[str]:
    # -t: a terminal even though we are not sure of ours (over SSH the client sees the PTY anyway).
    name = refuse_option_like(instance, "instance name")
    return [binary, "exec", name, "-t", f"--env={marker}", "--", *SHELL_CHOICE]


def lxd_hangup_argv(binary: str, instance: str, marker: str) -> list[str]:
    name = refuse_option_like(instance, "instance name")
    return [binary, "exec", name, "-T", "--", "sh", "-c", HANGUP_SCRIPT, "sh", marker]


def pct_enter_argv(vmid: str) -> list[str]:
    # lxc-attach (under pct enter) holds the container's terminal itself: our hang-up reaches it.
    return ["pct", "enter", refuse_option_like(vmid, "container id")]


class HangUpOnClose(WrappedConsole):
    """A console whose ``close()`` also runs ``hangup`` (the marker's processes in the instance)."""

    def __init__(self, inner: ConsoleChannel, hangup: Callable[[], Awaitable[object]]) -> None:
        super().__init__(inner)
        self._hangup: Callable[[], Awaitable[object]] | None = hangup

    async def close(self) -> None:
        await self._inner.close()
        hangup, self._hangup = self._hangup, None
        if hangup is None:
            return
        try:
            async with asyncio.timeout(HANGUP_TIMEOUT):
                await hangup()
        except Exception as exc:  # the instance stopped meanwhile, the node is gone: nothing to end
            log.info("ending the console %s in its instance: %s", self.title, exc)


async def open_cli_console(
    runner: CommandRunner | None,
    where: str,
    argv: list[str],
    size: TermSize,
    *,
    title: str,
    hangup: list[str] | None = None,
) -> ConsoleChannel:
    """``argv`` with a terminal on the node's runner; Unsupported when it has no PTY road.
    ``hangup``: a command run (without a terminal) on the node after the console is closed."""
    pty = pty_runner(runner, where)
    channel = await pty.open_pty(argv, size, title=title)
    if hangup is None:
        return channel
    assert runner is not None  # pty_runner said so

    async def end() -> object:
        return await runner.run(hangup, timeout=HANGUP_TIMEOUT, check=False)

    return HangUpOnClose(channel, end)
