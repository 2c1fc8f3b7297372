"""LocalSession: real local processes, on the default asyncio loop and on qasync's QEventLoop."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from ocv_desktop.core.errors import ConnectError, RemoteError, Timeout, Unsupported
from ocv_desktop.core.models import NodeConfig, NodeSecrets, Platform
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import CommandRunner, DirectAccess
from ocv_desktop.transport.local import LocalSession
from ocv_desktop.transport.runner import open_command_runner
from tests.qt_loops import qasync_loop

SECRET = "p'a\"s s$HOME \\ back\\\\slash `id` ünï 密码\n"


@pytest.fixture(params=["asyncio-subprocess", "worker-thread"])
def local(request: pytest.FixtureRequest) -> LocalSession:
    return LocalSession(force_thread=request.param == "worker-thread")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def test_output_exit_code_and_stderr(local: LocalSession) -> None:
    result = await local.run(["sh", "-c", "echo out; echo err >&2; exit 5"], check=False)
    assert (result.exit_status, result.stdout, result.stderr) == (5, b"out\n", b"err\n")
    with pytest.raises(RemoteError) as info:
        await local.run(["sh", "-c", "echo 'no such thing' >&2; exit 3"])
    assert info.value.exit_code == 3
    assert "no such thing" in str(info.value)
    assert local.description == "this computer"


async def test_stdin_round_trip(local: LocalSession) -> None:
    assert (await local.run(["cat"], input=SECRET.encode())).stdout == SECRET.encode()
    big = os.urandom(2 * 1024 * 1024)
    assert (await local.run(["cat"], input=big)).stdout == big
    assert (await local.run(["cat"], timeout=10)).stdout == b""


async def test_missing_command_reports_127(local: LocalSession) -> None:
    result = await local.run(["no-such-command-ocv"], check=False)
    assert result.exit_status == 127
    assert b"no-such-command-ocv" in result.stderr
    with pytest.raises(RemoteError):
        await local.run(["no-such-command-ocv"])


async def test_path_is_extended(local: LocalSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    path = (await local.run(["sh", "-c", 'echo "$PATH"'])).out.strip().split(":")
    assert path[:2] == ["/usr/bin", "/bin"]
    assert "/usr/sbin" in path
    assert path[-1] == "/snap/bin"


async def test_timeout_ends_the_command_and_its_children(local: LocalSession, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    with pytest.raises(Timeout) as info:  # (without the timeout, run returns after 30 s: no raise)
        await local.run(["sh", "-c", f"sleep 30 & echo $! > {pids}; echo $$ >> {pids}; wait"], timeout=1)
    assert "`sh -c" in str(info.value) and info.value.seconds == 1
    for pid in map(int, pids.read_text().split()):
        assert not alive(pid), pid


async def test_streams_lines(tmp_path: Path) -> None:
    # The command prints "second" only after our callback has seen "first": if lines were buffered
    # until the command ended, it would wait until its timeout instead.
    seen: list[str] = []
    flag = tmp_path / "seen-first"

    def on_line(line: str) -> None:
        seen.append(line)
        flag.touch()

    local = LocalSession()
    script = 'echo first; while [ ! -e "$0" ]; do sleep 0.05; done; echo second'
    await local.run(["sh", "-c", script, str(flag)], on_stdout_line=on_line, timeout=30)
    assert seen == ["first", "second"]


async def test_runner_factory_gives_a_local_session(tmp_path: Path) -> None:
    node = NodeConfig(name="me", type=Platform.DOCKER, host="localhost", local=True)
    runner = open_command_runner(node, NodeSecrets(), Home(tmp_path))
    assert isinstance(runner, LocalSession)
    assert isinstance(runner, CommandRunner)
    assert (await runner.run(["true"])).ok
    await runner.close()


# --- DirectAccess: no process ---------------------------------------------------------------------


async def test_direct_access_reads_files_and_sizes_without_a_command() -> None:
    local = LocalSession()
    assert isinstance(local, DirectAccess) and local.connection_id == 0
    meminfo, loadavg = await local.read_small_files(["/proc/meminfo", "/proc/loadavg"], timeout=5)
    assert meminfo.startswith(b"MemTotal:") and len(loadavg.split()) == 5
    with pytest.raises(Unsupported, match="cannot read /no/such/file on this computer"):
        await local.read_small_files(["/proc/loadavg", "/no/such/file"], timeout=5)
    space = await local.disk_space("/", timeout=5)
    st = os.statvfs("/")
    assert space.total == st.f_blocks * st.f_frsize
    assert abs(space.available - st.f_bavail * st.f_frsize) < 64 * 1024 * 1024


async def test_direct_access_opens_unix_sockets() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        writer.close()

    folder = Path(tempfile.mkdtemp(prefix="ocv-sock-"))  # short: unix socket paths stop at 107 bytes
    server = await asyncio.start_unix_server(echo, str(folder / "echo.sock"))
    try:
        reader, writer = await LocalSession().open_unix_socket(str(folder / "echo.sock"), timeout=5)
        writer.write(b"ping\n")
        await writer.drain()
        assert await reader.read(100) == b"ping\n"
        writer.close()
        with pytest.raises(ConnectError, match=r"cannot open the unix socket .*missing\.sock on this computer"):
            await LocalSession().open_unix_socket(str(folder / "missing.sock"), timeout=5)
    finally:
        server.close()
        await server.wait_closed()
        (folder / "echo.sock").unlink(missing_ok=True)
        folder.rmdir()


# --- on the qasync loop (the GUI's loop) -----------------------------------------------------------


@pytest.fixture
def qloop(qapp: Any) -> Iterator[Callable[[Awaitable[Any]], Any]]:
    with qasync_loop(qapp) as loop:
        yield loop.run_until_complete


@pytest.mark.parametrize("force_thread", [False, True], ids=["asyncio-subprocess", "worker-thread"])
def test_works_on_the_qasync_loop(qloop: Callable[[Awaitable[Any]], Any], force_thread: bool) -> None:
    local = LocalSession(force_thread=force_thread)
    lines: list[str] = []

    async def scenario() -> None:
        assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
        result = await local.run(["cat"], input=SECRET.encode(), on_stdout_line=lines.append)
        assert result.stdout == SECRET.encode()
        many = await asyncio.gather(*(local.run(["echo", str(i)]) for i in range(10)))
        assert [r.out.strip() for r in many] == [str(i) for i in range(10)]
        with pytest.raises(Timeout) as info:
            await local.run(["sleep", "30"], timeout=0.5)
        assert info.value.seconds == 0.5

    qloop(scenario())
    assert lines == SECRET.splitlines()
