"""Open a connected Provider for a configured node: the one way the CLI and the GUI get one.

Secrets are read from the store just before connecting and handed to the provider only (never kept
here); time limits come from the user's settings.

    async with provider_session(node, secrets, home, settings) as provider:
        instances = await provider.list_instances()
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from ocv_desktop.core.errors import AuthError, ConfigError, OcvError, Unsupported
from ocv_desktop.core.models import AuthMethod, NodeConfig, NodeSecrets
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
    except BaseException as exc:
        await provider.disconnect()  # a half-open transport must not leak
        if isinstance(exc, (AuthError, ConfigError, Unsupported)) and not secrets.persistent:
            _name_the_keyring(exc, node, secrets, node_secrets)
        raise
    return provider


def _name_the_keyring(exc: OcvError, node: NodeConfig, secrets: SecretStore, node_secrets: NodeSecrets) -> None:
    """ "no SSH password is stored" / "no API credentials": with the keyring locked or absent the
    cause is the keyring, not the node; say so in the error's hint (the message stays the same)."""
    if node_secrets.values():
        return  # some secrets were there: the failure is about what they are, not the keyring
    if not (node.auth is AuthMethod.PASSWORD or node.api_token_id or node.api_user):
        return  # the node keeps no secret in the keyring (key or agent login): not the keyring's doing
    state = secrets.unsaved_because()
    if secrets.keyring_out_of_reach:
        state = f"secrets could not be read: {state}"
    exc.hint = f"{exc.hint}; {state}" if exc.hint else state


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
