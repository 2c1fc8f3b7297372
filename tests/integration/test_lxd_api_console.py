"""A shell in an LXD/Incus instance over the API (providers/lxd_family/console_ws.py), against the
lab's real incusd 6.0 and LXD 5.0: the interactive exec websocket with ``interactive: true``.

What the shell did is read from the console's own output; what happened on the server (the shell
process gone after close) is checked with the lab's CLI, never through the provider.
"""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from ocv_desktop.core.models import ExecutionRule, NodeSecrets
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.lxd_family.console_ws import LxdApiConsole
from ocv_desktop.providers.lxd_family.incus import IncusProvider
from ocv_desktop.providers.lxd_family.lxd import LxdProvider
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from tests.contract import lxd_spec

pytestmark = [pytest.mark.lab]

PROVIDERS = {"incus": IncusProvider, "lxd": LxdProvider}
READ_LIMIT = 30.0  # a bound on a wait that should take well under a second, not a measurement


@pytest.fixture(params=["incus", "lxd"])
def host(request):
    return request.getfixturevalue(f"lab_{request.param}")


@pytest.fixture
def home(lab_home, host):
    lab_home.ensure()
    lab_home.known_hosts.write_text(host.ssh.host_key_line + "\n")
    return lab_home


@pytest.fixture
async def provider(host, home):
    """An api_only provider; every API exchange it makes is checked against the official spec."""
    p = PROVIDERS[host.flavour](ProviderContext(home=home, operation_timeout=120))
    await p.connect(host.node_config(execution_rule=ExecutionRule.API_ONLY), NodeSecrets())
    recorder = lxd_spec.Recorder()
    recorder.attach(p._api.client)
    yield p
    await p.disconnect()
    assert any(e.path.endswith("/exec") for e in recorder.exchanges)
    if lxd_spec.specs_available():
        problems = lxd_spec.check_exchanges(host.flavour, recorder.exchanges)
        assert not problems, "\n".join(problems)


@pytest.fixture
def running(lab, host):
    """A running busybox container (busybox sh, no bash: the shell command's fallback road)."""
    name = lab.unique_name("con")
    host.cli_ok("launch", "busybox", name)
    yield name
    host.cli("delete", "--force", name)


async def read_until(console: ConsoleChannel, pattern: str) -> str:
    """Output until ``pattern`` (a regex) matches it; the whole output so far."""
    out = b""
    async with asyncio.timeout(READ_LIMIT):
        while not re.search(pattern, out.decode(errors="replace")):
            chunk = await console.read()
            assert chunk, f"the console ended before {pattern!r} appeared; output: {out!r}"
            out += chunk
    return out.decode(errors="replace")


async def read_to_end(console: ConsoleChannel) -> bytes:
    out = b""
    async with asyncio.timeout(READ_LIMIT):
        while chunk := await console.read():
            out += chunk
    return out


async def shell_pid(console: ConsoleChannel) -> int:
    console.write(b"echo PID=$$=\r")
    return int(re.findall(r"PID=(\d+)=", await read_until(console, r"PID=\d+="))[-1])


def alive_in(host, name: str, pid: int) -> bool:
    return host.cli("exec", name, "--", "test", "-d", f"/proc/{pid}").returncode == 0


async def test_echo_resize_and_close_ends_the_shell(provider, host, running):
    console = await provider.open_console(running, TermSize(80, 24))
    try:
        assert running in console.title
        console.write(b"echo $((6*7))\r")
        assert "42" in await read_until(console, r"\b42\b")

        console.write(b"stty size\r")
        assert "24 80" in await read_until(console, r"\b24 80\b")
        await console.resize(TermSize(cols=100, rows=30))
        console.write(b"stty size\r")
        assert "30 100" in await read_until(console, r"\b30 100\b")

        pid = await shell_pid(console)
        assert alive_in(host, running, pid)
    finally:
        await console.close()
    # The shell is gone on the server, not just our end of the websocket.
    assert not alive_in(host, running, pid)
    assert console.exit_status is not None  # the exec operation ended and said how
    assert await console.read() == b""
    await console.close()  # a second close is harmless


async def test_the_shell_ending_by_itself_ends_the_stream_with_its_status(provider, running):
    console = await provider.open_console(running, TermSize(80, 24))
    try:
        await shell_pid(console)  # the shell is up and reading
        console.write(b"exit 3\r")
        await read_to_end(console)
        assert console.exit_status == 3
        assert await console.read() == b""  # and stays ended
    finally:
        await console.close()


async def test_utf8_passes_through_as_bytes(provider, running):
    console = await provider.open_console(running, TermSize(80, 24))
    try:
        console.write("echo 中文=ok\r".encode())
        out = await read_until(console, r"\n中文=ok")
        assert "中文=ok" in out
    finally:
        await console.close()


async def test_a_node_with_ssh_opens_the_console_over_its_cli(host, home, running):
    """With a shell road the console is ``incus exec -t`` / ``lxc exec -t`` over it (the SSH
    roads' own tests live in test_consoles.py); the API road is for nodes without one."""
    p = PROVIDERS[host.flavour](ProviderContext(home=home))
    await p.connect(host.node_config(execution_rule=ExecutionRule.SSH_ONLY), NodeSecrets())
    try:
        console = await p.open_console(running, TermSize(80, 24))
        try:
            assert not isinstance(console, LxdApiConsole)
            console.write(b"echo $((6*7))\r")
            await read_until(console, r"\b42\b")
        finally:
            await console.close()
    finally:
        await p.disconnect()


async def test_keystrokes_are_never_logged(provider, running, caplog):
    caplog.set_level(logging.DEBUG)  # everything, as the app's debug switch would
    console = await provider.open_console(running, TermSize(80, 24))
    try:
        console.write(b"echo typed-secret-$((1+1))\r")  # what a password typed at a prompt would be
        await read_until(console, r"typed-secret-2")
    finally:
        await console.close()
    assert caplog.records, "nothing was logged at all: the check would prove nothing"
    assert "typed-secret" not in caplog.text


async def test_close_while_the_widget_is_reading(provider, host, running):
    """The terminal widget always has a read() pending; closing the tab must still end the shell
    and end that read."""
    console = await provider.open_console(running, TermSize(80, 24))
    pid = await shell_pid(console)
    reader = asyncio.ensure_future(read_to_end(console))
    await asyncio.sleep(0)  # the reader is now waiting in read()
    await console.close()
    async with asyncio.timeout(READ_LIMIT):
        await reader  # it saw the end
    assert await console.read() == b""
    assert not alive_in(host, running, pid)
