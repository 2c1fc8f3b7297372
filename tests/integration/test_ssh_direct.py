"""SshSession's DirectAccess against the lab's real OpenSSH sshd: files over one SFTP session per
connection (Debian's stock sftp-server), statvfs, unix sockets through direct-streamlocal, and what
happens where the server offers none of it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocv_desktop.core.errors import ConnectError, Timeout, Unsupported
from ocv_desktop.core.models import NodeSecrets
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import DirectAccess, direct_access
from ocv_desktop.transport.known_hosts import trust_host_key
from ocv_desktop.transport.ssh import SshSession
from ocv_desktop.transport.stream_http import http_get
from tests.lab import system
from tests.lab.lab import Lab
from tests.lab.ssh_host import SFTP_SERVER, SshHost

pytestmark = pytest.mark.lab

PROC = ["/proc/meminfo", "/proc/loadavg", "/sys/devices/system/cpu/online"]


@pytest.fixture
def no_sftp(lab: Lab) -> Iterator[SshHost]:
    """A host whose sshd offers neither an SFTP subsystem nor unix-socket forwarding."""
    host = lab.new_ssh_host(sshd_options={"Subsystem": None, "AllowStreamLocalForwarding": "no"})
    try:
        yield host
    finally:
        lab.remove_ssh_host(host)


@pytest.fixture
def spare(lab: Lab) -> Iterator[SshHost]:
    host = lab.new_ssh_host()
    try:
        yield host
    finally:
        lab.remove_ssh_host(host)


def session(host: SshHost, home: Home) -> SshSession:
    trust_host_key(home.known_hosts, host.address, host.port, host.host_key_line)
    return SshSession(host.node_config(), NodeSecrets(), known_hosts=home.known_hosts)


def sftp_servers(host: SshHost) -> list[int]:
    return [pid for pid in system.netns_pids(host.netns) if _exe(pid) == SFTP_SERVER]


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


async def test_proc_files_come_fresh_from_one_sftp_session(lab_ssh: SshHost, lab_home: Home) -> None:
    ssh = session(lab_ssh, lab_home)
    try:
        assert direct_access(ssh) is ssh and isinstance(ssh, DirectAccess)
        sessions = lab_ssh.count_sessions()
        meminfo, loadavg, cpus = await ssh.read_small_files(PROC, timeout=10)
        # /proc files report size 0, yet their content arrives (one read of a kept handle)
        assert meminfo.splitlines()[0] == Path("/proc/meminfo").read_bytes().splitlines()[0]  # shared kernel
        assert len(loadavg.split()) == 5 and cpus == Path("/sys/devices/system/cpu/online").read_bytes()
        # the kernel generates the file anew for each read at offset 0: uptime moves on
        (first,) = await ssh.read_small_files(["/proc/uptime"], timeout=10)
        await asyncio.sleep(0.3)
        (second,) = await ssh.read_small_files(["/proc/uptime"], timeout=10)
        assert float(second.split()[0]) > float(first.split()[0])
        for _ in range(5):
            await asyncio.gather(*(ssh.read_small_files(PROC, timeout=10) for _ in range(4)))
        # one SFTP session (one sftp-server) for all of it, and nothing else started on the node
        assert lab_ssh.count_sessions() - sessions == 1
        assert len(sftp_servers(lab_ssh)) == 1
    finally:
        await ssh.close()
    system.wait_until(lambda: not sftp_servers(lab_ssh), timeout=5, what="sftp-server to end with the connection")


async def test_disk_space_is_statvfs(lab_ssh: SshHost, lab_home: Home) -> None:
    async with session(lab_ssh, lab_home) as ssh:
        space = await ssh.disk_space("/", timeout=10)
    st = os.statvfs("/")  # the lab's namespaces share this machine's filesystem
    assert space.total == st.f_blocks * st.f_frsize
    assert abs(space.available - st.f_bavail * st.f_frsize) < 64 * 1024 * 1024


async def test_commands_and_the_sftp_session_share_the_session_slots(spare: SshHost, lab_home: Home) -> None:
    # MaxSessions 10: eight commands at a time, the SFTP session, and reads going on meanwhile
    async with session(spare, lab_home) as ssh:
        results = await asyncio.gather(
            *(ssh.run(["sh", "-c", f"sleep 0.2; echo {i}"]) for i in range(30)),
            *(ssh.read_small_files(PROC, timeout=20) for _ in range(10)),
        )
    assert [r.out for r in results[:30]] == [f"{i}\n" for i in range(30)]  # type: ignore[union-attr]
    assert all(meminfo.startswith(b"MemTotal:") for meminfo, *_ in results[30:])  # type: ignore[misc]


async def test_a_server_without_sftp_or_forwarding_says_unsupported_once_per_connection(
    no_sftp: SshHost, lab_home: Home
) -> None:
    async with session(no_sftp, lab_home) as ssh:
        for _ in range(3):
            with pytest.raises(Unsupported, match="offers no SFTP subsystem"):
                await ssh.read_small_files(PROC, timeout=10)
            with pytest.raises(Unsupported, match="offers no SFTP subsystem"):
                await ssh.disk_space("/", timeout=10)
        with pytest.raises(ConnectError, match=r"cannot open the unix socket /run/x\.sock on root@10\.77"):
            await ssh.open_unix_socket("/run/x.sock", timeout=10)
        assert (await ssh.run(["echo", "commands still run"])).out == "commands still run\n"
    log = no_sftp.sshd_log()
    assert log.count("subsystem request for sftp by user root failed") == 1  # asked once, remembered
    assert "refused streamlocal port forward" in log


async def test_a_new_connection_gets_a_new_sftp_session(spare: SshHost, lab_home: Home) -> None:
    async with session(spare, lab_home) as ssh:
        await ssh.read_small_files(PROC, timeout=10)
        first = ssh.connection_id
        spare.restart_sshd()  # drops the connection and its sftp-server
        meminfo, *_ = await ssh.read_small_files(PROC, timeout=10)  # reconnects once, transparently
        assert meminfo.startswith(b"MemTotal:") and ssh.connection_id == first + 1
        assert len(sftp_servers(spare)) == 1
    assert spare.sshd_log().count("Starting session: subsystem 'sftp'") == 2


async def test_an_sftp_server_that_died_alone_is_replaced_on_the_same_connection(
    spare: SshHost, lab_home: Home
) -> None:
    connections = spare.count_connections()
    async with session(spare, lab_home) as ssh:
        await ssh.read_small_files(PROC, timeout=10)
        (pid,) = sftp_servers(spare)
        system.kill_pid(pid, system.start_time(pid), timeout=5)
        meminfo, *_ = await ssh.read_small_files(PROC, timeout=10)
        assert meminfo.startswith(b"MemTotal:")
        assert ssh.connection_id == 1 and spare.count_connections() - connections == 1
        assert len(sftp_servers(spare)) == 1
    assert spare.sshd_log().count("Starting session: subsystem 'sftp'") == 2


async def test_a_timed_out_start_is_joined_by_the_next_call_not_repeated(spare: SshHost, lab_home: Home) -> None:
    async with session(spare, lab_home) as ssh:
        await ssh.run(["true"])  # connected
        spare.blackhole(True)
        try:
            with pytest.raises(Timeout, match=r"over SFTP on root@10\.77"):
                await ssh.read_small_files(PROC, timeout=1)
        finally:
            spare.blackhole(False)
        # TCP retransmits what the black hole swallowed; the pending start completes and is reused
        meminfo, *_ = await ssh.read_small_files(PROC, timeout=20)
        assert meminfo.startswith(b"MemTotal:")
        assert len(sftp_servers(spare)) == 1
    assert spare.sshd_log().count("Starting session: subsystem 'sftp'") == 1


async def test_unix_socket_forwarding_reaches_the_docker_daemon(lab_docker, lab_home: Home) -> None:
    async with session(lab_docker.ssh, lab_home) as ssh:
        sessions = lab_docker.ssh.count_sessions()
        reader, writer = await ssh.open_unix_socket(str(lab_docker.socket), timeout=10)
        response = await asyncio.wait_for(http_get(reader, writer, "/version", host="docker"), 10)
        assert response.status == 200 and b'"ApiVersion"' in response.body
        with pytest.raises(ConnectError, match=r"cannot open the unix socket /no/such\.sock"):
            await ssh.open_unix_socket("/no/such.sock", timeout=10)
        assert lab_docker.ssh.count_sessions() == sessions  # forwarding starts no process
