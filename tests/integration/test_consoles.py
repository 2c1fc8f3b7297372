"""Interactive consoles (transport/pty.py roads) against the lab's real sshd, dockerd and incusd:
the node's shell over an SSH PTY, docker exec and incus exec over it, and a local pty."""

from __future__ import annotations

import asyncio
import re

import pytest

from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeSecrets
from ocv_desktop.providers.base import ProviderContext
from ocv_desktop.providers.docker.provider import DockerProvider
from ocv_desktop.providers.lxd_family.incus import IncusProvider
from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.transport.local import LocalSession
from ocv_desktop.transport.ssh import SshSession
from tests.proc_view import cmdlines, gone

pytestmark = pytest.mark.lab


class Reader:
    """Collects a channel's output in the background."""

    def __init__(self, channel: ConsoleChannel) -> None:
        self.channel = channel
        self.data = b""
        self.ended = asyncio.Event()
        self._task = asyncio.ensure_future(self._pump())

    async def _pump(self) -> None:
        while chunk := await self.channel.read():
            self.data += chunk
        self.ended.set()

    async def wait_for(self, pattern: bytes, timeout: float = 20.0) -> re.Match[bytes]:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    found = re.search(pattern, self.data)
                    if found:
                        return found
                    await asyncio.sleep(0.02)
        except TimeoutError:
            raise AssertionError(f"{pattern!r} not in {self.data!r}") from None

    async def run(self, line: str, pattern: bytes, timeout: float = 20.0) -> re.Match[bytes]:
        self.data = b""
        self.channel.write(line.encode() + b"\r")
        return await self.wait_for(pattern, timeout)


async def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not gone(pid):  # noqa: ASYNC110 - a process elsewhere, nothing to await
            await asyncio.sleep(0.05)


@pytest.fixture
def ssh_home(lab_home, lab_ssh):
    lab_home.ensure()
    lab_home.known_hosts.write_text(lab_ssh.host_key_line + "\n")
    return lab_home


async def test_node_shell_over_ssh_echoes_resizes_and_ends_on_close(lab_ssh, ssh_home) -> None:
    node = lab_ssh.node_config(username=lab_ssh.user, auth=AuthMethod.PASSWORD, key_path=None)
    secrets = NodeSecrets(ssh_password=lab_ssh.user_password)
    session = SshSession(node, secrets, known_hosts=ssh_home.known_hosts)
    try:
        channel = await session.open_pty(None, TermSize(100, 30), title="t", use_sudo=False)
        # No secret in any argv while the session is open (ours, ssh's, sshd's, the shell's).
        assert not any(lab_ssh.user_password.encode() in c for c in cmdlines())
        reader = Reader(channel)
        assert (await reader.run("echo $((6*7))", rb"[\r\n ]42\r\n")) is not None
        assert (await reader.run("stty size", rb"[\r\n ]30 100\r\n")) is not None
        await channel.resize(TermSize(91, 17))
        assert (await reader.run("stty size", rb"[\r\n ]17 91\r\n")) is not None
        pid = int((await reader.run("echo PID=$$", rb"PID=(\d+)\r\n")).group(1))
        assert not gone(pid)
        await channel.close()
        await _wait_gone(pid)  # the remote shell is gone (PIDs are shared with the lab's namespaces)
        assert await channel.read() == b""
        await channel.close()  # twice is fine
        # The slot came back: commands still run, and another console opens.
        assert (await session.run(["true"])).ok
        again = await session.open_pty(None, TermSize(), title="t2", use_sudo=False)
        await again.close()
    finally:
        await session.close()


async def test_remote_exit_ends_the_channel_with_its_status(lab_ssh, ssh_home) -> None:
    session = SshSession(lab_ssh.node_config(), NodeSecrets(), known_hosts=ssh_home.known_hosts)
    try:
        channel = await session.open_pty(None, TermSize(), title="t", use_sudo=False)
        reader = Reader(channel)
        channel.write(b"exit 3\r")
        async with asyncio.timeout(20):
            await reader.ended.wait()
        assert channel.exit_status == 3
        assert await channel.read() == b""
        await channel.close()
    finally:
        await session.close()


async def test_local_pty_echoes_resizes_and_ends_on_close() -> None:
    runner = LocalSession()
    channel = await runner.open_pty(["sh"], TermSize(80, 24), title="local")
    reader = Reader(channel)
    assert (await reader.run("echo $((6*7))", rb"[\r\n ]42\r\n")) is not None
    await channel.resize(TermSize(120, 40))
    assert (await reader.run("stty size", rb"[\r\n ]40 120\r\n")) is not None
    pid = int((await reader.run("echo PID=$$", rb"PID=(\d+)\r\n")).group(1))
    await channel.close()
    await _wait_gone(pid)
    assert await channel.read() == b""


