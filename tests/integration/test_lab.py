"""The lab itself: every host type comes up and answers, and the fault knobs do what CONTRACT.md says.

These use asyncssh/httpx/OpenSSH directly (not ocv_desktop.transport), so a lab bug and a transport
bug can never hide each other.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import asyncssh
import httpx
import pytest

from tests.lab.lab import Lab
from tests.lab.slots import leftovers, slot_owner_busy
from tests.lab.ssh_host import SshHost
from tests.lab.system import alive, cgroup_dirs, netns_list, netns_pids

pytestmark = pytest.mark.lab

SECRET = "p'a\"s s$HOME\\n`x` ünï 密码"


def pinned(host: SshHost) -> asyncssh.SSHKnownHosts:
    return asyncssh.import_known_hosts(host.host_key_line)


async def connect_root(host: SshHost, **kw: object) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        host.address,
        host.port,
        username="root",
        client_keys=[str(host.root_key)],
        known_hosts=pinned(host),
        agent_path=None,
        **kw,
    )


@pytest.fixture
def spare(lab: Lab) -> Iterator[SshHost]:
    host = lab.new_ssh_host()
    try:
        yield host
    finally:
        lab.remove_ssh_host(host)


# --------------------------------------------------------------------------------------------- sshd


def connect_user(host: SshHost) -> AbstractAsyncContextManager[asyncssh.SSHClientConnection]:
    """The lab's unprivileged user, by password (no key, no agent), host key pinned."""
    return asyncssh.connect(
        host.address,
        username=host.user,
        password=host.user_password,
        client_keys=None,
        agent_path=None,
        known_hosts=pinned(host),
    )


async def test_root_key_with_pinned_host_key(lab_ssh: SshHost) -> None:
    before = lab_ssh.count_connections()
    async with await connect_root(lab_ssh) as conn:
        result = await conn.run("echo $PATH; id -u", check=True)
    path, uid = result.stdout.split()
    assert "/usr/local/bin" in path.split(":")
    assert uid == "0"
    assert lab_ssh.count_connections() == before + 1
    assert lab_ssh.host_key_type == "ssh-ed25519"
    assert lab_ssh.host_key_fingerprint.startswith("SHA256:")


async def test_wrong_pinned_key_is_refused(lab_ssh: SshHost, spare: SshHost) -> None:
    # The spare host's key pinned for lab_ssh's address: asyncssh must refuse the real key.
    wrong = asyncssh.import_known_hosts(f"{lab_ssh.address} {spare.host_key_line.split(' ', 1)[1]}")
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await asyncssh.connect(lab_ssh.address, username="root", client_keys=[str(lab_ssh.root_key)], known_hosts=wrong)


async def test_user_password_login_sudo_and_docker_group(lab_ssh: SshHost) -> None:
    async with connect_user(lab_ssh) as conn:
        who = await conn.run("id -un; id -nG; sudo -n id -u", check=True)
    name, groups, sudo_uid = who.stdout.splitlines()
    assert name == lab_ssh.user
    assert "docker" in groups.split()
    assert sudo_uid == "0"


async def test_a_command_does_not_run_the_users_bashrc(lab_ssh: SshHost) -> None:
    """The lab's hosts share this machine's home folders: a command must not run the user's
    ~/.bashrc (root's runs `pyenv init`, which serialised 50 concurrent commands on a lock file)."""
    bashrc = Path(pwd.getpwnam(lab_ssh.user).pw_dir) / ".bashrc"
    saved = bashrc.read_bytes() if bashrc.exists() else None
    bashrc.write_text("export OCV_BASHRC_RAN=yes\n" + (saved or b"").decode())
    try:
        async with connect_user(lab_ssh) as conn:
            result = await conn.run('echo "${OCV_BASHRC_RAN:-no}"', check=True)
    finally:
        if saved is None:
            bashrc.unlink()
        else:
            bashrc.write_bytes(saved)
    assert result.stdout.strip() == "no"


async def test_user_password_wrong_is_refused(lab_ssh: SshHost) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        await asyncssh.connect(
            lab_ssh.address,
            username=lab_ssh.user,
            password=lab_ssh.user_password + "x",
            client_keys=None,
            agent_path=None,
            known_hosts=pinned(lab_ssh),
        )


