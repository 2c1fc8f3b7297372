"""NodeService: the one place that adds, changes and removes nodes.

A node lives in two places, ``config.yaml`` (everything but secrets) and the keyring (its
secrets, keyed by node id); this service changes both together so they never drift apart:

- add: secrets first, then the config; if the config cannot be saved the secrets are removed again;
- update: secrets (if given) first, then the config;
- remove: the config first, then every secret of the node (a keyring failure, or a keyring that is
  locked, is reported with the keys left behind: SecretStoreError, the removal itself is kept);
- import (OneClickVirt YAML): per entry; a bad entry is reported and skipped, the rest import in
  one config save. Re-importing updates nodes by name and keeps their ids.

Every change is one transaction (``_transaction``): take the OS lock on ``.config.yaml.lock`` in
the home (core.files.FileLock: the GUI and any number of CLI runs may change nodes at the same
time), re-read config.yaml, apply the change (and its keyring writes), write the file atomically,
release. Without the lock two processes each read N nodes and each write N+1: one node is lost and
its secret orphaned in the keyring. Within one process an asyncio lock serialises the same way.
Stray ``.config.yaml.*.tmp`` files (a save killed before its rename) are removed by the next save.
File and keyring work runs off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

from ocv_desktop.core.errors import ConfigError, InvalidInput, NotFound, OcvError, SecretStoreError
from ocv_desktop.core.models import NodeConfig, NodeSecrets
from ocv_desktop.store.config import AppConfig, Settings, check_node, load_config, save_config
from ocv_desktop.store.files import FileLock, remove_stray_temp_files
from ocv_desktop.store.home import Home
from ocv_desktop.store.oneclickvirt import ImportProblem, ImportReport, read_oneclickvirt
from ocv_desktop.store.secrets import SERVICE, SecretStore

LOCK_TIMEOUT = 30.0  # waiting for another process's save (it holds the lock for milliseconds)


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

    async def reload_between_changes(self) -> AppConfig:
        """``reload``, but never in the middle of one of this service's own changes: a read that
        overlapped a save could otherwise put the config of before the save back in place. (The
        GUI calls this when another process changed the file.)"""
        async with self._lock:
            return await self.reload()

    def find(self, name_or_id: str) -> NodeConfig:
        return self.config.find(name_or_id)

    async def secrets_of(self, name_or_id: str) -> NodeSecrets:
        """The node's secrets from the keyring (for connecting)."""
        return await self.secrets.load(self.find(name_or_id).id)

    # --- changing --------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AppConfig]:
        """Hold this process's lock and the OS file lock; yield the config as it is on disk now.
        Every ``_save`` inside writes under the same lock."""
        async with self._lock:
            lock = FileLock(self.home.config_lock)
            await _acquire(lock, self.home)
            try:
                yield await self.reload()
            finally:
                lock.release()

    async def add_node(self, node: NodeConfig, secrets: NodeSecrets = NodeSecrets()) -> NodeConfig:  # noqa: B008
        async with self._transaction() as config:
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
        async with self._transaction() as config:
            if not any(n.id == node.id for n in config.nodes):
                raise NotFound(f"no node with id {node.id} (was it removed?)")
            check_node(node)
            _check_unique(config, node, replacing=node.id)
            if secrets is not None:
                await self.secrets.save(node.id, secrets)
            await self._save(config.with_node(node))
            return node

    async def update_settings(self, settings: Settings) -> AppConfig:
        async with self._transaction() as config:
            return await self._save(dataclasses.replace(config, settings=settings))

    async def remove_node(self, name_or_id: str) -> NodeConfig:
        """Remove the node from the config, then its secrets from the keyring."""
        async with self._transaction() as config:
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
        async with self._transaction() as on_disk:
            config = on_disk
            errors = list(plan.errors)
            added: list[NodeConfig] = []
            updated: list[NodeConfig] = []
            unsaved: list[str] = []
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
                if entry.secrets.values() and not self.secrets.persistent:
                    unsaved.append(node.name)
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
            return ImportReport(path, tuple(added), tuple(updated), tuple(errors), plan.warnings, tuple(unsaved))

    async def _save(self, config: AppConfig) -> AppConfig:
        def write() -> None:
            remove_stray_temp_files(self.home.config_file)  # safe: the caller holds the lock
            save_config(self.home.config_file, config)

        await asyncio.to_thread(write)
        self._config = config
        return config


async def _acquire(lock: FileLock, home: Home) -> None:
    """Take ``lock`` off the event loop. If the waiting coroutine is cancelled, the worker thread
    may still get the lock afterwards: it is then released at once instead of being held forever."""

    def take() -> None:
        home.ensure()
        lock.acquire(LOCK_TIMEOUT)

    waiting = asyncio.ensure_future(asyncio.to_thread(take))
    try:
        await asyncio.shield(waiting)
    except asyncio.CancelledError:
        waiting.add_done_callback(lambda f: lock.release() if not f.cancelled() and f.exception() is None else None)
        raise
    except TimeoutError as e:
        raise ConfigError(
            f"another ocv-desktop is still saving the configuration: {e}",
            path=str(home.config_file),
            hint="try again; if it persists, look for a hung ocv-desktop process",
        ) from None


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