async def test_docker_exec_console_and_close_ends_the_exec(lab, lab_docker, lab_home) -> None:
    lab_home.ensure()
    lab_home.known_hosts.write_text(lab_docker.ssh.host_key_line + "\n")
    name = lab.unique_name("con")
    proc = lab_docker.docker("run", "-d", "--name", name, "lab/busybox:1.35", "sleep", "600")
    assert proc.returncode == 0, proc.stderr
    provider = DockerProvider(ProviderContext(home=lab_home))
    await provider.connect(lab_docker.node_config(), NodeSecrets())
    try:
        before = lab_docker.docker("top", name).stdout
        channel = await provider.open_console(name, TermSize(70, 20))
        reader = Reader(channel)
        assert (await reader.run("echo $((6*7))", rb"[\r\n ]42\r\n")) is not None
        assert (await reader.run("stty size", rb"[\r\n ]20 70\r\n")) is not None
        await channel.resize(TermSize(75, 21))
        assert (await reader.run("stty size", rb"[\r\n ]21 75\r\n")) is not None
        assert "sh" in lab_docker.docker("top", name).stdout.replace(before, "")
        await channel.close()
        async with asyncio.timeout(15):
            while len(lab_docker.docker("top", name).stdout.splitlines()) > len(before.splitlines()):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        await provider.disconnect()
        lab_docker.docker("rm", "-f", name)


async def test_incus_exec_console_over_ssh_and_close_ends_the_exec(lab, lab_incus, lab_home) -> None:
    lab_home.ensure()
    lab_home.known_hosts.write_text(lab_incus.ssh.host_key_line + "\n")
    name = lab.unique_name("con")
    lab_incus.cli_ok("launch", "busybox", name)
    provider = IncusProvider(ProviderContext(home=lab_home))
    await provider.connect(lab_incus.node_config(execution_rule=ExecutionRule.SSH_ONLY), NodeSecrets())
    try:
        channel = await provider.open_console(name, TermSize(60, 15))
        reader = Reader(channel)
        assert (await reader.run("echo $((6*7))", rb"[\r\n ]42\r\n")) is not None
        assert (await reader.run("stty size", rb"[\r\n ]15 60\r\n")) is not None
        pid = int((await reader.run("echo PID=$$", rb"PID=(\d+)\r\n")).group(1))
        await channel.close()
        async with asyncio.timeout(15):  # the shell inside the container is gone too
            while lab_incus.cli("exec", name, "--", "kill", "-0", str(pid)).returncode == 0:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        await provider.disconnect()
        lab_incus.cli("delete", "--force", name)


async def test_proxmox_container_console_is_pct_enter_over_ssh_and_a_vm_gets_termproxy(lab_pve, lab_home) -> None:
    from ocv_desktop.providers.proxmox.provider import ProxmoxProvider

    fake = lab_pve.fake
    taken = {vm.vmid for vm in fake.vms} | {ct.vmid for ct in fake.cts}
    free = (i for i in range(7000, 999999) if i not in taken)
    ct, vm = next(free), next(free)
    fake.add_ct(ct, f"ct{ct}", status="running")
    fake.add_vm(vm, f"vm{vm}", status="running")
    lab_home.ensure()
    lab_home.known_hosts.write_text(lab_pve.ssh.host_key_line + "\n")
    provider = ProxmoxProvider(ProviderContext(home=lab_home))
    await provider.connect(lab_pve.node_config(), NodeSecrets(api_token_secret=lab_pve.token_secret))
    try:
        lab_pve.clear_shim_calls()
        channel = await provider.open_console(str(ct), TermSize(80, 24))
        reader = Reader(channel)
        async with asyncio.timeout(20):
            await reader.ended.wait()  # the lab's pct shim has no `enter`: it says so and exits 2
        assert ["pct", "enter", str(ct)] in [call["argv"][:3] for call in lab_pve.shim_calls()]
        assert channel.exit_status == 2
        await channel.close()
        # a VM's serial port has no SSH road: termproxy over the API, with no pct call
        lab_pve.clear_shim_calls()
        serial = await provider.open_console(str(vm), TermSize(80, 24))
        try:
            assert serial.title.endswith("(serial)")
            assert lab_pve.shim_calls() == []
        finally:
            await serial.close()
    finally:
        await provider.disconnect()
