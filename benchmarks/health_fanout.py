"""How one health round scales with the number of nodes (a script, not a test: numbers, no asserts).

    sudo .venv/bin/python benchmarks/health_fanout.py [--sizes 1,10,50] [--rounds 5]
                                                [--delay-ms 50] [--caps 64,16] [--login user|root]
                                                [--node-side real,stub,fallback]

What it measures: one full health round of N Docker nodes through one ``ProviderPool`` and
``check_provider`` (``check_all`` = what ``ocv-desktop health`` and each monitor cycle run): the
SSH check with its resources (read over the connection's SFTP session) and the service check
(``GET /_ping`` on the lab's real dockerd through the forwarded Docker socket; the unit probe). The
first round connects (cold: it also opens the SFTP session and asks once for DOCKER_HOST and
systemd); the later rounds reuse the connections (warm, what the monitor does every 30 s): they
start no process on the nodes. It prints time(N) and time(N) / time(1).

The lab: its own slot (started and stopped here), the lab's dockerd, and N real OpenSSH sshd
processes (one per node, on ports 2201.. of one throwaway namespace, Debian's stock sftp-server;
each session's DOCKER_HOST points at the lab's dockerd). Network latency: ``tc netem`` is not
available on every kernel (not on this one: "Specified qdisc kind is unknown"), so a small delay
proxy in a separate process (this file with ``--proxy``) sits between the app and each sshd on
127.0.0.1 and holds every chunk ``--delay-ms`` (default 50) in each direction, like ``netem delay
50ms`` on both ends of a veth (100 ms round trip). Rounds are measured with the proxy and without
it (0 ms: the machine's own CPU cost, which is what remains when the network is fast).

All N "remote" nodes share this machine's CPUs with the app, so their work (sshd, sftp-server,
dockerd; before the process-free checks also a login shell, coreutils and the docker CLI per check)
adds up here as it never would on N real servers; "client CPU" is the app's own share. Each table
also prints the CPU one node check costs the app and the node side (every process in the nodes'
namespace, with their ended children, and dockerd). ``--login user`` (default) logs in as the lab's
unprivileged user (password, in the docker group): root's ~/.bashrc on the lab machine runs
``pyenv init`` in every SSH command (~120 ms of CPU each), which would measure that machine's shell
set-up, not the health checks. ``--login root`` keeps it.

``--node-side``: ``real`` as described. ``fallback``: sshd without an SFTP subsystem and with
``AllowStreamLocalForwarding no``, so every check takes the command roads (the resource script and
``docker version``): what such nodes cost, and what every node cost before. ``stub``: sessions find
a ``docker`` stand-in first in PATH that prints the real daemon's recorded ``docker version`` JSON;
it spares the node the docker CLI's ~20 ms of CPU on the command road (a warm check on the socket
road runs no CLI, so there it equals ``real``; not run unless asked for).

``--caps``: the global concurrency cap (settings.health_concurrency). The app's default is 16, so
50 nodes run in four waves (time(50) >= 4 x time(1) whatever a check costs); a cap at or above N
shows the fan-out itself.

Measured on a 2-core machine (load < 1.5 at the start), login user, warm rounds (median of 5):

    node side, cap         delay   N=1      N=10            N=50            CPU per check, app / node side
    real, 64               50 ms   0.207 s  0.217 s (1.05)  0.232 s (1.12)  1.8 ms / 0.2 ms
    real, 16               50 ms   0.207 s  0.216 s (1.04)  0.841 s (4.06)  2.0 ms / 0.2 ms
    real, 64               0 ms    0.004 s  0.018 s (4.80)  0.074 s (19.6)  1.6 ms / 0.2 ms
    fallback, 64           50 ms   0.240 s  0.380 s (1.58)  1.013 s (4.22)  2.4 ms / 27.6 ms
    before (exec), 64      50 ms   0.235 s  0.399 s (1.70)  1.147 s (4.89)  2.5 ms / 33.0 ms

With 50 ms each way a warm check is two round trips (the SFTP reads, and the socket's channel open
then its HTTP exchange), so the time of a round is the network's, not the node count's. Without
delay the round is the app's CPU: 1.6-1.8 ms per check on one event loop (asyncssh's packet
crypto is the largest part), 50 x 1.6 ms = 80 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST_PORT = 2201
# --node-side fallback: an sshd that offers neither SFTP nor socket forwarding
FALLBACK_SSHD = {"Subsystem": None, "AllowStreamLocalForwarding": "no"}


# --- the delay proxy (runs in its own process) -----------------------------------------------------


async def _proxy_main(targets: list[tuple[str, int]], one_way: float) -> None:
    loop = asyncio.get_running_loop()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def take() -> None:
            while data := await reader.read(65536):
                queue.put_nowait((loop.time() + one_way, data))
            queue.put_nowait((loop.time() + one_way, b""))

        async def give() -> None:
            while True:
                due, data = await queue.get()
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                if not data:
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        with contextlib.suppress(OSError, ConnectionError):
            await asyncio.gather(take(), give())

    def handler(target: tuple[str, int]):
        async def serve(r1: asyncio.StreamReader, w1: asyncio.StreamWriter) -> None:
            try:
                r2, w2 = await asyncio.open_connection(*target)
            except OSError:
                w1.close()
                return
            await asyncio.gather(pipe(r1, w2), pipe(r2, w1))
            for w in (w1, w2):
                w.close()

        return serve

    servers = [await asyncio.start_server(handler(t), "127.0.0.1", 0) for t in targets]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print("PORTS " + ",".join(map(str, ports)), flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


class DelayProxy:
    """The proxy process for ``targets``; ``ports[i]`` on 127.0.0.1 leads to ``targets[i]``."""

    def __init__(self, targets: list[tuple[str, int]], one_way: float) -> None:
        spec = ",".join(f"{h}:{p}" for h, p in targets)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--proxy", spec, "--delay-ms", str(one_way * 1000)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORTS "):
            self.close()
            raise RuntimeError(f"delay proxy did not start: {line!r}")
        self.ports = [int(p) for p in line.split()[1].split(",")]

    def close(self) -> None:
        self.proc.terminate()  # by PID
        self.proc.wait(timeout=10)


# --- the lab -----------------------------------------------------------------------------------------


DOCKER_STUB = """#!/bin/sh
# ocv health_fanout: stands in for `docker version --format '{{json .}}'` only.
if [ "$1" = version ]; then exec cat "$(dirname "$0")/version.json"; fi
echo "docker stand-in: only 'version' is recorded" >&2; exit 2
"""


def docker_stub_dir(lab) -> Path:
    """A directory with the ``docker`` stand-in and the real daemon's ``docker version`` output."""
    proc = lab.docker.docker("version", "--format", "{{json .}}")
    if proc.returncode != 0:
        raise RuntimeError(f"docker version on the lab's dockerd failed: {proc.stderr}")
    stub = lab.dir / "fanout-docker-stub"
    stub.mkdir(mode=0o755, exist_ok=True)
    (stub / "version.json").write_text(proc.stdout)
    (stub / "docker").write_text(DOCKER_STUB)
    (stub / "docker").chmod(0o755)
    return stub


