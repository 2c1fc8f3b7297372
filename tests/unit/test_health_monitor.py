"""Scheduling logic of the health monitor, driven by plain coroutine checks (no servers involved:
the lab tests in tests/integration cover real nodes)."""

from __future__ import annotations

import asyncio
import contextlib

from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    HealthReport,
    HealthState,
    NodeConfig,
    Platform,
)
from ocv_desktop.health.monitor import HealthMonitor, MonitorSettings, check_all, next_delay
from ocv_desktop.store.config import Settings


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
    arrived: dict[str, HealthReport] = {}  # in order of arrival
    cancelled: list[str] = []

    async def check(n: NodeConfig) -> HealthReport:
        if n is dead:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(n.name)
                raise
        await asyncio.sleep(0.01)
        return report(n, True)

    got_all = asyncio.Event()

    def deliver(r: HealthReport) -> None:
        arrived.setdefault(r.node_id, r)
        if len(arrived) == 6:
            got_all.set()

    settings = MonitorSettings(interval=60, timeout=0.5, concurrency=16)
    mon = HealthMonitor(check, deliver, settings)
    mon.start([dead, *fast])
    await asyncio.wait_for(got_all.wait(), 5)
    await mon.stop()

    # The dead node was started first, yet every live node's report came before its own.
    assert list(arrived) == [*(n.id for n in fast), dead.id]
    assert all(arrived[n.id].state is HealthState.HEALTHY for n in fast)
    # A check that does not bound itself is cut off by the monitor's safety net (cancelled), not never.
    assert cancelled == ["dead"]
    assert arrived[dead.id].state is HealthState.UNHEALTHY
    assert arrived[dead.id].check(CheckKind.SSH).error == "no answer within 0.5 s"


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

    # interval 0.05 s: backoff 0.1, 0.2 ...
    mon = HealthMonitor(check, deliver, MonitorSettings(interval=0.05, timeout=1, jitter=0))
    mon.start([n])
    for expected in (1, 2, 3):
        r = await next_report()
        assert r.state is HealthState.UNHEALTHY
        assert mon.failures(n.id) == expected
        if expected == 2:
            # From the third failure on, the backoff is an hour (the monitor reads its settings each
            # round, and the delay after a report is computed right after its delivery).
            mon.settings = MonitorSettings(interval=3600, timeout=1, jitter=0, max_backoff=3600)

    healthy = True
    mon.check_now([n.id])
    r = await next_report()  # within next_report's 5 s: check_now did not wait for the hour
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


def partial_report(n: NodeConfig) -> HealthReport:
    return HealthReport(
        node_id=n.id,
        checks=(CheckResult(CheckKind.SSH, CheckStatus.ONLINE), CheckResult(CheckKind.SERVICE, CheckStatus.OFFLINE)),
    )


async def test_only_unhealthy_nodes_back_off_partial_ones_keep_their_interval() -> None:
    n = node("half")
    states = iter([False, False, "partial", False])
    seen: list[tuple[HealthState, int]] = []
    done = asyncio.Event()
    mon: HealthMonitor

    async def check(_: NodeConfig) -> HealthReport:
        state = next(states, True)
        return partial_report(n) if state == "partial" else report(n, bool(state))

    def deliver(r: HealthReport) -> None:
        seen.append((r.state, mon.failures(n.id)))
        if len(seen) == 5:
            done.set()

    mon = HealthMonitor(check, deliver, MonitorSettings(interval=0.02, timeout=1, jitter=0, max_backoff=0.1))
    mon.start([n])
    await asyncio.wait_for(done.wait(), 5)
    await mon.stop()
    assert seen == [
        (HealthState.UNHEALTHY, 1),
        (HealthState.UNHEALTHY, 2),
        (HealthState.PARTIAL, 0),  # it answers: no backoff, the next check comes after the interval
        (HealthState.UNHEALTHY, 1),
        (HealthState.HEALTHY, 0),
    ]


async def test_check_now_during_a_running_check_is_not_lost() -> None:
    n = node("busy")
    events: list[str] = []
    delivered = asyncio.Event()
    count = 0

    async def check(_: NodeConfig) -> HealthReport:
        events.append("start")
        await asyncio.sleep(0.2)
        events.append("end")
        return report(n, False)

    def deliver(_: HealthReport) -> None:
        nonlocal count
        count += 1
        if count == 2:
            delivered.set()

    mon = HealthMonitor(check, deliver, MonitorSettings(interval=60, timeout=1, jitter=0))
    mon.start([n])
    await asyncio.sleep(0.05)  # the first check is running
    mon.check_now()
    await asyncio.wait_for(delivered.wait(), 5)  # not 120 s (the backoff after a failure)
    # one more check, right after the running one (not in parallel with it)
    assert events[:4] == ["start", "end", "start", "end"]
    # The check that was already running when "check now" came does not count towards the backoff.
    assert mon.failures(n.id) == 1
    await mon.stop()


