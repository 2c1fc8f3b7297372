"""A LOCKED keyring is never reported as success (issue 12 item 6).

gnome-keyring on a private bus (tests/keyring_fixture.py), locked for real through the Secret
Service API (``Collection.lock()``, what "Lock" in a desktop's password manager does); with no
prompter on this bus an unlock request is dismissed, as when the user cancels the unlock prompt.
The real entry point runs in subprocesses (tests/cli_process.py).

Decided behaviour (README "Secrets"): the config change is kept (a node added or imported stays in
config.yaml, a removed node stays removed), but the command exits 1 and says which secrets were
not stored or not deleted and that the keyring is locked.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from ocv_desktop.core.errors import SecretStoreError
from ocv_desktop.core.models import NodeSecrets, SecretField
from ocv_desktop.store.secrets import KeyringState, SecretStore
from tests.cli_process import ocv

pytest_plugins = ["tests.keyring_fixture"]

PROVIDERS = """\
providers:
  - name: "imported"
    type: "docker"
    host: "10.0.0.7"
    password: "pw-imp-41"
"""


class Keyring:
    """The test's own gnome-keyring, to lock and unlock."""

    def __init__(self, service, env: dict[str, str]) -> None:
        self.service = service
        self.env = env

    def lock(self) -> None:
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        conn = open_dbus_connection(bus=self.env["DBUS_SESSION_BUS_ADDRESS"])
        try:
            collection = secretstorage.get_default_collection(conn)
            collection.lock()
            assert collection.is_locked()
        finally:
            conn.close()

    def unlock(self) -> None:
        """Unlocking asks for the password in a prompt (none here): start the daemon again with
        the password on stdin instead, which opens the same keyring file unlocked."""
        self.service.stop_keyring()
        self.service.start_keyring()


@pytest.fixture
def keyring(new_secret_service, monkeypatch) -> Keyring:
    service = new_secret_service()
    return Keyring(service, service.use(monkeypatch))


def stored(node_id: str) -> NodeSecrets:
    return asyncio.run(_load(node_id))


async def _load(node_id: str) -> NodeSecrets:
    store = await SecretStore.open()
    assert store.persistent, store.reason
    return await store.load(node_id)


def node_ids(home: Path, env: dict[str, str]) -> dict[str, str]:
    listed = json.loads(ocv(home, "nodes", "list", "--json", env=env).stdout)
    return {n["name"]: n["id"] for n in listed["nodes"]}


def add(home: Path, env: dict[str, str], name: str) -> object:
    return ocv(
        home, "nodes", "add", "--name", name, "--type", "docker", "--host", "10.0.0.5", "--password-stdin",
        stdin=f"pw-{name}\n", env=env,
    )  # fmt: skip


def test_the_store_knows_the_keyring_is_locked(keyring) -> None:
    keyring.lock()

    async def check() -> None:
        store = await SecretStore.open()
        assert store.state is KeyringState.LOCKED and not store.persistent
        assert "locked" in store.reason and "locked" in store.describe()
        await store.set("n", SecretField.SSH_PASSWORD, "kept for this run")
        assert await store.get("n", SecretField.SSH_PASSWORD) == "kept for this run"
        with pytest.raises(SecretStoreError, match="locked"):
            await store.delete_node("n")  # whatever the keyring holds for n stays there

    asyncio.run(check())


def test_nodes_add_with_a_locked_keyring_exits_1(keyring, tmp_path: Path) -> None:
    home = tmp_path / "home"
    keyring.lock()
    result = add(home, keyring.env, "web")
    assert result.returncode == 1, result.stderr
    assert "added node web" in result.stdout  # the node is kept ...
    assert "were NOT saved" in result.stderr and "locked" in result.stderr  # ... and the user told
    keyring.unlock()
    assert stored(node_ids(home, keyring.env)["web"]) == NodeSecrets()
    assert "pw-web" not in (home / "config.yaml").read_text()


def test_nodes_remove_with_a_locked_keyring_exits_1_and_names_what_stayed(keyring, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert add(home, keyring.env, "db").returncode == 0
    node_id = node_ids(home, keyring.env)["db"]
    assert stored(node_id) == NodeSecrets(ssh_password="pw-db")

    keyring.lock()
    result = ocv(home, "nodes", "remove", "db", env=keyring.env)
    assert result.returncode == 1, result.stdout
    assert "and its secrets" not in result.stdout
    assert "could not be deleted" in result.stderr and "locked" in result.stderr
    assert f"node/{node_id}/" in result.stderr  # where the user finds what stayed
    assert "db" not in node_ids(home, keyring.env)  # the removal itself is kept

    keyring.unlock()
    assert stored(node_id) == NodeSecrets(ssh_password="pw-db")  # it really stayed


def test_import_with_a_locked_keyring_exits_1(keyring, tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = tmp_path / "providers.yaml"
    source.write_text(PROVIDERS, encoding="utf-8")
    keyring.lock()
    result = ocv(home, "import", str(source), env=keyring.env)
    assert result.returncode == 1, result.stderr
    assert "1 added" in result.stdout
    assert "imported" in result.stderr and "NOT saved" in result.stderr and "locked" in result.stderr


def test_no_credentials_error_names_the_locked_keyring(keyring, tmp_path: Path) -> None:
    """A password node whose password cannot be read: the error says the keyring is locked instead
    of only "no SSH password is stored" (the password is stored; it cannot be read)."""
    home = tmp_path / "home"
    assert add(home, keyring.env, "app").returncode == 0
    keyring.lock()
    result = ocv(home, "instances", "list", "app", env=keyring.env)
    assert result.returncode == 1
    assert "no SSH password" in result.stderr and "locked" in result.stderr, result.stderr
