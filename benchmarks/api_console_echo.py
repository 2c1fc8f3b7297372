"""Prints the keystroke echo latency of the API consoles (a script, not a test: numbers, no asserts).

    .venv/bin/python benchmarks/api_console_echo.py [--keys N]

For each road (Incus and LXD interactive exec websocket in a busybox container; Proxmox termproxy
against fakepve, which echoes input frames itself) it opens a console through the provider, then
N times writes one character and reads until that character came back: the time from
``write()`` to the echoed byte in ``read()``, what the terminal widget adds its painting to.
Run as root (it starts its own lab slot, so it can run beside a test session).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def echo_times(console, keys: int) -> list[float]:
    async def until(marker: bytes) -> None:
        out = b""
        while marker not in out:
            chunk = await console.read()
            if not chunk:
                raise RuntimeError(f"the console ended; output {out!r}")
            out += chunk

    console.write(b"stty -echoctl 2>/dev/null; echo READY\r")  # ignored by fakepve: it echoes anyway
    await until(b"READY")
    times = []
    for i in range(keys):
        key = bytes([ord("a") + i % 26])
        t0 = time.perf_counter()
        console.write(key)
        await until(key)
        times.append(time.perf_counter() - t0)
    console.write(b"\x15")  # ^U: drop the typed line
    return times


def report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[max(0, round(len(ms) * 0.95) - 1)]
    median = statistics.median(ms)
    print(f"  {label:<28} n={len(ms):4d}  median {median:6.2f} ms  p95 {p95:6.2f} ms  max {ms[-1]:6.2f} ms", flush=True)


async def run(lab, keys: int) -> None:
    from ocv_desktop.core.models import ExecutionRule, NodeSecrets
    from ocv_desktop.providers.base import ProviderContext
    from ocv_desktop.providers.lxd_family.incus import IncusProvider
    from ocv_desktop.providers.lxd_family.lxd import LxdProvider
    from ocv_desktop.providers.proxmox.provider import ProxmoxProvider
    from ocv_desktop.store.home import Home
    from ocv_desktop.transport.console import TermSize

    home = Home(Path(tempfile.mkdtemp(prefix="ocv-bench-home-"))).ensure()
    context = ProviderContext(home=home)
    for flavour, cls in (("incus", IncusProvider), ("lxd", LxdProvider)):
        host = getattr(lab, flavour)
        name = lab.unique_name("bench")
        host.cli_ok("launch", "busybox", name)
        provider = cls(context)
        try:
            await provider.connect(host.node_config(execution_rule=ExecutionRule.API_ONLY), NodeSecrets())
            console = await provider.open_console(name, TermSize())
            try:
                report(f"{flavour} exec websocket", await echo_times(console, keys))
            finally:
                await console.close()
        finally:
            await provider.disconnect()
            host.cli("delete", "--force", name)

    pve = lab.pve
    fake = pve.fake

    async def add_vm():
        return fake.add_vm(9990, "bench", status="running")

    vm = pve.call(add_vm())
    provider = ProxmoxProvider(context)
    try:
        await provider.connect(
            pve.node_config(execution_rule=ExecutionRule.API_ONLY), NodeSecrets(api_token_secret=pve.token_secret)
        )
        console = await provider.open_console(str(vm.vmid), TermSize())
        try:
            report("proxmox termproxy (fakepve)", await echo_times(console, keys))
        finally:
            await console.close()
    finally:
        await provider.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    from tests.lab.lab import Lab

    with Lab() as lab:
        lab.start_all(hosts=("incus", "lxd", "pve"))
        print(f"keystroke echo, {args.keys} keys per road")
        asyncio.run(run(lab, args.keys))


if __name__ == "__main__":
    main()
