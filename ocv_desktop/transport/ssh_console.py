"""A console over an SSH PTY channel (``ConsoleChannel``; the rules are in ``console.py``).

The channel is one session channel on the node's existing connection (``SshSession.open_pty``),
opened with a ``pty-req`` (``xterm-256color``, the widget's size) and then either ``shell`` (the
user's login shell) or ``exec`` of one command line built from an argv with ``shlex.join``.
Output arrives as bytes (``encoding=None``); stderr is the same terminal, so it is merged.

Ending it: OpenSSH refuses "signal" requests for root sessions, so ``close()`` closes the channel.
sshd then closes the PTY master, and the kernel sends SIGHUP to the session's processes (the
shell, or ``docker exec``/``incus exec``/``pct enter``, which pass the end on to their side).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncssh

from ocv_desktop.transport.console import TermSize

log = logging.getLogger(__name__)

READ_CHUNK = 65536
CLOSE_GRACE = 5.0  # seconds we wait for the server to confirm the channel closed


class SshConsole:
    """One interactive program on the node, over an SSH PTY channel."""

    def __init__(
        self,
        process: asyncssh.SSHClientProcess[bytes],
        title: str,
        *,
        on_closed: Callable[[], None] | None = None,
    ) -> None:
        self._process = process
        self._title = title
        self._ended = False
        self._closed = False
        self._on_closed = on_closed

    @property
    def title(self) -> str:
        return self._title

    @property
    def exit_status(self) -> int | None:
        status = self._process.exit_status
        return None if status is None or status < 0 else status

    async def read(self) -> bytes:
        if self._ended:
            return b""
        try:
            data = await self._process.stdout.read(READ_CHUNK)
        except (asyncssh.Error, OSError) as exc:
            log.info("console %s ended: %s", self._title, exc)
            data = b""
        if not data:
            # sshd sends EOF before the exit-status message and the channel close: wait for the
            # close, so exit_status is known by the time the end is reported.
            with contextlib.suppress(TimeoutError, asyncssh.Error, OSError):
                async with asyncio.timeout(CLOSE_GRACE):
                    await self._process.wait_closed()
            self._ended = True
            self._release()
        return data

    def write(self, data: bytes) -> None:
        if self._ended or self._closed or not data:
            return
        try:
            self._process.stdin.write(data)
        except (asyncssh.Error, OSError, BrokenPipeError) as exc:
            log.info("console %s: write failed: %s", self._title, exc)

    async def resize(self, size: TermSize) -> None:
        if self._ended or self._closed:
            return
        try:
            self._process.change_terminal_size(size.cols, size.rows)
        except (asyncssh.Error, OSError) as exc:
            log.info("console %s: resize failed: %s", self._title, exc)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._process.close()
        try:
            async with asyncio.timeout(CLOSE_GRACE):
                await self._process.wait_closed()
        except TimeoutError:
            log.warning("console %s: the server did not confirm the close", self._title)
        except (asyncssh.Error, OSError):
            pass  # the connection is gone: so is the channel
        self._ended = True
        self._release()

    def _release(self) -> None:
        """Give the session slot back to the runner (once)."""
        callback, self._on_closed = self._on_closed, None
        if callback is not None:
            callback()
