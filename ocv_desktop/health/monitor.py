"""Periodic health checks for every node, without one dead node ever delaying another.

Each node has its own asyncio task that sleeps until the node is due, takes a slot of the global
concurrency cap, runs one bounded check and delivers the report at once. Healthy nodes are
checked every ``interval`` seconds (with jitter so a hundred nodes do not fire together);
unhealthy nodes back off exponentially up to ``max_backoff``. ``check_now`` resets the backoff.

The monitor knows nothing about providers or Qt: it is given a ``check`` coroutine function and a
``deliver`` callback, so the GUI, the CLI and the tests drive it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    HealthReport,
    HealthState,
    NodeConfig,
)

log = logging.getLogger(__name__)

CheckFn = Callable[[NodeConfig], Awaitable[HealthReport]]
DeliverFn = Callable[[HealthReport], None]


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    interval: float = 30.0  # seconds between checks of a healthy node
    timeout: float = 10.0  # bound for one whole node check
    concurrency: int = 16  # checks running at once, all nodes together
    jitter: float = 0.1  # +- fraction of the delay, spreads nodes over time
    max_backoff: float = 300.0  # longest wait between checks of a failing node


def next_delay(settings: MonitorSettings, failures: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds until the next check after ``failures`` consecutive unhealthy results."""
    base = settings.interval if failures == 0 else min(settings.interval * 2**failures, settings.max_backoff)
    spread = base * settings.jitter
    return max(0.0, base + (2 * rand() - 1) * spread)


def timed_out_report(node: NodeConfig, seconds: float) -> HealthReport:
    """What a node that did not answer within the bound looks like: every check offline."""
    error = f"no answer within {seconds:g} s"
    return HealthReport(
        node_id=node.id,
        checks=(CheckResult(CheckKind.SSH, CheckStatus.OFFLINE, latency=None, error=error),),
        checked_at=datetime.now(UTC),
    )


class _NodeLoop:
    """The schedule of one node: its task, its failure count and a wake-up event."""

    def __init__(self, node: NodeConfig) -> None:
        self.node = node
        self.failures = 0
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class HealthMonitor:
    def __init__(self, check: CheckFn, deliver: DeliverFn, settings: MonitorSettings | None = None) -> None:
        self._check = check
        self._deliver = deliver
        self.settings = settings or MonitorSettings()
        self._loops: dict[str, _NodeLoop] = {}
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._running = False
        self._reaping: set[asyncio.Task[None]] = set()  # strong refs to cancellations in flight

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    def start(self, nodes: Iterable[NodeConfig]) -> None:
        """Begin checking ``nodes``; each is checked once right away, then on its schedule."""
        self._running = True
        self.set_nodes(nodes)

    async def stop(self) -> None:
        """Cancel every node task and wait for them, so nothing is left pending."""
        self._running = False
        loops = list(self._loops.values())
        self._loops.clear()
        await self._cancel(loops)
        if self._reaping:
            await asyncio.gather(*self._reaping)

    def set_nodes(self, nodes: Iterable[NodeConfig]) -> None:
        """Follow the configured nodes: start loops for new ones, stop removed ones, and restart a
        node whose config changed (its address or credentials may be different now)."""
        wanted = {n.id: n for n in nodes}
        stale = [lp for nid, lp in self._loops.items() if nid not in wanted or lp.node != wanted[nid]]
        for lp in stale:
            del self._loops[lp.node.id]
        if stale:
            reaper = asyncio.get_running_loop().create_task(self._cancel(stale))
            self._reaping.add(reaper)
            reaper.add_done_callback(self._reaping.discard)
        if not self._running:
            return
        for node_id, node in wanted.items():
            if node_id not in self._loops:
                lp = _NodeLoop(node)
                lp.task = asyncio.get_running_loop().create_task(self._run(lp), name=f"health:{node.name}")
                self._loops[node_id] = lp

    def check_now(self, node_ids: Iterable[str] | None = None) -> None:
        """Check these nodes (default all) immediately and forget their backoff."""
        ids = set(self._loops) if node_ids is None else set(node_ids)
        for node_id in ids & set(self._loops):
            lp = self._loops[node_id]
            lp.failures = 0
            lp.wake.set()

    def failures(self, node_id: str) -> int:
        lp = self._loops.get(node_id)
        return lp.failures if lp else 0

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    async def _cancel(loops: list[_NodeLoop]) -> None:
        tasks = [lp.task for lp in loops if lp.task is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t

    async def _run(self, lp: _NodeLoop) -> None:
        while True:
            report = await self._check_once(lp.node)
            if report.state in (HealthState.HEALTHY, HealthState.UNKNOWN):
                lp.failures = 0
            else:
                lp.failures += 1
            try:
                self._deliver(report)
            except Exception:  # a broken consumer must not stop the checks
                log.exception("health report consumer failed for node %s", lp.node.name)
            lp.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lp.wake.wait(), next_delay(self.settings, lp.failures))

    async def _check_once(self, node: NodeConfig) -> HealthReport:
        async with self._slots:
            try:
                return await asyncio.wait_for(self._check(node), self.settings.timeout)
            except TimeoutError:
                return timed_out_report(node, self.settings.timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the check itself must turn errors into reports; be safe anyway
                log.exception("health check of %s raised", node.name)
                return HealthReport(
                    node_id=node.id,
                    checks=(CheckResult(CheckKind.SSH, CheckStatus.OFFLINE, error=str(exc)),),
                )
