"""A console on this computer through a local pseudo-terminal (``ConsoleChannel``, POSIX only).

For nodes that are "this computer" (``LocalSession``): ``docker exec -it``/``incus exec -t`` or
the user's own shell run on a pty pair made here. The child starts a new session and takes the
pty as its controlling terminal (so job control and SIGWINCH work); the master side is read
through the event loop's ``add_reader`` (qasync supports it), never by a blocking read.

``close()`` hangs up like a terminal window does: SIGHUP to the child's process group, SIGKILL
if it is still there ``KILL_AFTER`` seconds later, then the master is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import pty
import signal
import struct
import termios
from collections.abc import Sequence

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.transport.commands import SUDO_PREFIX, check_argv, extend_path
from ocv_desktop.transport.console import TermSize
from ocv_desktop.transport.pty import TERM_TYPE

log = logging.getLogger(__name__)

READ_CHUNK = 65536
KILL_AFTER = 3.0


def _set_size(fd: int, size: TermSize) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size.rows, size.cols, 0, 0))


def _take_terminal() -> None:  # pragma: no cover - runs in the child between fork and exec
    """The child is a session leader already (start_new_session): its stdin pty becomes its
    controlling terminal, so ^C, job control and SIGWINCH reach it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def login_shell() -> list[str]:
    """This user's shell as a login shell (``$SHELL``, else /bin/sh)."""
    shell = os.environ.get("SHELL") or "/bin/sh"
    return [shell, "-l"]


class LocalConsole:
    def __init__(self, process: asyncio.subprocess.Process, master: int, title: str) -> None:
        self._process = process
        self._master = master
        self._title = title
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._pending = b""  # written but not yet taken by the pty (a big paste)
        self._ended = False
        self._closed = False
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(master, self._readable)

    @property
    def title(self) -> str:
        return self._title

    @property
    def exit_status(self) -> int | None:
        code = self._process.returncode
        return code if code is not None and code >= 0 else None

    def _readable(self) -> None:
        try:
            data = os.read(self._master, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError as exc:  # EIO: every process holding the slave side is gone
            if exc.errno != errno.EIO:
                log.info("console %s: read failed: %s", self._title, exc)
            data = b""
        if not data:
            self._stop_reading()
        self._chunks.put_nowait(data)

    def _stop_reading(self) -> None:
        if not self._ended:
            self._ended = True
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._master)
                self._loop.remove_writer(self._master)

    async def read(self) -> bytes:
        if self._ended and self._chunks.empty():
            return b""
        data = await self._chunks.get()
        if not data:
            self._chunks.put_nowait(b"")  # every later read says "ended" too
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KILL_AFTER):
                    await self._process.wait()  # for exit_status
        return data

    def write(self, data: bytes) -> None:
        if self._ended or self._closed or not data:
            return
        self._pending += data
        self._flush()

    def _flush(self) -> None:
        try:
            while self._pending:
                n = os.write(self._master, self._pending)
                self._pending = self._pending[n:]
        except BlockingIOError:
            self._loop.add_writer(self._master, self._flush)
            return
        except OSError as exc:
            log.info("console %s: write failed: %s", self._title, exc)
            self._pending = b""
        with contextlib.suppress(Exception):
            self._loop.remove_writer(self._master)

    async def resize(self, size: TermSize) -> None:
        if self._ended or self._closed:
            return
        with contextlib.suppress(OSError):
            _set_size(self._master, size)  # the kernel sends SIGWINCH to the foreground group

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._signal(signal.SIGHUP)
        try:
            async with asyncio.timeout(KILL_AFTER):
                await self._process.wait()
        except TimeoutError:
            self._signal(signal.SIGKILL)
            await self._process.wait()
        self._stop_reading()
        self._chunks.put_nowait(b"")
        with contextlib.suppress(OSError):
            os.close(self._master)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, sig)


async def open_local_pty(argv: Sequence[str] | None, size: TermSize, *, title: str, sudo: bool) -> LocalConsole:
    command = login_shell() if argv is None else list(check_argv(argv))
    if sudo and argv is not None:
        command = [*SUDO_PREFIX, *command]
    env = dict(os.environ)
    env["PATH"] = extend_path(env.get("PATH", ""))
    env["TERM"] = TERM_TYPE
    master, slave = pty.openpty()
    try:
        _set_size(slave, size)
        os.set_blocking(master, False)
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=_take_terminal,
        )
    except FileNotFoundError:
        os.close(master)
        raise Unsupported(f"{command[0]} is not installed on this computer") from None
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)  # the child has its own copy; ours would keep the pty from ever ending
    return LocalConsole(process, master, title)
