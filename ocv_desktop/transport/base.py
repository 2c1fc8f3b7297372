"""What every command transport (SSH, local) offers, so providers do not care which one runs.

Remote commands are **argv lists**; transports join them with ``shlex.join`` and never format a
user value into a shell string. Secrets travel on stdin (``input=``), never in argv.

Beside commands, a runner may offer ``DirectAccess``: reading small files and connecting to unix
sockets on the node *without starting a process there* (over SSH: one SFTP session per connection
and forwarded unix sockets; on this computer: the filesystem and sockets themselves). Frequent,
read-only questions (the health check every 30 s) use it; everything else runs commands.
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


@dataclass(frozen=True, slots=True)
class DiskSpace:
    """A filesystem's size, as ``df`` shows it (statvfs): bytes in all, and bytes an unprivileged
    user may still write (``df``'s "Available", which leaves out the blocks reserved for root)."""

    total: int
    available: int


class ByteReader(Protocol):
    async def read(self, n: int = -1) -> bytes: ...


class ByteWriter(Protocol):
    def write(self, data: bytes) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class DirectAccess(Protocol):
    """What a runner may offer besides commands: questions the node answers without a process.

    Every call raises ``Unsupported`` when this road does not work on the node (no SFTP subsystem,
    a file that cannot be read, no unix sockets on this system), so the caller can ask with a
    command instead; ``ConnectError``/``Timeout`` as ``run`` does when the node is unreachable."""

    @property
    def connection_id(self) -> int:
        """Changes whenever the runner's connection is replaced (a reconnect): facts learned about
        the node for one connection (which socket a daemon listens on) are learned again."""
        ...

    async def read_small_files(self, paths: Sequence[str], *, timeout: float) -> tuple[bytes, ...]:
        """Each file's content from ONE read of at most ``SMALL_FILE_LIMIT`` bytes: meant for
        /proc and /sys files (which report size 0 and hand out their content in one read)."""
        ...

    async def disk_space(self, path: str, *, timeout: float) -> DiskSpace: ...

    async def open_unix_socket(self, path: str, *, timeout: float) -> tuple[ByteReader, ByteWriter]:
        """A byte stream to the unix socket ``path`` on the node, opened with the SSH user's own
        rights (never sudo's). Raises ``ConnectError`` when it cannot be opened (no such socket,
        no permission, forwarding disabled: SSH servers do not say which)."""
        ...


SMALL_FILE_LIMIT = 65536


def direct_access(runner: CommandRunner | None) -> DirectAccess | None:
    """The runner's ``DirectAccess``, or None when it only runs commands."""
    return runner if isinstance(runner, DirectAccess) else None
