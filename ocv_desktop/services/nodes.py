"""NodeService: the one place that adds, changes and removes nodes.

A node lives in two places, ``config.yaml`` (everything but secrets) and the keyring (its
secrets, keyed by node id); this service changes both together so they never drift apart:

- add: secrets first, then the config; if the config cannot be saved the secrets are removed again;
- update: secrets (if given) first, then the config;
- remove: the config first, then every secret of the node (a keyring failure is reported with
  the keys left behind);
- import (OneClickVirt YAML): per entry; a bad entry is reported and skipped, the rest import in
  one config save. Re-importing updates nodes by name and keeps their ids.

Every change re-reads the file first (another window or a CLI run may have changed it) and is
serialised by a lock. File and keyring work runs off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path

from ocv_desktop.core.errors import InvalidInput, NotFound, OcvError, SecretStoreError
from ocv_desktop.core.models import NodeConfig, NodeSecrets
from ocv_desktop.store.config import AppConfig, Settings, check_node, load_config, save_config
from ocv_desktop.store.home import Home
from ocv_desktop.store.oneclickvirt import ImportProblem, ImportReport, read_oneclickvirt
from ocv_desktop.store.secrets import SERVICE, SecretStore


class NodeService:
    def __init__(self, home: Home, secrets: SecretStore) -> None:
        self.home = home
        self.secrets = secrets
        self._config: AppConfig | None = None
        self._lock = asyncio.Lock()

    # --- reading ---------------------------------------------------------------------------------

    @property
    def config(self) -> AppConfig:
        """The config as last read or written by this service (read on first use; raises
        ConfigError when the file is invalid)."""
        if self._config is None:
            self._config = load_config(self.home.config_file)
        return self._config

    async def reload(self) -> AppConfig:
        """Read ``config.yaml`` again (off the event loop)."""
        self._config = await asyncio.to_thread(load_config, self.home.config_file)
        return self._config

    def find(self, name_or_id: str) -> NodeConfig:
        return self.config.find(name_or_id)

    async def secrets_of(self, name_or_id: str) -> NodeSecrets:
        """The node's secrets from the keyring (for connecting)."""
        return await self.secrets.load(self.find(name_or_id).id)

    # --- changing --------------------------------------------------------------------------------

    async def add_node(self, node: NodeConfig, secrets: NodeSecrets = NodeSecrets()) -> NodeConfig:  # noqa: B008
        async with self._lock:
            config = await self.reload()
            check_node(node)
            _check_unique(config, node, replacing=None)
            await self.secrets.save(node.id, secrets)
            try:
                await self._save(config.with_node(node))
            except BaseException:
                with contextlib.suppress(OcvError):
                    await self.secrets.delete_node(node.id)
                raise
            return node

    async def update_node(self, node: NodeConfig, secrets: NodeSecrets | None = None) -> NodeConfig:
        """Replace the node with the same id; ``secrets``: fields that are not None are stored."""
        async with self._lock:
            config = await self.reload()
            if not any(n.id == node.id for n in config.nodes):
                raise NotFound(f"no node with id {node.id} (was it removed?)")
            check_node(node)
            _check_unique(config, node, replacing=node.id)
            if secrets is not None:
                await self.secrets.save(node.id, secrets)
            await self._save(config.with_node(node))
            return node

    async def update_settings(self, settings: Settings) -> AppConfig:
        async with self._lock:
            config = await self.reload()
            return await self._save(dataclasses.replace(config, settings=settings))

    async def remove_node(self, name_or_id: str) -> NodeConfig:
        """Remove the node from the config, then its secrets from the keyring."""
        async with self._lock:
            config = await self.reload()
            node = config.find(name_or_id)
            await self._save(config.without_node(node.id))
            try:
                await self.secrets.delete_node(node.id)
            except SecretStoreError as e:
                raise SecretStoreError(
                    f"node {node.name!r} was removed, but its secrets could not be deleted from the keyring: {e}",
                    hint=f"delete the entries node/{node.id}/* of service {SERVICE!r} with your keyring tool",
                ) from None
            return node

    async def import_oneclickvirt(self, path: Path) -> ImportReport:
        """Import a OneClickVirt provider YAML (core/oneclickvirt.py). Entries with problems
        are skipped and listed in ``errors``; the file as a whole being unusable raises ConfigError."""
        path = Path(path)
        plan = await asyncio.to_thread(read_oneclickvirt, path)
        source = str(path)
        async with self._lock:
            config = await self.reload()
            errors = list(plan.errors)
            added: list[NodeConfig] = []
            updated: list[NodeConfig] = []
            for entry in plan.entries:
                existing = next((n for n in config.nodes if n.name == entry.name), None)
                node, problems = entry.build(existing, source)
                if node is None:
                    errors += problems
                    continue
                try:
                    await self.secrets.save(node.id, entry.secrets)
                except SecretStoreError as e:
                    errors.append(ImportProblem(source, entry.index, entry.name, entry.line, f"not imported: {e}"))
                    continue
                (updated if existing else added).append(node)
                config = config.with_node(node)
            if added or updated:
                try:
                    await self._save(config)
                except BaseException:
                    for node in added:  # their secrets would belong to nothing
                        with contextlib.suppress(OcvError):
                            await self.secrets.delete_node(node.id)
                    raise
            errors.sort(key=lambda p: (p.index, p.line or 0))
            return ImportReport(path, tuple(added), tuple(updated), tuple(errors), plan.warnings)

    async def _save(self, config: AppConfig) -> AppConfig:
        def write() -> None:
            self.home.ensure()
            save_config(self.home.config_file, config)

        await asyncio.to_thread(write)
        self._config = config
        return config


def duplicate_name_message(name: str) -> str:
    """The one wording for a taken node name (the service, the CLI and the node editor)."""
    return f"a node named {name!r} already exists"


def _check_unique(config: AppConfig, node: NodeConfig, *, replacing: str | None) -> None:
    for other in config.nodes:
        if other.id == replacing:
            continue
        if other.name == node.name:
            raise InvalidInput(duplicate_name_message(node.name), hint="choose another name")
        if other.id == node.id:
            raise InvalidInput(f"a node with id {node.id} already exists ({other.name!r})")
