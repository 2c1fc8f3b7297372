"""Health checks and the monitor against the lab's real servers: sshd, dockerd, incusd and fakepve
(with the PVE shell shims), through one ProviderPool, as the GUI uses them.

Covers: healthy nodes of every kind with resources; a stopped dockerd; a stopped sshd; a
black-holed node that times out within its bound while the others report at once; backoff and
"check now" on a really failing node; one SSH connection per node however many checks run; a dead
node retried once per cycle; a clean stop; the Proxmox service check's exact commands.
Tests that stop a shared daemon restore it in ``finally``.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from ocv_desktop.core.errors import AuthError
from ocv_desktop.core.models import (
    AuthMethod,
    CheckKind,
    CheckStatus,
    HealthReport,
    HealthState,
    NodeConfig,
    NodeSecrets,
)
from ocv_desktop.health import monitor as monitor_module
from ocv_desktop.health.monitor import HealthMonitor, MonitorSettings
from ocv_desktop.services.pool import ProviderPool
from ocv_desktop.store.config import Settings
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import trust_host_key
from tests.figures import figure
from tests.lab import system
from tests.lab.ssh_host import SFTP_SERVER

pytestmark = [pytest.mark.lab]

ON, OFF, NA = CheckStatus.ONLINE, CheckStatus.OFFLINE, CheckStatus.NOT_CHECKED
PVE_SERVICES = ["systemctl", "is-active", "pveproxy", "pvedaemon", "pvestatd"]


def statuses(report: HealthReport) -> dict[str, CheckStatus]:
    return {c.kind.value: c.status for c in report.checks}


def meminfo_total() -> int:
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) * 1024


@pytest.fixture
def trust(lab_home):
    """Record hosts' SSH keys in the home's known_hosts (as `ocv-desktop trust` would)."""

    def add(*ssh_hosts) -> None:
        for host in ssh_hosts:
            trust_host_key(lab_home.known_hosts, host.address, host.port, host.host_key_line)

    return add


@pytest.fixture
async def make_pool(lab_home) -> AsyncIterator[Callable[..., ProviderPool]]:
    pools: list[ProviderPool] = []
    store = SecretStore(None)  # in-memory for this test; the CLI tests use a real Secret Service

    def make(**settings: float) -> ProviderPool:
        pool = ProviderPool(lab_home, store, Settings(**settings))
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        await pool.close()


async def pve_node(pool: ProviderPool, lab_pve, **overrides) -> NodeConfig:
    node = lab_pve.node_config(**overrides)
    await pool.secrets.save(node.id, NodeSecrets(api_token_secret=lab_pve.token_secret))
    return node


# --- healthy nodes ---------------------------------------------------------------------------------


async def test_healthy_docker_incus_lxd_and_proxmox_nodes_with_resources(
    make_pool, trust, lab_docker, lab_incus, lab_lxd, lab_pve
):
    trust(lab_docker.ssh, lab_incus.ssh, lab_lxd.ssh, lab_pve.ssh)
    pool = make_pool()
    docker, incus, lxd = lab_docker.node_config(), lab_incus.node_config(), lab_lxd.node_config()
    pve = await pve_node(pool, lab_pve)
    lab_pve.clear_shim_calls()
    reports = await asyncio.gather(*(pool.check_health(n) for n in (docker, incus, lxd, pve)))
    by_name = dict(zip(("docker", "incus", "lxd", "pve"), reports, strict=True))
    for name, report in by_name.items():
        assert report.state is HealthState.HEALTHY, (name, report.checks)
        res = report.resources
        # The lab's namespaces share this machine's kernel: the node's numbers are this machine's.
        assert res is not None and res.cpu_cores == os.cpu_count(), name
        assert res.memory_total == meminfo_total() and 0 < res.memory_used < res.memory_total
        assert res.disk_total and res.disk_free is not None and res.load1 is not None
        assert all(c.latency is not None and c.latency < 10 for c in report.checks if c.status is ON)
        assert report.check(CheckKind.SSH).detail.startswith("root@10.77.")

    assert statuses(by_name["docker"]) == {"ssh": ON, "api": NA, "service": ON}
    assert by_name["docker"].check(CheckKind.API).detail == "Docker nodes are managed over SSH only"
    assert by_name["docker"].check(CheckKind.SERVICE).detail.startswith("Docker 20.10")
    assert statuses(by_name["incus"]) == {"ssh": ON, "api": ON, "service": ON}
    assert by_name["incus"].check(CheckKind.API).detail.startswith("incus 6.0")
    assert statuses(by_name["lxd"]) == {"ssh": ON, "api": ON, "service": ON}
    assert by_name["lxd"].check(CheckKind.API).detail.startswith("lxd 5.0")
    assert statuses(by_name["pve"]) == {"ssh": ON, "api": ON, "service": ON}
    assert by_name["pve"].check(CheckKind.API).detail.startswith("Proxmox VE 9.0.10")
    assert by_name["pve"].check(CheckKind.SERVICE).detail == "pve-manager/9.0.10, pveproxy, pvedaemon, pvestatd active"

    # The Proxmox service check is exactly `systemctl is-active` of the three daemons and plain
    # `pveversion` (pve-manager/...), never the original's `pveversion` | grep proxmox-ve.
    calls = [c["argv"] for c in lab_pve.shim_calls()]
    assert sorted(calls) == sorted([PVE_SERVICES, ["pveversion"]])


async def test_a_stopped_proxmox_daemon_makes_the_node_partial(make_pool, trust, lab_pve):
    trust(lab_pve.ssh)
    pool = make_pool()
    node = await pve_node(pool, lab_pve)
    lab_pve.shim_respond(["systemctl", "is-active"], stdout="active\ninactive\nactive\n", exit_code=3)
    try:
        report = await pool.check_health(node)
    finally:
        lab_pve.clear_shim_responses()
    assert report.state is HealthState.PARTIAL
    assert statuses(report) == {"ssh": ON, "api": ON, "service": OFF}
    assert "pvedaemon inactive" in report.check(CheckKind.SERVICE).error
    assert (await pool.check_health(node)).state is HealthState.HEALTHY


# --- failures --------------------------------------------------------------------------------------


async def test_stopped_dockerd_makes_the_docker_node_partial_with_the_reason(make_pool, trust, lab_docker):
    trust(lab_docker.ssh)
    pool = make_pool()
    node = lab_docker.node_config()
    assert (await pool.check_health(node)).state is HealthState.HEALTHY
    lab_docker.stop_daemon()
    try:
        report = await pool.check_health(node)
    finally:
        lab_docker.start_daemon()
    assert report.state is HealthState.PARTIAL
    assert statuses(report) == {"ssh": ON, "api": NA, "service": OFF}
    error = report.check(CheckKind.SERVICE).error
    assert "Docker daemon" in error and "not running" in error and "root@10.77." in error, error
    assert report.resources is not None  # SSH answered, so the resources came with it
    assert (await pool.check_health(node)).state is HealthState.HEALTHY


async def test_stopped_sshd_takes_the_ssh_check_offline(make_pool, trust, lab, lab_incus):
    # Incus with its API: SSH goes, the API still answers, so the node is partial, not dead.
    trust(lab_incus.ssh)
    pool = make_pool()
    node = lab_incus.node_config()
    assert (await pool.check_health(node)).state is HealthState.HEALTHY
    lab_incus.ssh.stop_sshd()  # its open connections are dropped too
    try:
        # The first check may still meet the dropped connection; the next one reconnects: refused.
        reports = [await pool.check_health(node) for _ in range(2)]
    finally:
        lab_incus.ssh.start_sshd()
    for report in reports:
        assert report.state is HealthState.PARTIAL
        assert statuses(report) == {"ssh": OFF, "api": ON, "service": OFF}
        assert report.resources is None
    error = reports[0].check(CheckKind.SSH).error
    assert "refused the connection" in error or "connection closed" in error or "was lost" in error, error
    assert "refused the connection" in reports[1].check(CheckKind.SSH).error
    assert reports[1].check(CheckKind.SERVICE).error.startswith("not asked: no SSH connection")
    # The same provider reconnects on the next check once sshd is back.
    assert (await pool.check_health(node)).state is HealthState.HEALTHY

    # A Docker node never connected: its one road is SSH, so nothing answers.
    host = lab.new_ssh_host()
    try:
        trust(host)
        host.stop_sshd()
        dead = await make_pool().check_health(host.node_config(type="docker"))
    finally:
        lab.remove_ssh_host(host)
    assert dead.state is HealthState.UNHEALTHY
    assert statuses(dead) == {"ssh": OFF, "api": NA, "service": OFF}
    assert "refused the connection" in dead.check(CheckKind.SSH).error


async def test_blackholed_node_times_out_within_its_bound_and_never_delays_the_others(
    make_pool, trust, lab, lab_docker, lab_incus, lab_pve
):
    bound = 4.0  # long enough that cold first checks on a busy machine still end well before it
    hole = lab.new_ssh_host()
    try:
        trust(lab_docker.ssh, lab_incus.ssh, lab_pve.ssh, hole)
        pool = make_pool(health_timeout=bound)
        healthy = [lab_docker.node_config(), lab_incus.node_config(), await pve_node(pool, lab_pve)]
        # The black-holed node: Docker over SSH, so its SSH (and service) must time out.
        black = hole.node_config(name="black", type="docker")
        arrivals: dict[str, tuple[float, HealthReport]] = {}  # in order of arrival
        t0 = time.monotonic()
        round_done = asyncio.Event()

        def deliver(report: HealthReport) -> None:
            arrivals[report.node_id] = (time.monotonic() - t0, report)
            if len(arrivals) == 4:
                round_done.set()

        monitor = HealthMonitor(pool.check_health, deliver, MonitorSettings(interval=600, timeout=bound))

        async def one_round() -> dict[str, tuple[float, HealthReport]]:
            nonlocal t0
            arrivals.clear()
            round_done.clear()
            t0 = time.monotonic()
            if monitor.running:
                monitor.check_now()
            else:
                monitor.start([black, *healthy])
            await asyncio.wait_for(round_done.wait(), bound + 5)
            return dict(arrivals)

        # Round 1: the black hole swallows the connect itself (no connection yet).
        hole.blackhole(True)
        first = await one_round()
        # Round 2: connected first, then black-holed: the open connection goes silent mid-use.
        hole.blackhole(False)
        # (joins the connect still retrying from round 1; TCP resends its SYN within seconds)
        await asyncio.wait_for(pool.get(black), 15)
        hole.blackhole(True)
        second = await one_round()
        await monitor.stop()
    finally:
        lab.remove_ssh_host(hole)

    for number, got in enumerate((first, second), 1):
        problems = [(n.name, c) for n in healthy for c in got[n.id][1].checks if c.status is OFF]
        assert problems == []
        black_time, black_report = got[black.id]
        # The black hole was started first, yet the healthy nodes arrive without waiting for it...
        assert set(list(got)[:3]) == {n.id for n in healthy} and list(got)[3] == black.id
        # ...and it is reported as cut off at its bound (the errors below name the bound).
        figure(f"black-holed node reported after (bound {bound:g} s, round {number})", black_time)
        figure(f"slowest healthy node (round {number})", max(got[n.id][0] for n in healthy))
        assert black_report.state is HealthState.UNHEALTHY
        assert statuses(black_report) == {"ssh": OFF, "api": NA, "service": OFF}
    assert first[black.id][1].check(CheckKind.SSH).error.endswith(f"timed out after {bound:g} s")
    assert second[black.id][1].check(CheckKind.SSH).error.endswith(f"no answer within {bound:g} s")


async def test_backoff_grows_on_a_failing_node_and_check_now_resets_it(make_pool, trust, lab, monkeypatch):
    asked: list[tuple[int, float]] = []  # (failures, delay) for every wait the monitor scheduled

    def recording_next_delay(settings: MonitorSettings, failures: int) -> float:
        delay = real_next_delay(settings, failures)
        asked.append((failures, delay))
        return delay

    real_next_delay = monitor_module.next_delay
    monkeypatch.setattr(monitor_module, "next_delay", recording_next_delay)
    host = lab.new_ssh_host()
    try:
        trust(host)
        host.stop_sshd()
        pool = make_pool(health_timeout=2)
        node = host.node_config(type="docker")
        reports: list[HealthReport] = []
        failures: list[int] = []
        arrived = asyncio.Event()
        monitor: HealthMonitor

        async def check(n: NodeConfig) -> HealthReport:
            return await pool.check_health(n)

        def deliver(report: HealthReport) -> None:
            reports.append(report)
            failures.append(monitor.failures(node.id))
            arrived.set()

        async def next_report() -> HealthReport:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 5)
            return reports[-1]

        settings = MonitorSettings(interval=0.1, timeout=2, jitter=0, max_backoff=0.8)
        monitor = HealthMonitor(check, deliver, settings)
        monitor.start([node])
        for _ in range(5):
            report = await next_report()
            assert report.state is HealthState.UNHEALTHY
            assert "refused the connection" in report.check(CheckKind.SSH).error
        assert failures == [1, 2, 3, 4, 5]
        # The wait after each failure: 0.2, 0.4, 0.8, then capped at 0.8 (as the monitor asked for them).
        assert asked[:4] == [(1, 0.2), (2, 0.4), (3, 0.8), (4, 0.8)]
        # From the sixth failure on, an hour: a report after it can only come from check_now.
        monitor.settings = MonitorSettings(interval=3600, timeout=2, jitter=0, max_backoff=3600)
        report = await next_report()
        assert failures[-1] == 6 and asked[-1] == (6, 3600)

        host.start_sshd()
        monitor.check_now([node.id])
        report = await next_report()  # within next_report's 5 s, not after the hour
        assert report.check(CheckKind.SSH).status is ON  # no dockerd there: partial, not unhealthy
        assert report.state is HealthState.PARTIAL and failures[-1] == 0
        await monitor.stop()
    finally:
        lab.remove_ssh_host(host)


# --- connections -----------------------------------------------------------------------------------


async def test_health_cycles_reuse_one_ssh_connection_per_node(make_pool, trust, lab_docker, lab_incus, lab_pve):
    trust(lab_docker.ssh, lab_incus.ssh, lab_pve.ssh)
    pool = make_pool()
    nodes = {
        lab_docker.ssh: lab_docker.node_config(),
        lab_incus.ssh: lab_incus.node_config(),
        lab_pve.ssh: await pve_node(pool, lab_pve),
    }
    before = {host: host.count_connections() for host in nodes}
    reports: list[HealthReport] = []
    for _ in range(5):
        reports += await asyncio.gather(*(pool.check_health(n) for n in nodes.values()))
    # A GUI action at the same time shares the same provider (and connection).
    docker = nodes[lab_docker.ssh]
    async with pool.exclusive(docker) as provider:
        assert provider is pool.connected(docker.id)
        assert isinstance(await provider.list_instances(), list)
    assert all(r.state is HealthState.HEALTHY for r in reports), [r.checks for r in reports]
    after = {host: host.count_connections() for host in nodes}
    assert {h.name: after[h] - before[h] for h in nodes} == {h.name: 1 for h in nodes}


async def test_concurrent_callers_share_one_connect_and_one_failure(make_pool, trust, lab_docker):
    trust(lab_docker.ssh)
    pool = make_pool()
    node = lab_docker.node_config()
    before = lab_docker.ssh.count_connections()
    providers = await asyncio.gather(*(pool.get(node) for _ in range(5)))
    assert all(p is providers[0] for p in providers)
    assert lab_docker.ssh.count_connections() - before == 1

    refused = lab_docker.node_config(name="nobody", username="nobody")  # sshd: AllowUsers root <lab user>
    before = lab_docker.ssh.count_connections()
    results = await asyncio.gather(*(pool.get(refused) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, AuthError) for r in results), results
    assert lab_docker.ssh.count_connections() - before == 1


async def test_a_failing_node_is_retried_once_per_cycle_not_in_a_loop(make_pool, trust, lab_docker):
    trust(lab_docker.ssh)
    pool = make_pool(health_timeout=2)
    node = lab_docker.node_config(name="nobody", username="nobody")  # the login is refused every time
    reports: list[HealthReport] = []
    before = lab_docker.ssh.count_connections()
    settings = MonitorSettings(interval=0.1, timeout=2, jitter=0, max_backoff=0.8)
    monitor = HealthMonitor(pool.check_health, reports.append, settings)
    monitor.start([node])
    await asyncio.sleep(3.0)
    await monitor.stop()
    attempts = lab_docker.ssh.count_connections() - before
    # Checks at 0, 0.2, 0.6, 1.4, 2.2, 3.0 s: one connection attempt each, nothing in between.
    assert 5 <= len(reports) <= 6, len(reports)
    assert attempts == len(reports)
    assert all(r.state is HealthState.UNHEALTHY for r in reports)
    assert "refused the SSH login" in reports[0].check(CheckKind.SSH).error


async def test_stopping_the_monitor_and_closing_the_pool_leaves_nothing_behind(make_pool, trust, lab, lab_docker):
    hole = lab.new_ssh_host()
    try:
        trust(lab_docker.ssh, hole)
        # The black hole's check would wait 600 s: stopping within the test's hang bound (30 s)
        # proves that nothing waited for it.
        pool = make_pool(health_timeout=600, connect_timeout=600)
        live, black = lab_docker.node_config(), hole.node_config(name="black", type="docker")
        hole.blackhole(True)  # its connect is in flight when we stop
        seen = asyncio.Event()
        monitor = HealthMonitor(pool.check_health, lambda r: seen.set(), MonitorSettings(interval=600, timeout=600))
        monitor.start([live, black])
        await asyncio.wait_for(seen.wait(), 5)  # the live node reported; the black hole is still connecting
        assert pool.connected(live.id) is not None
        t0 = time.monotonic()
        await asyncio.wait_for(monitor.stop(), 30)
        await asyncio.wait_for(pool.close(), 30)
        figure("stopping the monitor and closing the pool with a black-holed node", time.monotonic() - t0)
    finally:
        lab.remove_ssh_host(hole)
    await asyncio.sleep(0)
    mine = [t for t in asyncio.all_tasks() if t.get_name().startswith(("health:", "connect:"))]
    assert mine == []
    assert pool.connected(live.id) is None and pool.connected(black.id) is None
    # The server side agrees: no sshd connection process is left for us in the docker namespace.
    system.wait_until(lambda: not _sshd_sessions(lab_docker.ssh), timeout=3, what="sshd sessions to end")


def _sshd_sessions(host) -> list[int]:
    """sshd processes in the host's namespace other than its listener (one per open connection)."""
    pids = []
    for pid in system.netns_pids(host.netns):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if exe == "/usr/sbin/sshd" and pid != host.sshd_pid:
            pids.append(pid)
    return pids