def test_user_key_with_passphrase_openssh_client(lab_ssh: SshHost, tmp_path: Path) -> None:
    # OpenSSH's own client, fed the passphrase through SSH_ASKPASS: proves key, passphrase and
    # authorized_keys fit together without depending on asyncssh's bcrypt support.
    known = tmp_path / "known_hosts"
    known.write_text(lab_ssh.host_key_line + "\n")
    askpass = tmp_path / "askpass"
    askpass.write_text("#!/bin/sh\nprintf '%s\\n' \"$LAB_PASSPHRASE\"\n")
    askpass.chmod(0o700)
    env = {
        **os.environ,
        "SSH_ASKPASS": str(askpass),
        "SSH_ASKPASS_REQUIRE": "force",
        "LAB_PASSPHRASE": lab_ssh.user_key_passphrase,
        "DISPLAY": ":0",
    }
    env.pop("SSH_AUTH_SOCK", None)
    out = subprocess.run(
        [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(lab_ssh.user_key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            f"UserKnownHostsFile={known}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "PasswordAuthentication=no",
            "-o",
            "ConnectTimeout=10",
            f"{lab_ssh.user}@{lab_ssh.address}",
            "id -un",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == lab_ssh.user


async def test_agent_holds_root_key(lab_ssh: SshHost) -> None:
    async with asyncssh.connect(
        lab_ssh.address, username="root", agent_path=str(lab_ssh.agent_socket), known_hosts=pinned(lab_ssh)
    ) as conn:
        assert (await conn.run("echo agent", check=True)).stdout.strip() == "agent"


async def test_stdin_round_trip_of_a_secret(lab_ssh: SshHost) -> None:
    async with await connect_root(lab_ssh) as conn:
        result = await conn.run("cat", input=SECRET, check=True)
    assert result.stdout == SECRET


async def test_blackhole_makes_connects_time_out(spare: SshHost) -> None:
    spare.blackhole(True)
    # Our own timeout ends it (TimeoutError): a refused or reset connect would raise OSError at once.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(connect_root(spare), timeout=2)
    spare.blackhole(False)
    async with await connect_root(spare) as conn:
        assert (await conn.run("true")).exit_status == 0


async def test_restart_keeps_host_key_and_drops_connections(spare: SshHost) -> None:
    old_pid, old_fp = spare.sshd_pid, spare.host_key_fingerprint
    conn = await connect_root(spare)
    try:
        spare.restart_sshd()
        assert spare.sshd_pid not in (None, old_pid)
        assert spare.host_key_fingerprint == old_fp
        with pytest.raises((asyncssh.Error, OSError)):
            await asyncio.wait_for(conn.run("true", check=True), timeout=10)
    finally:
        conn.close()
    async with await connect_root(spare) as again:  # the same pinned key still verifies
        assert (await again.run("true")).exit_status == 0


async def test_stop_and_start_sshd(spare: SshHost) -> None:
    spare.stop_sshd()
    assert spare.sshd_pid is None
    with pytest.raises(ConnectionRefusedError):
        await connect_root(spare)
    spare.start_sshd()
    async with await connect_root(spare) as conn:
        assert (await conn.run("true")).exit_status == 0


async def test_replace_host_key_changes_fingerprint(spare: SshHost) -> None:
    old_line, old_fp = spare.host_key_line, spare.host_key_fingerprint
    new_fp = spare.replace_host_key()
    assert new_fp == spare.host_key_fingerprint != old_fp
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await asyncssh.connect(
            spare.address,
            username="root",
            client_keys=[str(spare.root_key)],
            known_hosts=asyncssh.import_known_hosts(old_line),
        )
    async with await connect_root(spare) as conn:
        assert (await conn.run("true")).exit_status == 0


# ------------------------------------------------------------------------------------------- docker


def test_docker_runs_busybox_and_debian(lab_docker) -> None:
    out = lab_docker.docker("run", "--rm", lab_docker.busybox, "sh", "-c", "echo hi; command -v chpasswd || echo none")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["hi", "none"]
    out = lab_docker.docker(
        "run", "--rm", lab_docker.debian, "sh", "-c", "command -v chpasswd; grep -c ^root: /etc/shadow"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["/usr/sbin/chpasswd", "1"]


def test_registry_serves_the_pushed_image(lab_docker) -> None:
    tags = httpx.get(f"http://{lab_docker.registry}/v2/lab/busybox/tags/list", timeout=10).json()
    assert tags == {"name": "lab/busybox", "tags": ["1.35"]}
    ref = lab_docker.registry_busybox
    lab_docker.docker("rmi", ref)  # other tests may have removed the local tag already: unchecked
    assert lab_docker.docker("image", "inspect", ref).returncode != 0
    lab_docker.docker_ok("pull", "--quiet", ref)
    assert lab_docker.docker("image", "inspect", ref).returncode == 0


async def test_remote_docker_cli_reaches_the_lab_daemon(lab_docker) -> None:
    name = f"lab-remote-{os.getpid()}"
    async with await connect_root(lab_docker.ssh) as conn:
        r = await conn.run(f"docker run -d --name {name} {lab_docker.busybox} sleep 300", check=True)
        cid = r.stdout.strip()
        try:
            # The container is visible through the host-side CLI too: both talk to the same dockerd.
            assert lab_docker.docker("inspect", "-f", "{{.State.Running}}", cid).stdout.strip() == "true"
        finally:
            await conn.run(f"docker rm -f {name}", check=True)
    async with asyncssh.connect(
        lab_docker.ssh.address,
        username=lab_docker.ssh.user,
        password=lab_docker.ssh.user_password,
        client_keys=None,
        agent_path=None,
        known_hosts=pinned(lab_docker.ssh),
    ) as conn:  # the unprivileged user, through its docker group
        r = await conn.run("docker version --format '{{.Server.Version}}'", check=True)
    assert r.stdout.strip().startswith("20.10")


def test_docker_stop_and_start_daemon(lab_docker) -> None:
    pid = lab_docker.dockerd_pid
    lab_docker.stop_daemon()
    assert lab_docker.dockerd_pid is None
    assert lab_docker.docker("version").returncode != 0
    lab_docker.start_daemon()
    assert lab_docker.dockerd_pid not in (None, pid)
    assert lab_docker.docker("image", "inspect", lab_docker.busybox).returncode == 0


# ------------------------------------------------------------------------------------- incus / lxd


@pytest.fixture(params=["incus", "lxd"])
def lxd_family(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"lab_{request.param}")


def test_launch_busybox_and_debian(lab: Lab, lxd_family) -> None:
    for image, has_chpasswd in (("busybox", False), ("debian", True)):
        name = lab.unique_name(image[:3])
        lxd_family.cli_ok("launch", image, name, timeout=120)
        try:
            out = lxd_family.cli("exec", name, "--", "sh", "-c", "echo up; command -v chpasswd || echo none")
            assert out.returncode == 0, out.stderr
            assert out.stdout.split() == ["up", "/usr/sbin/chpasswd" if has_chpasswd else "none"]
            if has_chpasswd:
                lxd_family.cli_ok("exec", name, "--", "chpasswd", input="root:lab-Secret-1\n")
                shadow = lxd_family.cli_ok("exec", name, "--", "grep", "^root:", "/etc/shadow")
                assert shadow.split(":")[1].startswith("$")
        finally:
            lxd_family.cli("delete", "--force", name)


async def test_https_api_with_client_cert_and_pinned_server_cert(lxd_family) -> None:
    ctx = ssl.create_default_context(cafile=str(lxd_family.server_cert))
    ctx.check_hostname = False  # the server cert names the hostname and 127.0.0.1 only: it is pinned instead
    ctx.load_cert_chain(str(lxd_family.client_cert), str(lxd_family.client_key))
    async with httpx.AsyncClient(verify=ctx, timeout=10) as client:
        body = (await client.get(f"https://{lxd_family.https_address}/1.0")).json()
    assert body["metadata"]["auth"] == "trusted"
    assert body["metadata"]["environment"]["server"] == lxd_family.flavour
    der = ssl.PEM_cert_to_DER_cert(lxd_family.server_cert.read_text())
    import hashlib

    assert hashlib.sha256(der).hexdigest() == lxd_family.server_cert_fingerprint


async def test_unix_socket_and_remote_cli(lxd_family) -> None:
    transport = httpx.AsyncHTTPTransport(uds=str(lxd_family.unix_socket))
    async with httpx.AsyncClient(transport=transport, base_url="http://lab", timeout=10) as client:
        assert (await client.get("/1.0")).json()["metadata"]["auth"] == "trusted"
    cli = "incus" if lxd_family.flavour == "incus" else "lxc"
    async with await connect_root(lxd_family.ssh) as conn:
        r = await conn.run(f"{cli} image list --format csv -c l", check=True)
    assert {"busybox", "debian"} <= {line.strip() for line in r.stdout.splitlines()}


def test_trust_token_is_fresh(lxd_family) -> None:
    assert lxd_family.trust_token("a") != lxd_family.trust_token("b")


# ------------------------------------------------------------------------------------------ proxmox


async def test_fakepve_answers_with_token_and_pinned_cert(lab_pve) -> None:
    ctx = ssl.create_default_context(cafile=str(lab_pve.server_cert))
    async with httpx.AsyncClient(verify=ctx, timeout=10) as client:
        good = await client.get(
            f"{lab_pve.url}/version",
            headers={"Authorization": f"PVEAPIToken={lab_pve.token_id}={lab_pve.token_secret}"},
        )
        bad = await client.get(
            f"{lab_pve.url}/version", headers={"Authorization": f"PVEAPIToken={lab_pve.token_id}=wrong"}
        )
    assert good.status_code == 200
    assert good.json()["data"]["version"].startswith("9.")
    assert bad.status_code == 401


async def test_pct_shim_records_argv_and_stdin(lab_pve) -> None:
    ct = lab_pve.fake.add_ct(4242, "shim-ct", status="running")
    lab_pve.clear_shim_calls()
    try:
        async with await connect_root(lab_pve.ssh) as conn:
            listing = await conn.run("pct list", check=True)
            version = await conn.run("pveversion", check=True)
            secret = await conn.run("pct exec 4242 -- chpasswd", input=f"root:{SECRET}\n", check=True)
            missing = await conn.run("pct exec 999999 -- true")
    finally:
        lab_pve.fake.cts.remove(ct)
    assert listing.stdout.splitlines()[0].split() == ["VMID", "Status", "Lock", "Name"]
    assert any(line.split()[:2] == ["4242", "running"] for line in listing.stdout.splitlines())
    assert version.stdout.startswith("pve-manager/9.")
    assert secret.exit_status == 0
    assert missing.exit_status != 0
    calls = lab_pve.shim_calls()
    assert calls[:3] == [
        {"argv": ["pct", "list"], "stdin": ""},
        {"argv": ["pveversion"], "stdin": ""},
        {"argv": ["pct", "exec", "4242", "--", "chpasswd"], "stdin": f"root:{SECRET}\n"},
    ]


# ------------------------------------------------------------------------------------- slots, teardown


def test_two_slots_coexist(lab: Lab, lab_ssh: SshHost) -> None:
    with Lab() as other:
        assert other.slot.index != lab.slot.index
        assert other.dir != lab.dir
        host = other.ssh
        assert host.netns.startswith(f"ocv{other.slot.index}-")
        assert host.address != lab_ssh.address
        assert host.host_key_fingerprint != lab_ssh.host_key_fingerprint
        for h in (host, lab_ssh):
            out = subprocess.run(
                ["ssh-keyscan", "-T", "5", "-t", "ed25519", h.address], capture_output=True, text=True, check=False
            )
            assert h.host_key.blob in out.stdout
    assert other.leftovers() == []


def test_teardown_leaves_nothing_behind(lab_docker) -> None:
    # A lab of its own with a running docker container, a running incus container and a spare host.
    other = Lab()
    try:
        docker, incus = other.docker, other.incus
        other.new_ssh_host()
        docker.docker_ok("run", "-d", docker.busybox, "sleep", "600")
        name = other.unique_name("td")
        incus.cli_ok("launch", "busybox", name)
        namespaces = [n for n in netns_list() if n.startswith(other.slot.ns_prefix)]
        assert len(namespaces) == 3
        assert cgroup_dirs(f"lxc.payload.{name}")
        assert cgroup_dirs(docker.cgroup_parent)
    finally:
        other.close()
    assert other.leftovers() == []
    assert not [n for n in netns_list() if n.startswith(other.slot.ns_prefix)]
    assert not cgroup_dirs(f"lxc.payload.{name}")
    assert not cgroup_dirs(docker.cgroup_parent)
    assert other.timings["teardown"] < 30


CRASHING_LAB = """
import os, signal
from tests.lab.lab import Lab
lab = Lab(install_deps=False, watchdog={watchdog})
host = lab.ssh
print(lab.slot.index, lab.dir, host.sshd_pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def crash_a_lab(watchdog: bool) -> tuple[int, Path, int]:
    """A lab in another process, SIGKILLed (no finally, no atexit) with sshd and an agent running."""
    repo = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", CRASHING_LAB.format(watchdog=watchdog)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo,
        check=False,
    )
    slot, lab_dir, sshd_pid = out.stdout.split()
    return int(slot), Path(lab_dir), int(sshd_pid)


def test_watchdog_cleans_up_after_a_crashed_owner(lab: Lab) -> None:
    slot, lab_dir, sshd_pid = crash_a_lab(watchdog=True)
    deadline = time.monotonic() + 30
    while slot_owner_busy(slot) and time.monotonic() < deadline:  # the watchdog holds the slot while cleaning
        time.sleep(0.1)
    assert not slot_owner_busy(slot)
    assert not alive(sshd_pid)
    assert not lab_dir.exists()
    assert leftovers(slot, lab_dir, []) == []


def test_next_owner_cleans_a_crashed_lab(lab: Lab) -> None:
    # Without a watchdog (say it was killed too), the next lab that takes the slot cleans up first.
    slot, lab_dir, sshd_pid = crash_a_lab(watchdog=False)
    assert alive(sshd_pid)  # the crash left sshd running
    assert f"ocv{slot}-ssh" in netns_list()
    with Lab(slot=slot) as again:
        assert not lab_dir.exists()
        assert not alive(sshd_pid)
        assert again.dir != lab_dir
    assert leftovers(slot, lab_dir, []) == []
    assert not netns_pids(f"ocv{slot}-ssh")
