"""One connected provider per node, shared by everything that talks to nodes in a long-lived app.

The GUI's actions and refreshes and the health monitor all go through ``ProviderPool.get``, so a
node has exactly one SSH connection and one API client however many callers there are.
Concurrent first calls share one connect; a failed connect is not cached (the next call, e.g. the
next health cycle, tries again); a node whose configuration changed is reconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from ocv_desktop.core.config import Settings
from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.home import Home
from ocv_desktop.core.models import HealthReport, NodeConfig
from ocv_desktop.core.secrets import SecretStore
from ocv_desktop.health.checks import check_provider, failed_connect_report
from ocv_desktop.providers.base import Provider
from ocv_desktop.services.sessions import open_provider

log = logging.getLogger(__name__)


class ProviderPool:
    def __init__(self, home: Home, secrets: SecretStore, settings: Settings) -> None:
        self.home = home
        self.secrets = secrets
        self.settings = settings
        self._providers: dict[str, Provider] = {}
        self._connect_locks: dict[str, asyncio.Lock] = {}
        self._mutation_locks: dict[str, asyncio.Lock] = {}

    async def get(self, node: NodeConfig) -> Provider:
        """The node's connected provider, connecting (once, shared) when needed."""
        lock = self._connect_locks.setdefault(node.id, asyncio.Lock())
        async with lock:
            current = self._providers.get(node.id)
            if current is not None and current.node == node:
                return current
            if current is not None:  # the user edited the node: its old connection is stale
                del self._providers[node.id]
                await self._disconnect(current)
            provider = await open_provider(node, self.secrets, self.home, self.settings)
            self._providers[node.id] = provider
            return provider

    def connected(self, node_id: str) -> Provider | None:
        return self._providers.get(node_id)

    @contextlib.asynccontextmanager
    async def exclusive(self, node: NodeConfig) -> AsyncIterator[Provider]:
        """The provider, with this node's mutations serialised (one start/stop/delete at a time
        per node; different nodes run in parallel)."""
        async with self._mutation_locks.setdefault(node.id, asyncio.Lock()):
            yield await self.get(node)

    async def drop(self, node_id: str) -> None:
        """Forget a node's provider (node removed, or credentials changed) and close it."""
        provider = self._providers.pop(node_id, None)
        if provider is not None:
            await self._disconnect(provider)

    async def close(self) -> None:
        providers = list(self._providers.values())
        self._providers.clear()
        await asyncio.gather(*(self._disconnect(p) for p in providers))

    async def check_health(self, node: NodeConfig) -> HealthReport:
        """One health check through the node's shared provider. Never raises for node problems:
        a node that cannot even be connected gives a report whose checks say why."""
        try:
            provider = await self.get(node)
        except OcvError as exc:
            return failed_connect_report(node.id, exc, api_configured=_has_api_credentials(node))
        return await check_provider(provider, timeout=self.settings.health_timeout)

    @staticmethod
    async def _disconnect(provider: Provider) -> None:
        try:
            await asyncio.wait_for(provider.disconnect(), 5)
        except (OcvError, OSError, TimeoutError) as exc:
            log.warning("closing %s: %s", provider.name, exc)


def _has_api_credentials(node: NodeConfig) -> bool:
    return bool((node.client_cert and node.client_key) or node.api_token_id or node.api_user)