async def test_proxmox_api_down_at_connect_is_tried_again_by_the_next_check(make_pool, trust, lab_pve):
    """auto rule: the API did not answer when the node was connected, so SSH took over. The health
    check tries the API again each time, and the node goes back to it once it answers."""
    trust(lab_pve.ssh)
    pool = make_pool()
    relay = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = relay.sockets[0].getsockname()[1]
    relay.close()
    await relay.wait_closed()  # nothing listens on the port now: the API is "down"
    node = await pve_node(pool, lab_pve, api_endpoint=f"https://127.0.0.1:{port}/api2/json", api_user=None)
    down = await pool.check_health(node)
    assert down.state is HealthState.PARTIAL
    assert statuses(down) == {"ssh": ON, "api": OFF, "service": ON}
    assert "could not be reached" in down.check(CheckKind.API).error

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection(lab_pve.host, lab_pve.port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_w), pump(up_r, writer), return_exceptions=True)

    relay = await asyncio.start_server(forward, "127.0.0.1", port)  # the API is back
    try:
        up = await pool.check_health(node)
        assert up.state is HealthState.HEALTHY, up.checks
        assert up.check(CheckKind.API).detail.startswith("Proxmox VE 9.0.10")
        # ...and the provider uses the API again for everything else, not pvesh over SSH.
        lab_pve.clear_shim_calls()
        await (await pool.get(node)).list_instances()
        assert not any(c["argv"][0] == "pvesh" for c in lab_pve.shim_calls())
    finally:
        await pool.close()
        relay.close()
        await relay.wait_closed()


