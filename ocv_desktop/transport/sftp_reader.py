"""Small reads on a node over SFTP: one SFTP session per SSH connection, files kept open.

Why: the health check reads /proc/meminfo, /proc/loadavg and the online CPUs every 30 s on every
node. As a command that costs the node a login shell and a few processes each time; over SFTP it
costs one ``sftp-server`` per *connection* (OpenSSH starts it for the subsystem; ``internal-sftp``
not even that) and then only a read per file.

- The session is opened at first use and again for each new connection (``SshSession`` hands us
  its live connection; a different one means the old session died with its connection).
- Files are opened once per session and read again at offset 0 each time: the kernel generates
  /proc and /sys files anew for a read at offset 0 (``top`` and ``free`` read them the same way),
  and a read of a kept handle is ONE request (an open and a close would add two round trips).
- Opening (the session, a file) runs in a task of its own that a caller's timeout does not cancel:
  the next caller joins it, so a timed-out check never leaves a second ``sftp-server`` or an
  unclosed handle behind. A failure is remembered for that connection (no SFTP subsystem: the
  caller uses commands until the next connection).
- A read asks for at most ``SMALL_FILE_LIMIT`` bytes in one request (asyncssh's ``read(-1)`` would
  first ask for the size, which /proc files report as 0).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

import asyncssh

from ocv_desktop.core.errors import ConnectError, Unsupported
from ocv_desktop.transport.base import SMALL_FILE_LIMIT, DiskSpace
from ocv_desktop.transport.ssh_channels import open_when_free

T = TypeVar("T")


class SftpReader:
    """Reads small files and filesystem sizes of one SSH node; used by ``SshSession``."""

    def __init__(self, where: str) -> None:
        self._where = where
        self._conn: asyncssh.SSHClientConnection | None = None
        self._client: asyncio.Task[asyncssh.SFTPClient] | None = None
        self._files: dict[str, asyncio.Task[asyncssh.SFTPClientFile]] = {}

    async def read_small_files(self, conn: asyncssh.SSHClientConnection, paths: Sequence[str]) -> tuple[bytes, ...]:
        async def read(client: asyncssh.SFTPClient) -> tuple[bytes, ...]:
            files = await asyncio.gather(*(self._opened(client, path) for path in paths))
            return tuple(await asyncio.gather(*(self._read(path, f) for path, f in zip(paths, files, strict=True))))

        return await self._with_session(conn, read)

    async def disk_space(self, conn: asyncssh.SSHClientConnection, path: str) -> DiskSpace:
        async def statvfs(client: asyncssh.SFTPClient) -> DiskSpace:
            try:
                attrs = await client.statvfs(path)
            except asyncssh.SFTPOpUnsupported:
                raise Unsupported(f"the SFTP server on {self._where} cannot tell filesystem sizes (statvfs)") from None
            except asyncssh.SFTPError as exc:
                raise self._error(exc, f"statvfs {path}") from None
            unit = attrs.frsize or attrs.bsize
            return DiskSpace(total=attrs.blocks * unit, available=attrs.bavail * unit)

        return await self._with_session(conn, statvfs)

    def close(self) -> None:
        """Forget the session (its channel closes with the connection)."""
        client, self._client, self._conn = self._client, None, None
        for task in self._files.values():
            task.cancel()
        self._files.clear()
        if client is not None:
            if client.done() and not client.cancelled() and client.exception() is None:
                client.result().exit()
            client.cancel()

    # --- internals ---------------------------------------------------------------------------

    async def _with_session(
        self, conn: asyncssh.SSHClientConnection, work: Callable[[asyncssh.SFTPClient], Awaitable[T]]
    ) -> T:
        """``work(session)``; a session that ended under us (its channel closed, e.g. the
        connection dropped, or the sftp-server died) is forgotten, and on a live connection a new
        one is tried once. On a dead connection the error goes up: ``SshSession`` reconnects."""
        for attempt in (1, 2):
            client = await self._session(conn)
            try:
                return await work(client)
            except _SessionLost:
                self.close()
                if attempt == 2 or conn.is_closed():
                    raise
        raise AssertionError("unreachable")

    async def _session(self, conn: asyncssh.SSHClientConnection) -> asyncssh.SFTPClient:
        if conn is not self._conn or self._client is None or _failed_to_connect(self._client):
            self.close()
            self._conn = conn
            self._client = _background(self._start(conn), f"sftp:{self._where}")
        return await asyncio.shield(self._client)

    async def _start(self, conn: asyncssh.SSHClientConnection) -> asyncssh.SFTPClient:
        try:
            return await open_when_free(conn, conn.start_sftp_client)
        except asyncssh.ChannelOpenError as exc:
            if exc.code == asyncssh.OPEN_REQUEST_SESSION_FAILED:  # sshd: "subsystem not found"
                raise Unsupported(f"{self._where} offers no SFTP subsystem") from None
            raise ConnectError(f"cannot open an SFTP session on {self._where}: {exc.reason}") from None
        except asyncssh.SFTPError as exc:  # e.g. a login script that prints: the protocol breaks
            raise Unsupported(f"the SFTP session on {self._where} did not start: {exc.reason}") from None
        except (asyncssh.Error, OSError) as exc:
            raise ConnectError(f"the SSH connection to {self._where} failed: {exc}") from None

    async def _opened(self, client: asyncssh.SFTPClient, path: str) -> asyncssh.SFTPClientFile:
        task = self._files.get(path)
        if task is None or _failed_to_connect(task):
            task = self._files[path] = _background(self._open(client, path), f"sftp-open:{path}")
        return await asyncio.shield(task)

    async def _open(self, client: asyncssh.SFTPClient, path: str) -> asyncssh.SFTPClientFile:
        try:
            # block_size=0: a read is exactly one SFTP request (no follow-up requests to EOF).
            return await client.open(path, "rb", block_size=0)
        except asyncssh.SFTPError as exc:
            raise self._error(exc, f"open {path}") from None

    async def _read(self, path: str, file: asyncssh.SFTPClientFile) -> bytes:
        try:
            return await file.read(SMALL_FILE_LIMIT, 0)
        except asyncssh.SFTPError as exc:
            self._files.pop(path, None)  # opened again next time
            raise self._error(exc, f"read {path}") from None

    def _error(self, exc: asyncssh.SFTPError, what: str) -> ConnectError | Unsupported:
        if isinstance(exc, asyncssh.SFTPConnectionLost | asyncssh.SFTPNoConnection):
            return _SessionLost(f"the SFTP session on {self._where} ended during {what}: {exc.reason}")
        return Unsupported(f"SFTP {what} on {self._where} failed: {exc.reason}")


class _SessionLost(ConnectError):
    """The SFTP session's channel is gone (with its connection, or alone)."""


def _failed_to_connect(task: asyncio.Task[object]) -> bool:
    """A start or open that failed on the connection, not for good: worth another try. (What the
    server refused, ``Unsupported``, stays refused for this connection.)"""
    return task.done() and not task.cancelled() and isinstance(task.exception(), ConnectError)


def _background(coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
    """A task no caller's cancellation reaches (callers ``shield`` it); its failure is kept for the
    next caller and never reported as "exception was never retrieved"."""
    task = asyncio.get_running_loop().create_task(coro, name=name)

    def retrieved(done: asyncio.Task[T]) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            done.exception()

    task.add_done_callback(retrieved)
    return task