def start_sshds(lab, base, count: int, first_port: int, path: str | None = None, options=None):
    """``count`` sshd processes in ``base``'s namespace from ``first_port`` on; sessions see the lab's
    dockerd (and ``path`` first in PATH when given); ``options``: sshd_config directives replaced."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.lab.ssh_host import SESSION_PATH, SshHost

    env = {"DOCKER_HOST": f"unix://{lab.docker.socket}"}
    if path:
        env["PATH"] = f"{path}:{SESSION_PATH}"

    def one(i: int) -> SshHost:
        port = first_port + i
        host = SshHost(
            lab, role=f"{base.role}p{port}", net_index=base.net_index, netns=base.netns, env=env, sshd_options=options
        )
        host.port = port  # instance attribute: its sshd_config listens there
        return host.start(create_netns=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(count)))


def make_nodes(hosts, ports: list[int] | None, home, key: Path, user: str | None):
    """Docker nodes for ``hosts`` (through the proxy ports when given); root by key, or ``user`` by password."""
    from ocv_desktop.core.models import AuthMethod, NodeConfig, Platform

    nodes, lines = [], []
    for i, host in enumerate(hosts):
        addr, port = ("127.0.0.1", ports[i]) if ports else (host.address, host.port)
        nodes.append(
            NodeConfig(
                name=f"fan{i}",
                type=Platform.DOCKER,
                host=addr,
                port=port,
                username=user or "root",
                auth=AuthMethod.PASSWORD if user else AuthMethod.KEY,
                key_path=None if user else str(key),
            )
        )
        lines.append(f"[{addr}]:{port} {host.host_key.type} {host.host_key.blob}")
    home.known_hosts.write_text("\n".join(lines) + "\n")
    return nodes


# --- measuring ---------------------------------------------------------------------------------------


async def one_round(pool, nodes, settings, warm=None) -> tuple[float, list]:
    from ocv_desktop.health.monitor import check_all

    t0 = time.perf_counter()
    reports = []
    async with contextlib.aclosing(check_all(nodes, pool.check_health, settings, warm)) as finished:
        async for report in finished:
            reports.append(report)
    return time.perf_counter() - t0, reports


def node_side_cpu(netns: str, pids: list[int]) -> float:
    """CPU seconds used so far by the "remote" side: every process in the nodes' namespace (the sshd
    connection processes; their finished sessions, shells and docker CLIs are in cutime/cstime) and
    ``pids`` (dockerd)."""
    from tests.lab import system

    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in {*system.netns_pids(netns), *pids}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / tick


async def measure(home, nodes, password: str, sizes: list[int], rounds: int, cap: int, node_side) -> dict[int, tuple]:
    """{N: (cold s, warm median s, client CPU ms/node, node-side CPU ms/node, states)} for each N
    (CPU figures: medians over the warm rounds)."""
    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.health.monitor import MonitorSettings
    from ocv_desktop.services.pool import ProviderPool
    from ocv_desktop.store.config import Settings
    from ocv_desktop.store.secrets import SecretStore

    settings = Settings(health_concurrency=cap, health_timeout=60, connect_timeout=60)
    monitor = MonitorSettings.from_settings(settings)
    store = SecretStore(None)  # memory: the benchmark must not touch a keyring
    for node in nodes:
        await store.save(node.id, NodeSecrets(ssh_password=password))
    out = {}
    for n in sizes:
        pool = ProviderPool(home, store, settings)
        try:
            cold, reports = await one_round(pool, nodes[:n], monitor)
            warm, cpu, remote = [], [], []
            for _ in range(rounds):
                c0, r0 = time.process_time(), node_side()
                seconds, reports = await one_round(pool, nodes[:n], monitor)
                cpu.append((time.process_time() - c0) / n)
                remote.append((node_side() - r0) / n)
                warm.append(seconds)
        finally:
            await pool.close()
        states: dict[str, int] = {}
        for r in reports:
            states[r.state.value] = states.get(r.state.value, 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(states.items()))
        ms = 1000
        out[n] = (cold, statistics.median(warm), statistics.median(cpu) * ms, statistics.median(remote) * ms, summary)
    return out


def print_table(title: str, results: dict[int, tuple]) -> None:
    print(f"\n{title}")
    head = f"  {'N':>3}  {'cold (s)':>8}  {'cold/1':>6}  {'warm (s)':>8}  {'warm/1':>6}"
    print(head + "  CPU per node check: app / node side  last round")
    cold1, warm1, *_ = results[min(results)]
    for n, (cold, warm, cpu_ms, remote_ms, states) in results.items():
        line = f"  {n:>3}  {cold:8.3f}  {cold / cold1:6.2f}  {warm:8.3f}  {warm / warm1:6.2f}"
        print(line + f"  {cpu_ms:12.1f} ms / {remote_ms:5.1f} ms        {states}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,50", help="node counts (default 1,10,50)")
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds per size (median printed)")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="delay each way added by the proxy (0: none)")
    parser.add_argument("--login", choices=("user", "root"), default="user", help="SSH login (see the docstring)")
    parser.add_argument("--node-side", default="real", help="real, stub and/or fallback (see the docstring)")
    parser.add_argument("--caps", default="64,16", help="concurrency caps to run (default 64,16)")
    parser.add_argument("--proxy", help=argparse.SUPPRESS)  # internal: run as the delay proxy
    args = parser.parse_args()
    if args.proxy:
        targets = [(h, int(p)) for h, p in (t.rsplit(":", 1) for t in args.proxy.split(","))]
        asyncio.run(_proxy_main(targets, args.delay_ms / 1000))
        return 0
    if os.geteuid() != 0:
        print("run as root (the lab needs namespaces): sudo .venv/bin/python benchmarks/health_fanout.py")
        return 1
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    caps = [int(c) for c in args.caps.split(",")]

    from ocv_desktop.store.home import Home
    from tests.lab.lab import Lab

    sides = [side for side in args.node_side.split(",") if side]
    t0 = time.monotonic()
    with Lab() as lab, tempfile.TemporaryDirectory(prefix="ocv-fanout-") as tmp:
        hosts: dict[str, list] = {}
        proxy = None
        try:
            base = lab.new_ssh_host()
            for i, side in enumerate(sides):
                path = str(docker_stub_dir(lab)) if side == "stub" else None
                options = FALLBACK_SSHD if side == "fallback" else None
                hosts[side] = start_sshds(lab, base, max(sizes), FIRST_PORT + 100 * i, path, options)
            count = sum(len(h) for h in hosts.values())
            print(f"lab slot {lab.slot.index}: dockerd + {count} sshd ready in {time.monotonic() - t0:.1f} s")
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min) at the start")
            home = Home(Path(tmp) / "home").ensure()
            user = lab.user if args.login == "user" else None
            node_side = functools.partial(node_side_cpu, base.netns, [lab.docker.dockerd_pid])
            for side in sides:
                runs: list[tuple[str, list[int] | None]] = [("0 ms", None)]
                if args.delay_ms:
                    if proxy is not None:
                        proxy.close()
                    proxy = DelayProxy([(h.address, h.port) for h in hosts[side]], args.delay_ms / 1000)
                    runs.insert(0, (f"{args.delay_ms:g} ms each way (delay proxy)", proxy.ports))
                for label, ports in runs:
                    nodes = make_nodes(hosts[side], ports, home, lab.root_key, user)
                    for cap in caps:
                        results = asyncio.run(
                            measure(home, nodes, lab.user_password, sizes, args.rounds, cap, node_side)
                        )
                        title = f"node side {side}, {label}, login {args.login}, concurrency cap {cap}"
                        print_table(title, results)
            print(f"\nload average {os.getloadavg()[0]:.2f} (1 min) at the end")
        finally:
            if proxy is not None:
                proxy.close()
            for group in hosts.values():  # by PID; the namespace goes with the lab's throwaway host
                for host in group:
                    host.stop_sshd()
    return 0


if __name__ == "__main__":
    sys.exit(main())
