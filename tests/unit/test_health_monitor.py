"""Scheduling logic of the health monitor, driven by plain coroutine checks (no servers involved:
the lab tests in tests/integration cover real nodes)."""

from __future__ import annotations

import asyncio
import time

from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    HealthReport,
    HealthState,
    NodeConfig,
    Platform,
)
from ocv_desktop.health.monitor import HealthMonitor, MonitorSettings, next_delay


def node(name: str) -> NodeConfig:
    return NodeConfig(name=name, type=Platform.DOCKER, host="10.77.0.2")


def report(n: NodeConfig, ok: bool) -> HealthReport:
    status = CheckStatus.ONLINE if ok else CheckStatus.OFFLINE
    return HealthReport(node_id=n.id, checks=(CheckResult(CheckKind.SSH, status),))


def test_backoff_grows_to_the_cap_and_jitter_stays_in_bounds() -> None:
    s = MonitorSettings(interval=30, jitter=0.1, max_backoff=300)
    assert next_delay(s, 0, rand=lambda: 0.5) == 30
    assert next_delay(s, 1, rand=lambda: 0.5) == 60
    assert next_delay(s, 2, rand=lambda: 0.5) == 120
    assert next_delay(s, 3, rand=lambda: 0.5) == 240
    assert next_delay(s, 4, rand=lambda: 0.5) == 300
    assert next_delay(s, 20, rand=lambda: 0.5) == 300
    assert next_delay(s, 0, rand=lambda: 0.0) == 27
    assert next_delay(s, 0, rand=lambda: 1.0) == 33


async def test_a_hanging_node_never_delays_the_others() -> None:
    fast = [node(f"fast{i}") for i in range(5)]
    dead = node("dead")
    arrived: dict[str, float] = {}

    async def check(n: NodeConfig) -> HealthReport:
        if n is dead:
            await asyncio.sleep(3600)
        await asyncio.sleep(0.01)
        return report(n, True)

    t0 = time.monotonic()
    got_all = asyncio.Event()

    def deliver(r: HealthReport) -> None:
        arrived.setdefault(r.node_id, time.monotonic() - t0)
        if len(arrived) == 6:
            got_all.set()

    mon = HealthMonitor(check, deliver, MonitorSettings(interval=60, timeout=0.5, concurrency=16))
    mon.start([dead, *fast])
    await asyncio.wait_for(got_all.wait(), 5)
    await mon.stop()

    assert all(arrived[n.id] < 0.3 for n in fast), arrived
    # The dead node is reported as offline once its bound passes, not never.
    assert 0.45 <= arrived[dead.id] < 1.5


async def test_concurrency_cap_is_respected() -> None:
    nodes = [node(f"n{i}") for i in range(12)]
    running = 0
    peak = 0
    done = asyncio.Event()
    seen: set[str] = set()

    async def check(n: NodeConfig) -> HealthReport:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        return report(n, True)

    def deliver(r: HealthReport) -> None:
        seen.add(r.node_id)
        if len(seen) == len(nodes):
            done.set()

    mon = HealthMonitor(check, deliver, MonitorSettings(interval=60, timeout=5, concurrency=3))
    mon.start(nodes)
    await asyncio.wait_for(done.wait(), 5)
    await mon.stop()
    assert peak == 3


async def test_failures_back_off_and_check_now_resets() -> None:
    n = node("flaky")
    healthy = False
    reports: list[HealthReport] = []
    new_report = asyncio.Event()

    async def check(_: NodeConfig) -> HealthReport:
        return report(n, healthy)

    def deliver(r: HealthReport) -> None:
        reports.append(r)
        new_report.set()

    async def next_report() -> HealthReport:
        new_report.clear()
        await asyncio.wait_for(new_report.wait(), 5)
        return reports[-1]

    # interval 0.05 s: backoff 0.1, 0.2, 0.4 ... capped at 0.4 s
    mon = HealthMonitor(check, deliver, MonitorSettings(interval=0.05, timeout=1, jitter=0, max_backoff=0.4))
    mon.start([n])
    for expected in (1, 2, 3):
        r = await next_report()
        assert r.state is HealthState.UNHEALTHY
        assert mon.failures(n.id) == expected

    healthy = True
    t = time.monotonic()
    mon.check_now([n.id])
    r = await next_report()
    assert time.monotonic() - t < 0.2  # did not wait for the 0.4 s backoff
    assert r.state is HealthState.HEALTHY
    assert mon.failures(n.id) == 0
    await mon.stop()


async def test_stop_leaves_no_task_behind_and_set_nodes_follows_config() -> None:
    a, b = node("a"), node("b")
    checked: list[str] = []

    async def check(n: NodeConfig) -> HealthReport:
        checked.append(n.name)
        return report(n, True)

    mon = HealthMonitor(check, lambda r: None, MonitorSettings(interval=0.02, timeout=1, jitter=0))
    mon.start([a])
    await asyncio.sleep(0.1)
    mon.set_nodes([b])  # a removed, b added
    checked.clear()
    await asyncio.sleep(0.1)
    assert set(checked) == {"b"}
    await mon.stop()
    await asyncio.sleep(0)
    leftover = [t for t in asyncio.all_tasks() if (t.get_name() or "").startswith("health:")]
    assert leftover == []
