"""SecretStore and the node service against a REAL Secret Service (gnome-keyring on a private bus)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from ocv_desktop.core.errors import SecretStoreError
from ocv_desktop.core.models import NodeConfig, NodeSecrets, Platform, SecretField
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store import secrets as secrets_mod
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore

# the keyring fixtures (also loaded by tests/conftest.py); importing them sets the fail-backend default
pytest_plugins = ["tests.keyring_fixture"]

SECRET_SERVICE = "keyring.backends.SecretService.Keyring"


def files_containing(root: Path, value: str) -> list[Path]:
    needle = value.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def test_secrets_persist_in_the_secret_service(keyring_env: dict[str, str]) -> None:
    store = await SecretStore.open()
    assert store.persistent, store.reason
    assert store.backend_name == SECRET_SERVICE
    assert store.reason == ""
    assert "saved in the system keyring" in store.describe()

    value = "pä$$ 'wörd' \"密码\" `x` $(id)"
    await store.set("node-a", SecretField.SSH_PASSWORD, value)
    await store.save("node-a", NodeSecrets(api_token_secret="tok-1", totp_secret=None))

    fresh = await SecretStore.open()  # nothing cached in memory: this read goes to the daemon
    assert await fresh.get("node-a", SecretField.SSH_PASSWORD) == value
    assert await fresh.load("node-a") == NodeSecrets(ssh_password=value, api_token_secret="tok-1")

    await fresh.delete("node-a", SecretField.SSH_PASSWORD)
    await fresh.delete("node-a", SecretField.SSH_PASSWORD)  # deleting what is gone is fine
    await fresh.delete_node("node-a")
    assert await store.load("node-a") == NodeSecrets()


async def test_secrets_survive_a_keyring_daemon_restart(new_secret_service, monkeypatch: pytest.MonkeyPatch) -> None:
    service = new_secret_service()
    service.use(monkeypatch)
    await (await SecretStore.open()).set("node-b", SecretField.API_TOKEN_SECRET, "survives")
    service.stop_keyring()
    service.start_keyring()  # a new daemon reading the keyring file from disk
    store = await SecretStore.open()
    assert store.persistent
    assert await store.get("node-b", SecretField.API_TOKEN_SECRET) == "survives"
    assert files_containing(service.root, "survives") == []  # encrypted on disk, not plaintext


async def test_a_hung_keyring_times_out_and_recovers(new_secret_service, monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyring daemon that stops answering (SIGSTOP) must not hang the app: calls fail after
    the timeout with SecretStoreError, later calls fail fast, and all works again once it answers."""
    service = new_secret_service()
    service.use(monkeypatch)
    assert service.keyring is not None
    store = await SecretStore.open(timeout=0.5)
    assert store.persistent
    os.kill(service.keyring.pid, signal.SIGSTOP)
    try:
        # cut at our 0.5 s bound (the message names it), not left hanging on the daemon
        with pytest.raises(SecretStoreError, match=r"did not answer within 0\.5 s"):
            await store.get("node-c", SecretField.SSH_PASSWORD)
        stuck_worker = secrets_mod._WORKER.stuck
        # the next call is refused without asking the daemon again: no second request behind the stuck one
        with pytest.raises(SecretStoreError, match="has not answered an earlier request"):
            await store.set("node-c", SecretField.SSH_PASSWORD, "x")
        assert secrets_mod._WORKER.stuck is stuck_worker
        opened = await SecretStore.open(timeout=0.5)  # a store opened now says why it cannot persist
        assert not opened.persistent and "has not answered" in opened.reason
    finally:
        os.kill(service.keyring.pid, signal.SIGCONT)
    stuck = secrets_mod._WORKER.stuck
    assert stuck is not None
    assert await asyncio.to_thread(stuck.finished.wait, 10)
    await store.set("node-c", SecretField.SSH_PASSWORD, "after")
    assert await store.get("node-c", SecretField.SSH_PASSWORD) == "after"


async def test_node_service_keeps_secrets_out_of_the_home(keyring_env: dict[str, str], tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    service = NodeService(home, await SecretStore.open())
    node = NodeConfig(name="节点-1", type=Platform.PROXMOX, host="10.77.0.9", api_token_id="root@pam!ocv")
    await service.add_node(node, NodeSecrets(ssh_password="ssh-pw-7f3a", api_token_secret="tok-9c1d"))

    fresh = NodeService(home, await SecretStore.open())
    assert fresh.find("节点-1") == node
    assert await fresh.secrets_of("节点-1") == NodeSecrets(ssh_password="ssh-pw-7f3a", api_token_secret="tok-9c1d")
    assert files_containing(home.root, "ssh-pw-7f3a") == []
    assert files_containing(home.root, "tok-9c1d") == []

    await fresh.remove_node("节点-1")
    assert await (await SecretStore.open()).load(node.id) == NodeSecrets()
