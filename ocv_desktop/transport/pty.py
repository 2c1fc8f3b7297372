"""Interactive PTY consoles on a node's command runner (the "CLI roads" to a shell).

A runner that can give a program a terminal implements ``PtyRunner.open_pty``: the SSH session
(an SSH PTY channel on the node's one connection, ``ssh_console.py``) and the local runner (a
local pseudo-terminal, ``local_console.py``). ``argv=None`` is the login shell of the node's user;
an argv (``docker exec -it ...``) is run the way ``run`` runs commands (``shlex.join``, sudo when
the node uses it), but with a terminal and without a time limit.

Callers ask ``pty_runner(runner)`` rather than ``isinstance`` so the reason a runner cannot open a
console is said in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.transport.console import ConsoleChannel, TermSize

TERM_TYPE = "xterm-256color"  # what the widget emulates (pyte: xterm + 256 colours)


@runtime_checkable
class PtyRunner(Protocol):
    @property
    def description(self) -> str: ...

    async def open_pty(
        self, argv: Sequence[str] | None, size: TermSize, *, title: str, use_sudo: bool = True
    ) -> ConsoleChannel:
        """Run ``argv`` (None: the user's login shell) on the node with a terminal of ``size``.
        ``use_sudo=False`` never prefixes sudo (a node shell is the user's own)."""
        ...


def as_pty_runner(runner: object | None) -> PtyRunner | None:
    """``runner`` when it can open terminals (an SSH or local runner), else None."""
    return runner if isinstance(runner, PtyRunner) else None


def pty_runner(runner: object | None, where: str) -> PtyRunner:
    """``runner`` as a PtyRunner, or Unsupported saying why there is no terminal road."""
    if runner is None:
        raise Unsupported(f"{where} has no SSH access, so no terminal can be opened on it", hint="add SSH credentials")
    if not isinstance(runner, PtyRunner):
        raise Unsupported(f"the connection to {where} cannot open a terminal")
    return runner
