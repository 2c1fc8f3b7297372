"""Periodic health checks for every node, without one dead node ever delaying another.

Each node has its own asyncio task that sleeps until the node is due, takes a slot of the global
concurrency cap, runs one bounded check and delivers the report at once. Healthy (and partial)
nodes are checked every ``interval`` seconds, with jitter so a hundred nodes do not fire together;
unhealthy nodes (no check passed) back off exponentially up to ``max_backoff``, so a dead node is
retried on a later cycle, never in a tight loop. ``check_now`` checks at once and resets the backoff.

The monitor knows nothing about providers or Qt: it is given a ``check`` coroutine function and a
``deliver`` callback, so the GUI, the CLI and the tests drive it the same way. The check is
expected to bound itself (``ProviderPool.check_health`` ends within ``health_timeout``); the
monitor adds a safety net a little later, so even a check that hangs cannot stall its node.

``check_all`` is the one-shot form (the CLI, the benchmark): every node once, same cap and bound,
reports yielded in the order they finish.

The cap adapts to the node count (issue 15): ``concurrency`` (Settings.health_concurrency) bounds
the checks that must *connect* first: the key exchanges and handshakes that load the network and
the CPU. A check of a node that is already connected (``warm(node)`` is true: two round trips and
~2 ms of CPU) only takes a slot of ``WARM_LIMIT``, so a round of 200 connected nodes is one wave
whatever the configured cap, and a config saved with the old default (16) works as before for
connects without making every later round four waves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import HealthReport, HealthState, NodeConfig
from ocv_desktop.health.checks import failed_connect_report, timed_out_report
from ocv_desktop.store.config import Settings

log = logging.getLogger(__name__)

CheckFn = Callable[[NodeConfig], Awaitable[HealthReport]]
DeliverFn = Callable[[HealthReport], None]
WarmFn = Callable[[NodeConfig], bool]  # the node has a live connection: its check will not connect
WARM_LIMIT = 256  # checks of connected nodes running at once, on top of the connect cap


def _cold(_node: NodeConfig) -> bool:
    return False


class _Slots:
    """The two caps: ``concurrency`` for checks that connect, ``WARM_LIMIT`` for the others."""

    def __init__(self, concurrency: int, warm: WarmFn | None) -> None:
        self.connecting = asyncio.Semaphore(concurrency)
        self.connected = asyncio.Semaphore(WARM_LIMIT)
        self.warm = warm or _cold

    def of(self, node: NodeConfig) -> asyncio.Semaphore:
        return self.connected if self.warm(node) else self.connecting


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    interval: float = 30.0  # seconds between checks of a node that answers
    timeout: float = 10.0  # bound for one whole node check (the check's own; see safety_net)
    concurrency: int = 64  # checks running at once, all nodes together (Settings.health_concurrency)
    jitter: float = 0.1  # +- fraction of the delay, spreads nodes over time
    max_backoff: float = 300.0  # longest wait between checks of an unhealthy node

    @classmethod
    def from_settings(cls, settings: Settings) -> MonitorSettings:
        """The user's ``settings:`` (health_interval, health_timeout, health_concurrency)."""
        return cls(
            interval=settings.health_interval,
            timeout=settings.health_timeout,
            concurrency=settings.health_concurrency,
        )

    @property
    def safety_net(self) -> float:
        """When the monitor gives up on a check that did not bound itself: a little after
        ``timeout``, so a well-behaved check always reports its own (more precise) result."""
        return self.timeout + max(0.5, 0.2 * self.timeout)


def next_delay(settings: MonitorSettings, failures: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds until the next check after ``failures`` consecutive unhealthy results."""
    base = settings.interval if failures == 0 else min(settings.interval * 2**failures, settings.max_backoff)
    spread = base * settings.jitter
    return max(0.0, base + (2 * rand() - 1) * spread)


async def bounded_check(check: CheckFn, node: NodeConfig, settings: MonitorSettings) -> HealthReport:
    """One check of one node that always returns a report, by ``settings.safety_net`` at the latest."""
    try:
        return await asyncio.wait_for(check(node), settings.safety_net)
    except TimeoutError:
        log.warning("health check of %s did not end within %g s", node.name, settings.safety_net)
        return timed_out_report(node, settings.timeout)
    except Exception as exc:  # the check must turn node problems into reports; this is a bug
        log.exception("health check of %s raised", node.name)
        return failed_connect_report(node, OcvError(f"internal error ({type(exc).__name__}: {exc}); please report it"))


async def check_all(
    nodes: Iterable[NodeConfig],
    check: CheckFn,
    settings: MonitorSettings | None = None,
    warm: WarmFn | None = None,
) -> AsyncGenerator[HealthReport, None]:
    """Check every node once, at most ``settings.concurrency`` at a time; yield each report as
    soon as its node finishes (a slow node never holds back the others). Iterate it inside
    ``contextlib.aclosing(...)``: leaving the loop early then cancels the checks still running."""
    settings = settings or MonitorSettings()
    slots = _Slots(settings.concurrency, warm)

    async def one(node: NodeConfig) -> HealthReport:
        async with slots.of(node):
            return await bounded_check(check, node, settings)

    tasks = [asyncio.ensure_future(one(n)) for n in nodes]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _NodeLoop:
    """The schedule of one node: its task, its failure count and a wake-up event."""

    def __init__(self, node: NodeConfig) -> None:
        self.node = node
        self.failures = 0
        self.epoch = 0  # bumped by check_now: results of checks started before it do not back off
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class HealthMonitor:
    def __init__(
        self,
        check: CheckFn,
        deliver: DeliverFn,
        settings: MonitorSettings | None = None,
        warm: WarmFn | None = None,
    ) -> None:
        self._check = check
        self._deliver = deliver
        self.settings = settings or MonitorSettings()
        self._loops: dict[str, _NodeLoop] = {}
        self._slots = _Slots(self.settings.concurrency, warm)
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
        """Cancel every node task and wait for them, so nothing is left pending. (Connections
        belong to whoever owns them: close the ProviderPool after this.)"""
        self._running = False
        loops = list(self._loops.values())
        self._loops.clear()
        await self._cancel(loops)
        while self._reaping:
            await asyncio.gather(*list(self._reaping))

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
        """Check these nodes (default all) immediately and forget their backoff. A node whose
        check is running right now is checked once more as soon as that one ends."""
        ids = set(self._loops) if node_ids is None else set(node_ids)
        for node_id in ids & set(self._loops):
            lp = self._loops[node_id]
            lp.failures = 0
            lp.epoch += 1
            lp.wake.set()

    def failures(self, node_id: str) -> int:
        """Consecutive unhealthy results of a node (0 when it answers)."""
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
            # Cleared before the check, so a check_now that arrives during it is not lost.
            lp.wake.clear()
            epoch = lp.epoch
            async with self._slots.of(lp.node):
                report = await bounded_check(self._check, lp.node, self.settings)
            if lp.epoch == epoch:  # a check_now meanwhile already reset the count
                lp.failures = lp.failures + 1 if report.state is HealthState.UNHEALTHY else 0
            try:
                self._deliver(report)
            except Exception:  # a broken consumer must not stop the checks
                log.exception("health report consumer failed for node %s", lp.node.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lp.wake.wait(), next_delay(self.settings, lp.failures))
