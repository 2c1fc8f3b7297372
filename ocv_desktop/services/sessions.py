"""Open a connected Provider for a configured node: the one way the CLI and the GUI get one.

Secrets are read from the store just before connecting and handed to the provider only (never kept
here); time limits come from the user's settings.

    async with provider_session(node, secrets, home, settings) as provider:
        instances = await provider.list_instances()
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from ocv_desktop.core.models import NodeConfig
from ocv_desktop.providers.base import Provider, ProviderContext, create_provider
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore


def provider_context(home: Home, settings: Settings) -> ProviderContext:
    return ProviderContext(
        home=home, connect_timeout=settings.connect_timeout, command_timeout=settings.command_timeout
    )


async def open_provider(node: NodeConfig, secrets: SecretStore, home: Home, settings: Settings) -> Provider:
    """A provider for ``node``, connected. The caller must ``await provider.disconnect()``
    (or use ``provider_session``). Raises the connect errors of the transports
    (ConnectError, AuthError, HostKeyUnknown/Changed, CertificateUnknown/Changed, Timeout)."""
    node_secrets = await secrets.load(node.id)
    provider = create_provider(node.type, provider_context(home, settings))
    try:
        await provider.connect(node, node_secrets)
    except BaseException:
        await provider.disconnect()  # a half-open transport must not leak
        raise
    return provider


@contextlib.asynccontextmanager
async def provider_session(
    node: NodeConfig, secrets: SecretStore, home: Home, settings: Settings
) -> AsyncIterator[Provider]:
    """``open_provider`` for the duration of a ``with`` block; disconnects on the way out."""
    provider = await open_provider(node, secrets, home, settings)
    try:
        yield provider
    finally:
        await provider.disconnect()
