"""SshSession against the lab's real OpenSSH sshd (each in its own network namespace)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync

from ocv_desktop.core.errors import (
    AuthError,
    ConnectError,
    HostKeyChanged,
    HostKeyUnknown,
    RemoteError,
    Timeout,
)
from ocv_desktop.core.models import AuthMethod, NodeConfig, NodeSecrets
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.known_hosts import recorded_host_keys, trust_host_key
from ocv_desktop.transport.runner import open_command_runner
from ocv_desktop.transport.ssh import SshSession, fetch_host_key
from tests.lab.lab import Lab
from tests.lab.ssh_host import SshHost
from tests.qt_loops import qasync_loop

pytestmark = pytest.mark.lab

SECRET = "p'a\"s s$HOME \\ back\\\\slash `id` $(id) ünï 密码\ttab\n"


@pytest.fixture
def spare(lab: Lab) -> Iterator[SshHost]:
    """A throwaway host this test may restart, re-key or black-hole."""
    host = lab.new_ssh_host()
    try:
        yield host
    finally:
        lab.remove_ssh_host(host)


def trusted(home: Home, host: SshHost) -> Home:
    trust_host_key(home.known_hosts, host.address, host.port, host.host_key_line)
    return home


def root_session(host: SshHost, home: Home, **kw: object) -> SshSession:
    return SshSession(host.node_config(), NodeSecrets(), known_hosts=home.known_hosts, **kw)  # type: ignore[arg-type]


def user_node(host: SshHost, **overrides: object) -> NodeConfig:
    return host.node_config(username=host.user, **overrides)


def processes_in_netns(netns: str) -> list[list[str]]:
    """Command lines of the processes living in this network namespace (PIDs are shared with the host)."""
    target = os.stat(f"/run/netns/{netns}").st_ino
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}/ns/net").st_ino != target:
                continue
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        found.append([a.decode(errors="replace") for a in cmdline.split(b"\0") if a])
    return found


# --- host keys ----------------------------------------------------------------------------------


async def test_unknown_host_key_is_refused_with_its_fingerprint(lab_ssh: SshHost, lab_home: Home) -> None:
    logins = lab_ssh.count_logins()
    session = root_session(lab_ssh, lab_home)
    with pytest.raises(HostKeyUnknown) as info:
        await session.run(["true"])
    err = info.value
    assert (err.host, err.port) == (lab_ssh.address, 22)
    assert err.key_type == lab_ssh.host_key_type == "ssh-ed25519"
    assert err.fingerprint == lab_ssh.host_key_fingerprint
    assert lab_ssh.host_key_fingerprint in str(err)
    assert lab_ssh.count_logins() == logins  # never authenticated to an unverified host
    assert lab_home.known_hosts.read_text() == ""
    await session.close()


async def test_fetch_then_trust_then_connect(lab_ssh: SshHost, lab_home: Home) -> None:
    info = await fetch_host_key(lab_ssh.address, lab_ssh.port, timeout=10)
    assert info.key_type == lab_ssh.host_key_type
    assert info.fingerprint == lab_ssh.host_key_fingerprint
    recorded = trust_host_key(lab_home.known_hosts, lab_ssh.address, lab_ssh.port, info.openssh_line)
    assert recorded == info
    assert lab_home.known_hosts.read_text() == lab_ssh.host_key_line + "\n"
    async with root_session(lab_ssh, lab_home) as session:
        result = await session.run(["id", "-un"])
    assert result.out == "root\n"


async def test_changed_host_key_is_refused_also_on_reconnect(spare: SshHost, lab_home: Home) -> None:
    trusted(lab_home, spare)
    old = spare.host_key_fingerprint
    session = root_session(spare, lab_home)
    assert (await session.run(["true"])).ok
    new = spare.replace_host_key()  # sshd restarted with a new key; our connection dropped
    assert new != old
    with pytest.raises(HostKeyChanged) as info:
        await session.run(["true"])  # the transparent reconnect verifies the key again
    assert info.value.fingerprint == new
    assert info.value.expected_fingerprint == old
    with pytest.raises(HostKeyChanged):
        await root_session(spare, lab_home).run(["true"])
    # Nothing recorded the new key behind the user's back.
    assert [k.get_fingerprint("sha256") for k in recorded_host_keys(lab_home.known_hosts, spare.address, 22)] == [old]
    await session.close()


async def test_a_revoked_host_key_is_refused_even_where_it_is_trusted(lab_ssh: SshHost, lab_home: Home) -> None:
    trusted(lab_home, lab_ssh)
    logins = lab_ssh.count_logins()
    key_type, key_b64 = lab_ssh.host_key_line.split()[1:3]
    with lab_home.known_hosts.open("a") as fh:
        fh.write(f"@revoked * {key_type} {key_b64}\n")  # as a user adds it by hand (OpenSSH syntax)
    with pytest.raises(ConnectError, match="revoked") as info:
        await root_session(lab_ssh, lab_home).run(["true"])
    assert not isinstance(info.value, HostKeyUnknown)  # never offered for trust again
    assert lab_ssh.host_key_fingerprint in str(info.value)
    assert lab_ssh.count_logins() == logins  # refused before authenticating


async def test_an_address_no_packet_can_go_to_says_what_it_means(lab_home: Home) -> None:
    # A link-local IPv6 address without its interface: connect() fails with EINVAL at once, and
    # nothing leaves this computer.
    node = NodeConfig(name="unroutable", type="docker", host="fe80::1", port=22, auth=AuthMethod.PASSWORD)
    session = SshSession(node, NodeSecrets(ssh_password="x"), known_hosts=lab_home.known_hosts, connect_timeout=5)
    with pytest.raises(ConnectError) as info:
        await session.run(["true"])
    message = str(info.value)
    assert "fe80::1:22" in message and "cannot send to that address" in message and "interface" in message


# --- authentication -------------------------------------------------------------------------------


async def test_key_auth_as_root(lab_ssh: SshHost, lab_home: Home) -> None:
    async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as session:
        assert (await session.run(["id", "-u"])).out == "0\n"
        assert session.description == f"root@{lab_ssh.address}:22"


async def test_password_auth_for_the_unprivileged_user(lab_ssh: SshHost, lab_home: Home) -> None:
    node = user_node(lab_ssh, auth=AuthMethod.PASSWORD, key_path=None)
    async with SshSession(
        node, NodeSecrets(ssh_password=lab_ssh.user_password), known_hosts=trusted(lab_home, lab_ssh).known_hosts
    ) as s:
        assert (await s.run(["id", "-un"])).out.strip() == lab_ssh.user
    bad = SshSession(node, NodeSecrets(ssh_password="wrong"), known_hosts=lab_home.known_hosts)
    with pytest.raises(AuthError, match="refused the SSH login"):
        await bad.run(["true"])
    with pytest.raises(AuthError, match="no SSH password"):
        await SshSession(node, NodeSecrets(), known_hosts=lab_home.known_hosts).run(["true"])


async def test_key_with_passphrase(lab_ssh: SshHost, lab_home: Home) -> None:
    trusted(lab_home, lab_ssh)
    node = user_node(lab_ssh, auth=AuthMethod.KEY, key_path=str(lab_ssh.user_key))
    good = NodeSecrets(key_passphrase=lab_ssh.user_key_passphrase)
    async with SshSession(node, good, known_hosts=lab_home.known_hosts) as s:
        assert (await s.run(["id", "-un"])).out.strip() == lab_ssh.user
    for secrets in (NodeSecrets(), NodeSecrets(key_passphrase="nope")):
        with pytest.raises(AuthError, match="cannot open the SSH key"):
            await SshSession(node, secrets, known_hosts=lab_home.known_hosts).run(["true"])
    missing = node.replace(key_path=str(lab_ssh.user_key) + ".missing")
    with pytest.raises(AuthError, match="does not exist"):
        await SshSession(missing, good, known_hosts=lab_home.known_hosts).run(["true"])


async def test_agent_auth(lab_ssh: SshHost, lab_home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    node = lab_ssh.node_config(auth=AuthMethod.AGENT, key_path=None)
    trusted(lab_home, lab_ssh)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(lab_ssh.agent_socket))
    async with SshSession(node, NodeSecrets(), known_hosts=lab_home.known_hosts) as s:
        assert (await s.run(["id", "-un"])).out == "root\n"
    monkeypatch.delenv("SSH_AUTH_SOCK")
    with pytest.raises(AuthError, match="SSH_AUTH_SOCK"):
        await SshSession(node, NodeSecrets(), known_hosts=lab_home.known_hosts).run(["true"])


async def test_sudo_for_the_unprivileged_user(lab_ssh: SshHost, lab_home: Home) -> None:
    node = user_node(lab_ssh, auth=AuthMethod.PASSWORD, use_sudo=True)
    secrets = NodeSecrets(ssh_password=lab_ssh.user_password)
    async with SshSession(node, secrets, known_hosts=trusted(lab_home, lab_ssh).known_hosts) as s:
        assert (await s.run(["id", "-u"])).out == "0\n"
        # stdin reaches the command through sudo too
        assert (await s.run(["cat"], input=SECRET.encode())).stdout == SECRET.encode()
    plain = SshSession(node.replace(use_sudo=False), secrets, known_hosts=lab_home.known_hosts)
    assert (await plain.run(["id", "-u"])).out.strip() != "0"
    await plain.close()


# --- running commands -------------------------------------------------------------------------------


async def test_exit_codes_and_separate_stderr(lab_ssh: SshHost, lab_home: Home) -> None:
    async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as s:
        result = await s.run(["sh", "-c", "echo out; echo err >&2; exit 7"], check=False)
        assert (result.exit_status, result.stdout, result.stderr) == (7, b"out\n", b"err\n")
        with pytest.raises(RemoteError) as info:
            await s.run(["sh", "-c", "echo out; echo 'it broke' >&2; exit 7"])
        assert info.value.exit_code == 7
        assert info.value.stderr == "it broke"
        assert "`sh -c" in str(info.value)
        missing = await s.run(["no-such-command-ocv"], check=False)
        assert missing.exit_status == 127


async def test_stdin_round_trip_of_a_secret(lab_ssh: SshHost, lab_home: Home) -> None:
    async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as s:
        assert (await s.run(["cat"], input=SECRET.encode())).stdout == SECRET.encode()
        big = os.urandom(3 * 1024 * 1024)
        assert (await s.run(["cat"], input=big, timeout=60)).stdout == big
        # No input: stdin is at EOF at once (a reading command does not hang).
        assert (await s.run(["cat"], timeout=10)).stdout == b""
        # stderr echoing the secret is redacted in the error message.
        with pytest.raises(RemoteError) as info:
            await s.run(["sh", "-c", "cat >&2; exit 1"], input=SECRET.encode(), secrets=[SECRET])
        assert SECRET not in str(info.value)
        assert "***" in str(info.value)


async def test_arguments_reach_the_command_verbatim(lab_ssh: SshHost, lab_home: Home) -> None:
    args = ["a'b", 'c"d', "$(id)", "`id`", "; echo hi", "x\\y", "sp ace", "ünï 密码", "", "-n", "*"]
    async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as s:
        out = (await s.run(["printf", "[%s]\\n", *args])).out
    assert out.splitlines() == [f"[{a}]" for a in args]


async def test_remote_path_keeps_the_host_path_first(lab_pve, lab_home: Home) -> None:
    # The PVE stand-in's sshd puts its shims on PATH (SetEnv) ahead of the system dirs; our extra
    # dirs are appended after whatever the host's session PATH is (root's ~/.bashrc may add more:
    # Debian's bash reads it for ssh commands), so the shims still win.
    host = lab_pve.ssh
    shims = str(lab_pve.shim_dir)
    async with root_session(host, trusted(lab_home, host)) as s:
        path = (await s.run(["sh", "-c", 'echo "$PATH"'])).out.strip().split(":")
        found = (await s.run(["sh", "-c", "command -v pveversion"])).out.strip()
        version = (await s.run(["pveversion"])).out
    assert path.index(shims) < path.index("/usr/bin")
    assert path[-1] == "/snap/bin"
    assert found == f"{shims}/pveversion"
    assert version.startswith("pve-manager/")


async def test_stdout_lines_stream_while_the_command_runs(lab_ssh: SshHost, lab_home: Home, tmp_path: Path) -> None:
    # The remote command prints its second line only after our callback has seen the first (the lab's
    # sshd shares this machine's file system): lines buffered until the end would run into the timeout.
    seen: list[str] = []
    flag = tmp_path / "seen-first"

    def on_line(line: str) -> None:
        seen.append(line)
        flag.touch()

    script = "echo 'layer 1: pulling'; while [ ! -e \"$0\" ]; do sleep 0.05; done; printf 'layer 2: done'"
    async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as s:
        await s.run(["sh", "-c", script, str(flag)], on_stdout_line=on_line, timeout=30)
    assert seen == ["layer 1: pulling", "layer 2: done"]


async def test_timeout_kills_the_remote_command(spare: SshHost, lab_home: Home) -> None:
    async with root_session(spare, trusted(lab_home, spare)) as s:
        with pytest.raises(Timeout) as info:  # (without the timeout, run returns after 30 s: no raise)
            await s.run(["sleep", "30"], timeout=1)
        assert "`sleep 30`" in str(info.value)
        assert info.value.seconds == 1
        assert not [p for p in processes_in_netns(spare.netns) if "sleep" in p]
        assert (await s.run(["true"])).ok  # the session is still usable


async def test_fifty_concurrent_commands_share_one_connection(spare: SshHost, lab_home: Home) -> None:
    before, logins = spare.count_connections(), spare.count_logins()
    async with root_session(spare, trusted(lab_home, spare)) as s:
        results = await asyncio.gather(
            *(s.run(["sh", "-c", 'sleep 0.2; echo "$1"', "sh", str(i)], timeout=60) for i in range(50))
        )
    assert [r.out.strip() for r in results] == [str(i) for i in range(50)]
    assert spare.count_connections() - before == 1
    assert spare.count_logins() - logins == 1


async def test_reconnects_once_after_sshd_restart(spare: SshHost, lab_home: Home) -> None:
    async with root_session(spare, trusted(lab_home, spare)) as s:
        # Logins, not TCP connections: the lab's readiness probe after a restart connects too.
        before = spare.count_logins()
        assert (await s.run(["true"])).ok
        assert spare.count_logins() == before + 1
        spare.restart_sshd()  # new sshd PID; the open connection is dropped
        await asyncio.sleep(0.2)
        assert (await s.run(["echo", "again"])).out == "again\n"
        assert (await s.run(["echo", "still"])).out == "still\n"
        assert spare.count_logins() == before + 2


async def test_a_command_cut_off_by_a_dropped_connection_is_not_rerun(
    spare: SshHost, lab_home: Home, tmp_path: Path
) -> None:
    marker = tmp_path / "runs"
    async with root_session(spare, trusted(lab_home, spare)) as s:
        task = asyncio.ensure_future(s.run(["sh", "-c", f"echo run >> {marker}; sleep 5"], timeout=30))
        async with asyncio.timeout(10):
            while not marker.exists():  # noqa: ASYNC110 - a file on disk, nothing to await
                await asyncio.sleep(0.05)
        spare.drop_connections()
        with pytest.raises(ConnectError, match="lost while"):
            await task
        assert marker.read_text() == "run\n"
        assert (await s.run(["true"])).ok  # the next call reconnects


async def test_refused_and_unreachable(spare: SshHost, lab_home: Home) -> None:
    trusted(lab_home, spare)
    spare.stop_sshd()
    with pytest.raises(ConnectError, match="refused") as info:
        await root_session(spare, lab_home).run(["true"])
    assert spare.address in str(info.value)
    spare.start_sshd()
    spare.blackhole(True)
    try:
        with pytest.raises(Timeout, match=spare.address) as info:
            await root_session(spare, lab_home, connect_timeout=1.0).run(["true"])
        assert info.value.seconds == 1.0  # cut at the connect timeout, not a later one
    finally:
        spare.blackhole(False)


async def test_runner_factory_gives_an_ssh_session(lab_ssh: SshHost, lab_home: Home) -> None:
    runner = open_command_runner(lab_ssh.node_config(), NodeSecrets(), trusted(lab_home, lab_ssh))
    assert isinstance(runner, CommandRunner)
    assert isinstance(runner, SshSession)
    assert (await runner.run(["hostname"])).ok
    await runner.close()


def test_runs_on_the_qasync_loop(qapp, lab_ssh: SshHost, lab_home: Home) -> None:
    async def scenario() -> list[str]:
        assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
        async with root_session(lab_ssh, trusted(lab_home, lab_ssh)) as s:
            results = await asyncio.gather(*(s.run(["echo", str(i)]) for i in range(5)))
            return [r.out.strip() for r in results]

    with qasync_loop(qapp) as loop:
        assert loop.run_until_complete(scenario()) == ["0", "1", "2", "3", "4"]
