"""One health check of one node: SSH, API and service checks -> ``HealthReport``.

The checks reuse the provider's own transports (its one SSH connection, its API client); nothing
here opens a connection of its own. The SSH check is a single constant command that also reads
the node's resources, so reachability and CPU/memory/disk/load cost one round trip.

Which checks apply follows the node's configuration: SSH when the node has a shell, API only
when API credentials exist, the service check always (each provider knows how to ask its daemon).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import CheckKind, CheckResult, CheckStatus, HealthReport, Resources
from ocv_desktop.providers.base import Provider

# A constant script (no user value in it): CPU count, memory, root filesystem, load average.
RESOURCE_ARGV = (
    "sh",
    "-c",
    "nproc 2>/dev/null || getconf _NPROCESSORS_ONLN; echo ---; cat /proc/meminfo; echo ---; "
    "df -Pk / | tail -n 1; echo ---; cat /proc/loadavg",
)


def parse_resources(text: str) -> Resources:
    """Parse the output of ``RESOURCE_ARGV``; fields that cannot be read stay None."""
    parts = text.split("---\n")
    parts += [""] * (4 - len(parts))
    cores = _int(parts[0].strip().splitlines()[0] if parts[0].strip() else "")
    mem: dict[str, int] = {}
    for line in parts[1].splitlines():
        key, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            mem[key.strip()] = int(fields[0]) * 1024  # /proc/meminfo is in KiB
    total = mem.get("MemTotal")
    available = mem.get("MemAvailable", mem.get("MemFree"))
    df = parts[2].split()
    disk_total = _int(df[1]) * 1024 if len(df) >= 4 and _int(df[1]) is not None else None
    disk_free = _int(df[3]) * 1024 if len(df) >= 4 and _int(df[3]) is not None else None
    load = parts[3].split()
    return Resources(
        cpu_cores=cores,
        memory_total=total,
        memory_used=(total - available) if total is not None and available is not None else None,
        disk_total=disk_total,
        disk_free=disk_free,
        load1=_float(load[0]) if load else None,
    )


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


async def _timed(kind: CheckKind, probe: Callable[[], Awaitable[str]], timeout: float) -> CheckResult:
    """Run one probe under its own bound; turn every failure into an offline result with a reason."""
    start = time.monotonic()
    try:
        detail = await asyncio.wait_for(probe(), timeout)
    except TimeoutError:
        return CheckResult(kind, CheckStatus.OFFLINE, error=f"no answer within {timeout:g} s")
    except OcvError as exc:
        return CheckResult(kind, CheckStatus.OFFLINE, latency=time.monotonic() - start, error=str(exc))
    except OSError as exc:  # a transport let a socket error through; still a clear reason
        return CheckResult(kind, CheckStatus.OFFLINE, latency=time.monotonic() - start, error=str(exc))
    return CheckResult(kind, CheckStatus.ONLINE, latency=time.monotonic() - start, detail=detail)


async def check_provider(provider: Provider, *, timeout: float = 10.0) -> HealthReport:
    """All applicable checks of one node, concurrently, each bounded by ``timeout``."""
    resources: list[Resources] = []
    runner = provider.command_runner

    async def ssh_probe() -> str:
        assert runner is not None
        result = await runner.run(RESOURCE_ARGV, timeout=timeout)
        resources.append(parse_resources(result.out))
        return runner.description

    probes: list[Awaitable[CheckResult]] = []
    if runner is not None:
        probes.append(_timed(CheckKind.SSH, ssh_probe, timeout))
    if provider.api_configured:
        probes.append(_timed(CheckKind.API, provider.probe_api, timeout))
    probes.append(_timed(CheckKind.SERVICE, provider.probe_service, timeout))
    checks = tuple(await asyncio.gather(*probes))
    return HealthReport(
        node_id=provider.node.id,
        checks=checks,
        resources=resources[0] if resources else None,
        checked_at=datetime.now(UTC),
    )


def failed_connect_report(node_id: str, error: OcvError, *, api_configured: bool = False) -> HealthReport:
    """A node whose provider could not even be set up: its checks are offline with the reason."""
    kinds = [CheckKind.SSH, CheckKind.SERVICE] + ([CheckKind.API] if api_configured else [])
    return HealthReport(
        node_id=node_id,
        checks=tuple(CheckResult(k, CheckStatus.OFFLINE, error=str(error)) for k in kinds),
        checked_at=datetime.now(UTC),
    )
