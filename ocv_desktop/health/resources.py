"""A node's resources for its health report: CPU cores, memory, root filesystem, load.

Two roads to the same numbers:

- ``DirectAccess`` (the usual one): /sys/devices/system/cpu/online, /proc/loadavg, /proc/meminfo
  and /proc/stat (its first line: the CPU tick counters a CPU % is computed from) read over the
  connection's SFTP session, and statvfs("/"): no process starts on
  the node, and the reads are ONE round trip (files kept open, reads sent together).
- ``RESOURCE_ARGV``, a constant command, when the runner has no direct access or the node refuses
  it (no SFTP subsystem, SFTP chrooted away from /proc, no statvfs extension).

The two agree (tests compare them on the lab's nodes), with one nuance: the command counts CPUs
with ``nproc`` (the CPUs the SSH session may run on), the direct road counts the CPUs the kernel has
online (``getconf _NPROCESSORS_ONLN``); they differ only where sshd runs pinned to fewer CPUs.
"""

from __future__ import annotations

import asyncio
import logging
import math

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.core.models import Resources
from ocv_desktop.transport.base import CommandRunner, DirectAccess, direct_access

log = logging.getLogger(__name__)

# A constant script (no user value in it): CPU count, root filesystem, load average and memory.
# Few processes on purpose (sh, nproc, df, cat), for nodes where the direct road is closed; the
# first line of /proc/stat comes by the shell's own ``read`` (no process).
RESOURCE_ARGV = (
    "sh",
    "-c",
    "nproc 2>/dev/null || getconf _NPROCESSORS_ONLN; echo ---; df -Pk /; echo ---; cat /proc/loadavg /proc/meminfo;"
    " echo ---; read -r l < /proc/stat && echo \"$l\"",
)

CPU_ONLINE = "/sys/devices/system/cpu/online"
LOADAVG = "/proc/loadavg"
MEMINFO = "/proc/meminfo"
STAT = "/proc/stat"


async def read_resources(runner: CommandRunner, *, timeout: float) -> Resources:
    """The node's resources by the direct road when it is open, else by ``RESOURCE_ARGV``.
    Raises what the runner raises when the node does not answer (ConnectError, Timeout, ...)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    direct = direct_access(runner)
    if direct is not None:
        try:
            return await read_resources_directly(direct, timeout=timeout)
        except Unsupported as exc:
            log.debug("resources of %s by command: %s", runner.description, exc)
    result = await runner.run(RESOURCE_ARGV, timeout=max(deadline - loop.time(), 0.5))
    return parse_resources(result.out)


async def read_resources_directly(direct: DirectAccess, *, timeout: float) -> Resources:
    """Both requests go out together: one round trip on a warm connection."""
    (cpus, loadavg, meminfo, stat), disk = await asyncio.gather(
        direct.read_small_files((CPU_ONLINE, LOADAVG, MEMINFO, STAT), timeout=timeout),
        direct.disk_space("/", timeout=timeout),
    )
    total, used = parse_meminfo(meminfo.decode("ascii", "replace"))
    busy, ticks = parse_cpu_ticks(stat.decode("ascii", "replace"))
    return Resources(
        cpu_cores=count_cpu_list(cpus.decode("ascii", "replace")),
        memory_total=total,
        memory_used=used,
        disk_total=disk.total,
        disk_free=disk.available,
        load1=parse_load1(loadavg.decode("ascii", "replace")),
        cpu_busy_ticks=busy,
        cpu_total_ticks=ticks,
    )


def parse_resources(text: str) -> Resources:
    """Parse the output of ``RESOURCE_ARGV``; fields that cannot be read stay None."""
    parts = text.split("---\n")
    parts += [""] * (4 - len(parts))
    cores = _int(parts[0].strip().splitlines()[0] if parts[0].strip() else "")
    df_lines = parts[1].strip().splitlines()
    df = df_lines[-1].split() if len(df_lines) >= 2 else []  # header, then the filesystem of /
    total, free = (_int(df[1]), _int(df[3])) if len(df) >= 4 else (None, None)
    disk_total = total * 1024 if total is not None else None
    disk_free = free * 1024 if free is not None else None
    # /proc/loadavg's one line has no colon; every /proc/meminfo line has one.
    lines = parts[2].splitlines()
    loadavg = next((line for line in lines if line.strip() and ":" not in line), "")
    total, used = parse_meminfo("\n".join(line for line in lines if ":" in line))
    busy, ticks = parse_cpu_ticks(parts[3])
    return Resources(
        cpu_cores=cores,
        memory_total=total,
        memory_used=used,
        disk_total=disk_total,
        disk_free=disk_free,
        load1=parse_load1(loadavg),
        cpu_busy_ticks=busy,
        cpu_total_ticks=ticks,
    )


def parse_meminfo(text: str) -> tuple[int | None, int | None]:
    """(total, used) bytes from /proc/meminfo; used = total - available (MemFree on old kernels)."""
    mem: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        fields = rest.split()
        kib = _int(fields[0]) if fields else None  # str.isdigit() also takes "²", which int() refuses
        if kib is not None:
            mem[key.strip()] = kib * 1024  # /proc/meminfo is in KiB
    total = mem.get("MemTotal")
    available = mem.get("MemAvailable", mem.get("MemFree"))
    return total, (total - available) if total is not None and available is not None else None


def parse_cpu_ticks(text: str) -> tuple[int | None, int | None]:
    """(busy, total) clock ticks of all CPUs from the first line of /proc/stat ("cpu  user nice
    system idle iowait irq softirq steal ..."); busy = total - idle - iowait. Guest time is already
    counted in user/nice, so only the first eight fields are summed."""
    fields = text.split("\n", 1)[0].split()
    if len(fields) < 5 or fields[0] != "cpu":
        return None, None
    ticks = [_int(f) for f in fields[1:9]]
    if any(t is None for t in ticks):
        return None, None
    values = [t for t in ticks if t is not None]
    total = sum(values)
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return total - idle, total


def parse_load1(text: str) -> float | None:
    """The 1-minute load average: the first field of /proc/loadavg."""
    fields = text.split()
    return _float(fields[0]) if fields else None


def count_cpu_list(text: str) -> int | None:
    """How many CPUs a kernel CPU list names ("0-3,8,10-11" -> 7); None when it is not one."""
    count = 0
    for item in text.strip().split(","):
        first, _, last = item.partition("-")
        low, high = _int(first), _int(last or first)
        if low is None or high is None or high < low:
            return None
        count += high - low + 1
    return count


def _int(text: str) -> int | None:
    """A plain decimal count (no sign, no '_', ASCII digits only), within int64; else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def _float(text: str) -> float | None:
    """A finite number; NaN, Infinity and unreadable text are None (a field that cannot be read)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
