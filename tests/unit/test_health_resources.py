"""The resource probe: the command's parser fed with the real output of its command on this machine,
and the direct road (files and statvfs) compared with it."""

from __future__ import annotations

import os
import shutil
import subprocess

from ocv_desktop.health.resources import (
    RESOURCE_ARGV,
    count_cpu_list,
    parse_resources,
    read_resources_directly,
)
from ocv_desktop.transport.local import LocalSession


def test_parses_this_machines_real_resources() -> None:
    out = subprocess.run(RESOURCE_ARGV, capture_output=True, text=True, check=True).stdout
    res = parse_resources(out)
    assert res.cpu_cores == os.cpu_count()
    disk = shutil.disk_usage("/")
    assert res.disk_total is not None and abs(res.disk_total - disk.total) < 1024 * 1024
    assert res.disk_free is not None and abs(res.disk_free - disk.free) < 512 * 1024 * 1024
    with open("/proc/meminfo") as f:
        total_kib = int(f.readline().split()[1])
    assert res.memory_total == total_kib * 1024
    assert res.memory_used is not None and 0 < res.memory_used < res.memory_total
    assert res.load1 is not None and res.load1 >= 0


def test_unreadable_parts_stay_unknown() -> None:
    res = parse_resources("---\n---\n")
    assert res.cpu_cores is None and res.memory_total is None and res.disk_total is None and res.load1 is None
    # df failed (only its error on stderr), /proc/loadavg unreadable: memory still parsed
    res = parse_resources("4\n---\n---\nMemTotal: 1000 kB\nMemAvailable: 250 kB\n")
    assert res.cpu_cores == 4
    assert res.memory_total == 1024000 and res.memory_used == 768000
    assert res.disk_total is None and res.load1 is None
    # a busybox df without -P support prints nothing useful; an old kernel without MemAvailable
    res = parse_resources("2\n---\nFilesystem\n---\n0.50 0.40 0.30 1/100 42\nMemTotal: 2000 kB\nMemFree: 500 kB\n")
    assert res.disk_total is None and res.load1 == 0.5 and res.memory_used == 1500 * 1024


def test_cpu_lists_as_the_kernel_writes_them() -> None:
    assert count_cpu_list("0\n") == 1
    assert count_cpu_list("0-1\n") == 2
    assert count_cpu_list("0-3,8,10-11\n") == 7
    assert count_cpu_list("") is None and count_cpu_list("3-1") is None and count_cpu_list("x") is None


async def test_direct_road_and_command_agree_on_this_machine() -> None:
    local = LocalSession()
    direct = await read_resources_directly(local, timeout=5)
    command = parse_resources((await local.run(RESOURCE_ARGV)).out)
    # online CPUs (getconf _NPROCESSORS_ONLN, os.cpu_count) vs the CPUs this process may use (nproc)
    assert direct.cpu_cores == os.cpu_count() and command.cpu_cores == len(os.sched_getaffinity(0))
    assert direct.memory_total == command.memory_total
    assert direct.disk_total is not None and command.disk_total is not None
    assert abs(direct.disk_total - command.disk_total) < 1024  # df rounds to KiB
    assert direct.disk_free is not None and command.disk_free is not None
    assert abs(direct.disk_free - command.disk_free) < 64 * 1024 * 1024  # the disk is in use meanwhile
    assert direct.memory_used is not None and command.memory_used is not None
    assert abs(direct.memory_used - command.memory_used) < 256 * 1024 * 1024
    assert direct.load1 is not None and command.load1 is not None and abs(direct.load1 - command.load1) < 2


def test_cpu_ticks_from_the_first_line_of_proc_stat() -> None:
    from ocv_desktop.health.resources import parse_cpu_ticks

    # user nice system idle iowait irq softirq steal guest guest_nice: guest is inside user already
    assert parse_cpu_ticks("cpu  100 5 50 800 40 1 2 2 30 0\ncpu0 1 2 3 4\n") == (160, 1000)
    assert parse_cpu_ticks("cpu  10 0 10 80\n") == (20, 100)  # an old kernel: four fields
    assert parse_cpu_ticks("") == (None, None)
    assert parse_cpu_ticks("cpu0 1 2 3 4 5\n") == (None, None)  # not the all-CPUs line
    assert parse_cpu_ticks("cpu  1 2 x 4 5\n") == (None, None)


async def test_both_roads_read_the_cpu_ticks_of_this_machine() -> None:
    local = LocalSession()
    direct = await read_resources_directly(local, timeout=5)
    command = parse_resources((await local.run(RESOURCE_ARGV)).out)
    assert direct.cpu_total_ticks is not None and command.cpu_total_ticks is not None
    assert direct.cpu_busy_ticks is not None and command.cpu_busy_ticks is not None
    # the counters only grow, and the command ran after the direct read
    assert 0 < direct.cpu_busy_ticks <= command.cpu_busy_ticks < command.cpu_total_ticks
    assert direct.cpu_total_ticks <= command.cpu_total_ticks