# --- what a check costs the node -----------------------------------------------------------------


def _started_by_sshd(host) -> set[int]:
    """PIDs in the host's namespace that its sshd started (connection processes and what runs in
    their sessions, sftp-server included): descendants of the listener."""
    pids = set(system.netns_pids(host.netns))
    parents = {}
    for pid in pids:
        try:
            parents[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found: set[int] = set()
    frontier = {host.sshd_pid}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _children_cpu(pid: int) -> int:
    """Clock ticks used by the ended children of ``pid`` (cutime + cstime): grows with every
    child process it starts and reaps."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[13]) + int(fields[14])


async def test_a_warm_health_check_starts_no_process_on_the_node(make_pool, trust, lab_docker):
    """After the first check of a connection (sftp-server, the docker endpoint and systemd questions),
    checks read files over the SFTP session and ask dockerd over its forwarded socket: sshd starts
    nothing (no session in its log, no new process under it) and no connection is opened."""
    trust(lab_docker.ssh)
    pool = make_pool()
    ssh = lab_docker.ssh
    root = lab_docker.node_config()
    user = lab_docker.node_config(name="as-user", username=ssh.user, auth=AuthMethod.PASSWORD, key_path=None)
    await pool.secrets.save(user.id, NodeSecrets(ssh_password=ssh.user_password))
    sessions = ssh.count_sessions()
    first = await asyncio.gather(pool.check_health(root), pool.check_health(user))
    assert [r.state for r in first] == [HealthState.HEALTHY] * 2, [r.checks for r in first]
    # per connection, once: the SFTP session, the Docker endpoint, "does it run systemd"
    assert ssh.count_sessions() - sessions == 6
    sessions, connections, processes = ssh.count_sessions(), ssh.count_connections(), _started_by_sshd(ssh)
    dockerd_children = _children_cpu(lab_docker.dockerd_pid)
    sftp = [pid for pid in processes if os.readlink(f"/proc/{pid}/exe") == SFTP_SERVER]
    assert len(sftp) == 2  # one per connection
    for _ in range(5):
        reports = await asyncio.gather(pool.check_health(root), pool.check_health(user))
        assert [r.state for r in reports] == [HealthState.HEALTHY] * 2, [r.checks for r in reports]
        assert all(r.resources is not None and r.resources.memory_total for r in reports)
    assert ssh.count_sessions() == sessions
    assert ssh.count_connections() == connections
    assert _started_by_sshd(ssh) == processes
    # nor does dockerd start one for us (its GET /version would run runc and docker-init): the CPU
    # of its ended children has not grown
    assert _children_cpu(lab_docker.dockerd_pid) == dockerd_children
    assert reports[0].check(CheckKind.SERVICE).detail == reports[1].check(CheckKind.SERVICE).detail
    assert reports[0].check(CheckKind.SERVICE).detail.startswith("Docker 20.10")


async def test_sftp_resources_equal_the_commands_answer(make_pool, trust, lab_docker, lab_incus):
    from ocv_desktop.health.resources import RESOURCE_ARGV, parse_resources

    trust(lab_docker.ssh, lab_incus.ssh)
    pool = make_pool()
    for node in (lab_docker.node_config(), lab_incus.node_config()):
        report = await pool.check_health(node)
        runner = pool.connected(node.id).command_runner
        command = parse_resources((await runner.run(RESOURCE_ARGV)).out)
        sftp = report.resources
        assert sftp is not None and command.cpu_cores is not None
        assert sftp.cpu_cores == command.cpu_cores and sftp.memory_total == command.memory_total
        assert abs(sftp.disk_total - command.disk_total) < 1024  # df rounds to KiB
        assert abs(sftp.disk_free - command.disk_free) < 64 * 2**20  # the disk is in use meanwhile
        assert abs(sftp.memory_used - command.memory_used) < 256 * 2**20
        assert abs(sftp.load1 - command.load1) < 2


async def test_a_node_without_sftp_is_checked_by_command(make_pool, trust, lab, lab_docker):
    host = lab.new_ssh_host(
        env={"DOCKER_HOST": f"unix://{lab_docker.socket}"},
        sshd_options={"Subsystem": None},
    )
    try:
        trust(host)
        pool = make_pool()
        node = host.node_config(name="no-sftp", type="docker")
        first = await pool.check_health(node)
        sessions = host.count_sessions()
        again = await pool.check_health(node)
        # the resources came by command (one session), the service over the socket (none)
        assert host.count_sessions() - sessions == 1
    finally:
        lab.remove_ssh_host(host)
    for report in (first, again):
        assert report.state is HealthState.HEALTHY, report.checks
        assert report.resources is not None and report.resources.memory_total == meminfo_total()
        assert report.resources.cpu_cores == os.cpu_count() and report.resources.disk_total
    assert host.sshd_log().count("subsystem request for sftp by user root failed") == 1  # asked once


async def test_check_health_tells_the_caller_how_connecting_went(make_pool, trust, lab_docker):
    pool = make_pool()
    node = lab_docker.node_config()
    seen: list[object] = []
    report = await pool.check_health(node, on_connect=seen.append)
    assert report.state is HealthState.UNHEALTHY and len(seen) == 1
    assert type(seen[0]).__name__ == "HostKeyUnknown" and str(seen[0]) in report.check(CheckKind.SSH).error
    trust(lab_docker.ssh)
    seen.clear()
    assert (await pool.check_health(node, on_connect=seen.append)).state is HealthState.HEALTHY
    assert seen == [None]
