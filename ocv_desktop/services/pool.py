"""One connected provider per node, shared by everything that talks to nodes in a long-lived app.

The GUI's actions and refreshes and the health monitor all go through ``ProviderPool.get``, so a
node has exactly one SSH connection and one API client however many callers there are.

Connecting: concurrent callers share one attempt (its success or its failure); a caller that
gives up (cancelled, e.g. by the health bound) does not cancel the attempt the others wait for,
and the next caller joins it instead of starting another. A failed attempt is not remembered, so
the next call (the next health cycle, a "check now") tries again; how often that happens is up to
the caller (the health monitor backs off). A node whose configuration changed is reconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from ocv_desktop.core.errors import CertificateError, HostKeyError, OcvError, Timeout
from ocv_desktop.core.models import HealthReport, NodeConfig
from ocv_desktop.health.checks import check_provider, failed_connect_report
from ocv_desktop.providers.base import Provider
from ocv_desktop.services.sessions import open_provider
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore

log = logging.getLogger(__name__)

DISCONNECT_TIMEOUT = 5.0


class ProviderPool:
    def __init__(self, home: Home, secrets: SecretStore, settings: Settings) -> None:
        self.home = home
        self.secrets = secrets
        self.settings = settings
        self._providers: dict[str, Provider] = {}
        self._connecting: dict[str, tuple[NodeConfig, asyncio.Task[Provider]]] = {}
        self._mutation_locks: dict[str, asyncio.Lock] = {}

    async def get(self, node: NodeConfig) -> Provider:
        """The node's connected provider, connecting (once, shared) when needed. Raises the
        connect errors of ``open_provider`` (ConnectError, AuthError, HostKeyUnknown, ...)."""
        current = self._providers.get(node.id)
        if current is not None and current.node == node:
            return current
        pending = self._connecting.get(node.id)
        # No await between the lookup and the registration: callers arriving together share one task.
        task = pending[1] if pending is not None and pending[0] == node else self._start_connect(node)
        return await asyncio.shield(task)

    def connected(self, node_id: str) -> Provider | None:
        return self._providers.get(node_id)

    @contextlib.asynccontextmanager
    async def exclusive(self, node: NodeConfig) -> AsyncIterator[Provider]:
        """The provider, with this node's mutations serialised (one start/stop/delete at a time
        per node; different nodes run in parallel)."""
        async with self._mutation_locks.setdefault(node.id, asyncio.Lock()):
            yield await self.get(node)

    async def drop(self, node_id: str) -> None:
        """Forget a node's provider (node removed, or credentials changed) and close it; a connect
        in progress is abandoned."""
        pending = self._connecting.pop(node_id, None)
        if pending is not None:
            await _cancel(pending[1])
        provider = self._providers.pop(node_id, None)
        if provider is not None:
            await self._disconnect(provider)

    async def close(self) -> None:
        """Abandon connects in progress and close every connection. (The pool stays usable: a
        later ``get`` connects again.)"""
        pending = [task for _, task in self._connecting.values()]
        self._connecting.clear()
        for task in pending:
            await _cancel(task)
        providers = list(self._providers.values())
        self._providers.clear()
        await asyncio.gather(*(self._disconnect(p) for p in providers))

    async def check_health(
        self,
        node: NodeConfig,
        *,
        on_connect: Callable[[OcvError | None], None] | None = None,
        on_ssh_trust: Callable[[HostKeyError | CertificateError | None], None] | None = None,
    ) -> HealthReport:
        """One health check through the node's shared provider, connecting first if needed; the
        whole of it (connect included) ends within ``settings.health_timeout``. Never raises for
        node problems: a node that cannot even be connected gives a report whose checks say why.
        ``on_connect`` learns how getting the provider went: None when it is connected, else the
        error (``HostKeyUnknown``, ``CertificateChanged``, ``Timeout``, ...), for callers that act
        on *why* (the GUI marks nodes whose trust needs the user). ``on_ssh_trust``: see
        ``health.checks.check_provider``."""
        timeout = self.settings.health_timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                provider = await self.get(node)
        except TimeoutError:
            error: OcvError = Timeout(f"connecting to {node.display_address}", timeout)
        except OcvError as exc:
            error = exc
        else:
            if on_connect is not None:
                on_connect(None)
            return await check_provider(provider, timeout=timeout, deadline=deadline, on_ssh_trust=on_ssh_trust)
        if on_connect is not None:
            on_connect(error)
        return failed_connect_report(node, error)

    # --- internals -------------------------------------------------------------------------------

    def _start_connect(self, node: NodeConfig) -> asyncio.Task[Provider]:
        previous = self._connecting.get(node.id)
        task = asyncio.get_running_loop().create_task(
            self._connect(node, previous[1] if previous else None), name=f"connect:{node.name}"
        )
        self._connecting[node.id] = (node, task)

        def forget(done: asyncio.Task[Provider]) -> None:
            entry = self._connecting.get(node.id)
            if entry is not None and entry[1] is done:
                del self._connecting[node.id]
            if not done.cancelled() and done.exception() is not None:
                log.debug("connecting to %s failed: %s", node.name, done.exception())

        task.add_done_callback(forget)
        return task

    async def _connect(self, node: NodeConfig, previous: asyncio.Task[Provider] | None) -> Provider:
        if previous is not None:  # a connect for the node's old configuration: not wanted any more
            await _cancel(previous)
        stale = self._providers.get(node.id)
        if stale is not None and stale.node == node:
            return stale
        if stale is not None:  # the user edited the node: its old connection is stale
            del self._providers[node.id]
            await self._disconnect(stale)
        provider = await open_provider(node, self.secrets, self.home, self.settings)
        self._providers[node.id] = provider
        return provider

    @staticmethod
    async def _disconnect(provider: Provider) -> None:
        try:
            await asyncio.wait_for(provider.disconnect(), DISCONNECT_TIMEOUT)
        except (OcvError, OSError, TimeoutError) as exc:
            log.warning("closing %s: %s", provider.name, exc)


async def _cancel(task: asyncio.Task[Provider]) -> None:
    """Cancel a connect task and wait until it is gone; a provider it finished with is closed."""
    task.cancel()
    try:
        provider = await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():  # we are being cancelled ourselves
            raise
        return
    except Exception:  # its failure was the waiting callers' business
        return
    await ProviderPool._disconnect(provider)
