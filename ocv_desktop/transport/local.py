"""LocalSession: the CommandRunner for "this computer" (a local Docker, Incus or LXD without SSH).

Runs argv directly (no shell), with PATH extended by the admin dirs (a desktop session started from
a menu often lacks /usr/sbin or /snap/bin). Each command gets its own process group, so a timeout
ends the command and anything it started: TERM, then KILL 3 s later.

Event loops: asyncio subprocesses work on the default loop and on qasync's QEventLoop on Linux
(tested). Where a loop has no subprocess support (``NotImplementedError``, e.g. some Windows Qt
loops), the command runs in a worker thread instead; stdout lines are then delivered to
``on_stdout_line`` when the command has finished rather than as they arrive.

``DirectAccess`` (files, filesystem sizes, unix sockets without a command): ``local_direct.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence

from ocv_desktop.core.errors import Timeout, Unsupported, redact_argv
from ocv_desktop.transport import local_direct
from ocv_desktop.transport.base import DEFAULT_TIMEOUT, ByteReader, ByteWriter, CommandResult, DiskSpace, LineCallback
from ocv_desktop.transport.commands import SUDO_PREFIX, LineSplitter, check_argv, extend_path, raise_for_result
from ocv_desktop.transport.console import ConsoleChannel, TermSize

KILL_AFTER = 3.0
READ_CHUNK = 65536
NOT_FOUND_STATUS = 127  # what a shell reports for a missing command, so callers see the same as over SSH


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    if os.name == "posix":
        env["PATH"] = extend_path(env.get("PATH", ""))
    return env


def _signal_group(pid: int, sig: int) -> None:
    """Signal the command's process group; a group we may not signal (sudo) or one already gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.name == "posix":
            os.killpg(pid, sig)
        else:  # pragma: no cover - Windows has no process groups to signal
            os.kill(pid, sig)


class LocalSession:
    """The ``CommandRunner`` for this computer."""

    def __init__(self, *, use_sudo: bool = False, force_thread: bool = False) -> None:
        self._use_sudo = use_sudo
        # force_thread: use the worker-thread path even where asyncio subprocesses work (tests use it).
        self._force_thread = force_thread

    @property
    def description(self) -> str:
        return "this computer"

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
        args = check_argv(argv)
        shown = redact_argv(args, secrets)
        command = (*SUDO_PREFIX, *args) if self._use_sudo else args
        result = None
        if not self._force_thread:
            try:
                result = await self._run_async(
                    command, args, input=input, timeout=timeout, shown=shown, on_stdout_line=on_stdout_line
                )
            except NotImplementedError:
                result = None  # this loop cannot spawn subprocesses: fall back to a thread
        if result is None:
            result = await self._run_in_thread(
                command, args, input=input, timeout=timeout, shown=shown, on_stdout_line=on_stdout_line
            )
        if check:
            raise_for_result(result, shown=shown, where=self.description, use_sudo=self._use_sudo, secrets=secrets)
        return result

    async def close(self) -> None:
        """Nothing stays open between commands."""

    async def open_pty(
        self, argv: Sequence[str] | None, size: TermSize, *, title: str, use_sudo: bool = True
    ) -> ConsoleChannel:
        """A program (None: this user's login shell) on a local pseudo-terminal (transport/pty.py)."""
        if os.name != "posix":  # pragma: no cover - Windows has no pty module
            raise Unsupported("terminals on this computer need a POSIX system")
        from ocv_desktop.transport.local_console import open_local_pty

        return await open_local_pty(argv, size, title=title, sudo=self._use_sudo and use_sudo)

    # --- DirectAccess --------------------------------------------------------------------------

    @property
    def connection_id(self) -> int:
        return 0  # there is no connection to replace

    async def read_small_files(self, paths: Sequence[str], *, timeout: float) -> tuple[bytes, ...]:
        return await local_direct.read_small_files(paths, timeout=timeout)

    async def disk_space(self, path: str, *, timeout: float) -> DiskSpace:
        return await local_direct.disk_space(path, timeout=timeout)

    async def open_unix_socket(self, path: str, *, timeout: float) -> tuple[ByteReader, ByteWriter]:
        return await local_direct.open_unix_socket(path, timeout=timeout)

    async def _run_async(
        self,
        command: tuple[str, ...],
        args: tuple[str, ...],
        *,
        input: bytes | None,
        timeout: float,
        shown: str,
        on_stdout_line: LineCallback | None,
    ) -> CommandResult:
        try:
            proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=_environment(),
                start_new_session=os.name == "posix",
            )
        except FileNotFoundError:
            return _not_found(args, command[0])
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        stdout: list[bytes] = []
        stderr: list[bytes] = []
        splitter = LineSplitter(on_stdout_line)

        async def feed() -> None:
            assert proc.stdin is not None
            try:
                if input:
                    proc.stdin.write(input)
                    await proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass  # it exited without reading everything; the exit status says the rest
            finally:
                proc.stdin.close()

        async def pump(stream: asyncio.StreamReader, sink: list[bytes], lines: LineSplitter | None) -> None:
            while chunk := await stream.read(READ_CHUNK):
                sink.append(chunk)
                if lines is not None:
                    lines.feed(chunk)

        tasks = [
            asyncio.ensure_future(feed()),
            asyncio.ensure_future(pump(proc.stdout, stdout, splitter)),
            asyncio.ensure_future(pump(proc.stderr, stderr, None)),
        ]
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*tasks)
                await proc.wait()
        except TimeoutError:
            await self._stop(proc)
            raise Timeout(f"`{shown}` on {self.description}", timeout) from None
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if proc.returncode is None:  # an error in a callback, or we were cancelled
                await self._stop(proc)
        splitter.close()
        return _result(args, proc.returncode, b"".join(stdout), b"".join(stderr))

    @staticmethod
    async def _stop(proc: asyncio.subprocess.Process) -> None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(KILL_AFTER):
                await proc.wait()
        except TimeoutError:
            _signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()

    async def _run_in_thread(
        self,
        command: tuple[str, ...],
        args: tuple[str, ...],
        *,
        input: bytes | None,
        timeout: float,
        shown: str,
        on_stdout_line: LineCallback | None,
    ) -> CommandResult:
        def work() -> tuple[int | None, bytes, bytes] | None:
            try:
                proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=_environment(),
                    start_new_session=os.name == "posix",
                )
            except FileNotFoundError:
                return None
            try:
                out, err = proc.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(KILL_AFTER)
                except subprocess.TimeoutExpired:
                    _signal_group(proc.pid, signal.SIGKILL)
                    proc.wait()
                raise
            return proc.returncode, out, err

        try:
            outcome = await asyncio.to_thread(work)
        except subprocess.TimeoutExpired:
            raise Timeout(f"`{shown}` on {self.description}", timeout) from None
        if outcome is None:
            return _not_found(args, command[0])
        status, out, err = outcome
        splitter = LineSplitter(on_stdout_line)
        splitter.feed(out)
        splitter.close()
        return _result(args, status, out, err)


def _result(args: tuple[str, ...], returncode: int | None, stdout: bytes, stderr: bytes) -> CommandResult:
    # A negative return code means "killed by signal N": no exit status, as over SSH.
    status = returncode if returncode is not None and returncode >= 0 else None
    return CommandResult(argv=args, exit_status=status, stdout=stdout, stderr=stderr)


def _not_found(args: tuple[str, ...], program: str) -> CommandResult:
    return CommandResult(
        argv=args, exit_status=NOT_FOUND_STATUS, stdout=b"", stderr=f"{program}: command not found\n".encode()
    )
