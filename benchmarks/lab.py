"""The node-side figures, from the real lab (tests/lab; root): the health round with the shipped
defaults at N=50 against N=1, and the worst event-loop stall while 1000 Docker containers are listed.

Both reuse benchmarks/health_fanout.py's pieces (N OpenSSH sshd, the delay proxy that adds
50 ms each way, the lab's real dockerd). Rounds alternate N=1 and N=50 so load on the machine hits
both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import Row, Series, print_rows

CONTAINERS = 1000


class LoopProbe:
    """A 2 ms asyncio sleeper recording how late each wake-up is (the longest = the worst stall)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + 0.002
            await asyncio.sleep(0.002)
            self.worst = max(self.worst, loop.time() - due)

    def __enter__(self) -> LoopProbe:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def _health(nodes, password: str, rounds: int) -> tuple[Series, Series]:
    from benchmarks.health_fanout import one_round
    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.health.monitor import MonitorSettings
    from ocv_desktop.services.pool import ProviderPool
    from ocv_desktop.store.config import Settings
    from ocv_desktop.store.secrets import SecretStore

    settings = Settings()  # the shipped defaults: the point of this row
    monitor = MonitorSettings.from_settings(settings)
    store = SecretStore(None)
    for node in nodes:
        await store.save(node.id, NodeSecrets(ssh_password=password))
    one, fifty = Series(), Series()
    home = _home_of(nodes)
    pool = ProviderPool(home, store, settings)

    def warm(node) -> bool:  # as the GUI's monitor is told (services/session.py)
        return pool.connected(node.id) is not None

    try:
        await one_round(pool, nodes, monitor, warm)  # cold: connects every node once
        for _ in range(rounds):
            one.add((await one_round(pool, nodes[:1], monitor, warm))[0])
            fifty.add((await one_round(pool, nodes, monitor, warm))[0])
    finally:
        await pool.close()
    return one, fifty


_HOMES: dict[int, object] = {}


def _home_of(nodes):  # the Home make_nodes wrote known_hosts into
    return _HOMES[id(nodes)]


async def _docker_stall(node, rounds: int) -> Series:
    from ocv_desktop.services.pool import ProviderPool
    from ocv_desktop.store.config import Settings
    from ocv_desktop.store.secrets import SecretStore

    pool = ProviderPool(_HOMES[id(node)], SecretStore(None), Settings())  # type: ignore[arg-type]
    worst = Series()
    try:
        provider = await pool.get(node)
        listed = await provider.list_instances()  # warm: connection, socket, first parse
        if len(listed) < CONTAINERS:
            raise RuntimeError(f"expected {CONTAINERS} containers, listed {len(listed)}")
        for _ in range(rounds):
            with LoopProbe() as probe:
                await provider.list_instances()
                await asyncio.sleep(0.01)
            worst.add(probe.worst)
    finally:
        await pool.close()
    return worst


def run(rounds: int, nodes_n: int = 50) -> list[Row]:
    from benchmarks.health_fanout import DelayProxy, make_nodes, start_sshds
    from ocv_desktop.core.errors import OcvError
    from ocv_desktop.store.home import Home
    from ocv_desktop.transport.known_hosts import trust_host_key
    from tests.lab.lab import Lab

    rows: list[Row] = []
    with Lab() as lab, tempfile.TemporaryDirectory(prefix="ocv-bench-lab-") as tmp:
        hosts = []
        proxy = None
        label = f"ocv-bench={lab.unique_name('bench')}"
        try:
            base = lab.new_ssh_host()
            hosts = start_sshds(lab, base, nodes_n, 2201)
            proxy = DelayProxy([(h.address, h.port) for h in hosts], 0.05)
            home = Home(Path(tmp) / "home").ensure()
            nodes = make_nodes(hosts, proxy.ports, home, lab.root_key, lab.user)
            _HOMES[id(nodes)] = home
            one, fifty = asyncio.run(_health(nodes, lab.user_password, rounds))
            rows.append(
                Row(
                    f"health round, N={nodes_n} vs N=1, shipped defaults (50 ms each way)",
                    "<= 1.5x",
                    fifty,
                    one,
                    limit=1.5,
                )
            )
            print_rows(rows[-1:], "node side, real lab")
            proxy.close()
            proxy = None

            docker = lab.docker
            t0 = time.monotonic()
            with ThreadPoolExecutor(max_workers=8) as workers:
                list(
                    workers.map(
                        lambda i: docker.docker_ok("create", "--label", label, docker.busybox, "true"),
                        range(CONTAINERS),
                    )
                )
            created = time.monotonic() - t0
            dhome = Home(Path(tmp) / "dhome").ensure()
            trust_host_key(dhome.known_hosts, docker.ssh.address, docker.ssh.port, docker.ssh.host_key_line)
            node = docker.node_config()
            _HOMES[id(node)] = dhome
            try:
                stall = asyncio.run(_docker_stall(node, rounds))
            except OcvError as exc:  # the lab's dockerd too slow or gone: say so, keep the other rows
                print(f"  refresh of {CONTAINERS} Docker containers: not measured: {exc}", flush=True)
                return rows
            rows.append(
                Row(
                    f"refresh of {CONTAINERS} Docker containers: worst loop stall",
                    "<= 20 ms",
                    stall,
                    unit="ms",
                    limit=0.020,
                    note=f"{CONTAINERS} containers created with docker create in {created:.0f} s (not measured)",
                )
            )
        finally:
            if proxy is not None:
                proxy.close()
            for host in hosts:
                host.stop_sshd()
            with contextlib.suppress(Exception):
                ids = lab.docker.docker_ok("ps", "-aq", "--filter", f"label={label}").split()
                if ids:
                    lab.docker.docker_ok("rm", "-f", *ids, timeout=600)
    return rows