async def test_check_all_yields_each_report_when_its_node_finishes() -> None:
    delays = {"slow": 0.3, "fast": 0.05, "mid": 0.15}
    nodes = [node(name) for name in ("slow", "fast", "mid")]
    hung = node("hung")
    by_id = {n.id: n.name for n in [*nodes, hung]}

    cancelled: list[str] = []

    async def check(n: NodeConfig) -> HealthReport:
        if n is hung:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(n.name)
                raise
        await asyncio.sleep(delays[n.name])
        return report(n, True)

    settings = MonitorSettings(timeout=0.5, concurrency=16)
    got: list[str] = []
    last: HealthReport | None = None
    async with contextlib.aclosing(check_all([hung, *nodes], check, settings)) as reports:
        async for last in reports:
            got.append(by_id[last.node_id])
    # in the order the nodes finished, not the order they were given; the hung one last, cut off
    assert got == ["fast", "mid", "slow", "hung"]
    assert cancelled == ["hung"]
    assert last is not None and last.state is HealthState.UNHEALTHY
    assert last.check(CheckKind.SSH).error == "no answer within 0.5 s"


async def test_check_all_respects_the_cap_and_leaving_early_cancels_the_rest() -> None:
    nodes = [node(f"n{i}") for i in range(8)]
    running = peak = started = cancelled = 0

    async def check(n: NodeConfig) -> HealthReport:
        nonlocal running, peak, started, cancelled
        started += 1
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.05 if n is nodes[0] else 10)
            return report(n, True)
        except asyncio.CancelledError:
            cancelled += 1
            raise
        finally:
            running -= 1

    async with contextlib.aclosing(check_all(nodes, check, MonitorSettings(timeout=30, concurrency=3))) as reports:
        async for _ in reports:
            break
    assert peak == 3
    assert started <= 4  # the first three, and the one whose slot the finished check freed
    assert cancelled == started - 1  # every check still running was cancelled; the rest never started
    assert running == 0
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert leftover == []


def test_settings_come_from_the_user_config() -> None:
    s = MonitorSettings.from_settings(Settings(health_interval=45, health_timeout=7, health_concurrency=4))
    assert (s.interval, s.timeout, s.concurrency, s.max_backoff) == (45, 7, 4, 300)
    assert s.safety_net == 7 + 1.4


async def test_a_check_that_raises_becomes_a_report_and_the_node_keeps_being_checked() -> None:
    n = node("buggy")
    got: list[HealthReport] = []
    two = asyncio.Event()

    async def check(_: NodeConfig) -> HealthReport:
        raise ValueError("a bug")

    def deliver(r: HealthReport) -> None:
        got.append(r)
        if len(got) == 2:
            two.set()

    mon = HealthMonitor(check, deliver, MonitorSettings(interval=0.01, timeout=1, jitter=0, max_backoff=0.02))
    mon.start([n])
    await asyncio.wait_for(two.wait(), 2)
    await mon.stop()
    assert [c.kind for c in got[0].checks] == [CheckKind.SSH, CheckKind.API, CheckKind.SERVICE]
    assert got[0].state is HealthState.UNHEALTHY
    assert "internal error (ValueError: a bug)" in got[0].check(CheckKind.SSH).error


async def test_shipped_defaults_check_fifty_nodes_in_one_wave() -> None:
    """Issue 15: with the default cap of 16, 50 nodes ran in four waves (a round took 4x one check).
    Every check waits until all 50 have started: with a smaller cap this never ends."""
    nodes = [node(f"n{i}") for i in range(50)]
    started: set[str] = set()
    everyone = asyncio.Event()

    async def check(n: NodeConfig) -> HealthReport:
        started.add(n.id)
        if len(started) == len(nodes):
            everyone.set()
        await everyone.wait()
        return report(n, True)

    settings = MonitorSettings.from_settings(Settings())
    got = []
    async with asyncio.timeout(20), contextlib.aclosing(check_all(nodes, check, settings)) as reports:
        async for r in reports:
            got.append(r.node_id)
    assert sorted(got) == sorted(n.id for n in nodes)


async def test_the_cap_bounds_connects_and_connected_nodes_are_checked_in_one_wave() -> None:
    """Issue 15: the configured cap (an old config's 16, here 3) bounds the checks that must
    connect; nodes that are already connected are not held back by it."""
    connected = {f"n{i}" for i in range(20)}
    nodes = [node(f"n{i}") for i in range(30)]  # 20 connected, 10 that must connect
    running = {"warm": 0, "cold": 0}
    peak = {"warm": 0, "cold": 0}

    async def check(n: NodeConfig) -> HealthReport:
        kind = "warm" if n.name in connected else "cold"
        running[kind] += 1
        peak[kind] = max(peak[kind], running[kind])
        await asyncio.sleep(0.05)
        running[kind] -= 1
        return report(n, True)

    settings = MonitorSettings(interval=60, timeout=5, concurrency=3)
    finished = []
    async with contextlib.aclosing(check_all(nodes, check, settings, warm=lambda n: n.name in connected)) as reports:
        async for r in reports:
            finished.append(r.node_id)
    assert sorted(finished) == sorted(n.id for n in nodes)
    assert peak == {"warm": 20, "cold": 3}

    # the monitor the same way
    peak.update(warm=0, cold=0)
    seen: set[str] = set()
    done = asyncio.Event()

    def deliver(r: HealthReport) -> None:
        seen.add(r.node_id)
        if len(seen) == len(nodes):
            done.set()

    mon = HealthMonitor(check, deliver, settings, warm=lambda n: n.name in connected)
    mon.start(nodes)
    await asyncio.wait_for(done.wait(), 5)
    await mon.stop()
    assert peak == {"warm": 20, "cold": 3}
