"""What every command transport (SSH, local) offers, so providers do not care which one runs.

Remote commands are **argv lists**; transports join them with ``shlex.join`` and never format a
user value into a shell string. Secrets travel on stdin (``input=``), never in argv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class CommandResult:
    argv: tuple[str, ...]
    exit_status: int | None  # None when killed by a signal
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


LineCallback = Callable[[str], None]


@runtime_checkable
class CommandRunner(Protocol):
    """``run`` raises ``RemoteError`` on a non-zero exit unless ``check=False``, ``Timeout`` when
    the time limit passes (the channel or process is killed), ``ConnectError``/``AuthError``/
    ``HostKeyError`` when the target cannot be reached."""

    @property
    def description(self) -> str:
        """Where commands run, for messages: ``root@10.77.0.2:22`` or ``this computer``."""
        ...

    async def run(
        self,
        argv: Sequence[str],
        *,
        input: bytes | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        check: bool = True,
        on_stdout_line: LineCallback | None = None,
        secrets: Sequence[str] = (),
    ) -> CommandResult:
        """``secrets``: values to redact from error messages (they are never in argv anyway,
        but stderr may echo stdin)."""
        ...

    async def close(self) -> None: ...
