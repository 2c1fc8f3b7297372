"""NodeService: config and secrets change together; imports update by name; failures lose nothing.

The secret store here is the real SecretStore in its memory mode (the test process has no keyring);
tests/integration/test_keyring_secret_service.py runs the same service against gnome-keyring.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ocv_desktop.core.errors import ConfigError, InvalidInput, NotFound
from ocv_desktop.core.models import AuthMethod, NodeConfig, NodeSecrets, Platform, SecretField
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import load_config
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore

# the keyring fixtures (also loaded by tests/conftest.py); importing them sets the fail-backend default
pytest_plugins = ["tests.keyring_fixture"]


@pytest.fixture
async def service(tmp_path: Path) -> NodeService:
    store = await SecretStore.open()
    assert not store.persistent  # the suite runs with keyring's fail backend unless a test asks
    return NodeService(Home(tmp_path / "home"), store)


def files_containing(root: Path, value: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and value.encode() in p.read_bytes()]


DOCKER = NodeConfig(name="docker-1", type=Platform.DOCKER, host="10.0.0.1", auth=AuthMethod.PASSWORD)


async def test_add_stores_config_and_secrets_apart(service: NodeService) -> None:
    await service.add_node(DOCKER, NodeSecrets(ssh_password="pw-5b1e"))
    assert load_config(service.home.config_file).nodes == (DOCKER,)
    assert await service.secrets.get(DOCKER.id, SecretField.SSH_PASSWORD) == "pw-5b1e"
    assert files_containing(service.home.root, "pw-5b1e") == []
    assert (service.home.root.stat().st_mode & 0o777) == 0o700


async def test_add_refuses_duplicates_and_invalid_nodes(service: NodeService) -> None:
    await service.add_node(DOCKER)
    with pytest.raises(InvalidInput, match="a node named 'docker-1' already exists"):
        await service.add_node(NodeConfig(name="docker-1", type=Platform.LXD, host="h"))
    with pytest.raises(InvalidInput, match="already exists"):
        await service.add_node(DOCKER.replace(name="other"))  # same id
    with pytest.raises(ConfigError, match="port: must be between 1 and 65535"):
        await service.add_node(NodeConfig(name="x", type=Platform.DOCKER, host="h", port=0))
    assert load_config(service.home.config_file).nodes == (DOCKER,)


async def test_failed_save_takes_the_new_secrets_back(service: NodeService) -> None:
    await service.add_node(DOCKER)
    service.home.config_file.with_name("config.yaml.bak").mkdir()  # the backup cannot be written
    node = NodeConfig(name="new", type=Platform.DOCKER, host="h2")
    with pytest.raises(ConfigError, match="could not save"):
        await service.add_node(node, NodeSecrets(ssh_password="orphan?"))
    assert await service.secrets.load(node.id) == NodeSecrets()
    assert load_config(service.home.config_file).nodes == (DOCKER,)


async def test_update_keeps_the_id_and_merges_secrets(service: NodeService) -> None:
    await service.add_node(DOCKER, NodeSecrets(ssh_password="old"))
    changed = DOCKER.replace(name="docker-renamed", port=2222)
    await service.update_node(changed, NodeSecrets(key_passphrase="kp"))
    assert service.find(DOCKER.id) == changed
    assert await service.secrets.load(DOCKER.id) == NodeSecrets(ssh_password="old", key_passphrase="kp")
    with pytest.raises(NotFound):
        await service.update_node(NodeConfig(name="ghost", type=Platform.DOCKER, host="h"))


async def test_remove_deletes_node_and_secrets(service: NodeService) -> None:
    await service.add_node(DOCKER, NodeSecrets(ssh_password="pw"))
    removed = await service.remove_node("docker-1")
    assert removed == DOCKER
    assert load_config(service.home.config_file).nodes == ()
    assert await service.secrets.load(DOCKER.id) == NodeSecrets()
    with pytest.raises(NotFound):
        await service.remove_node("docker-1")


async def test_an_invalid_config_file_is_left_alone(service: NodeService) -> None:
    service.home.ensure()
    service.home.config_file.write_text("version: 1\nnodes:\n  - {name: a, type: vmware, host: h}\n")
    before = service.home.config_file.read_bytes()
    with pytest.raises(ConfigError, match=r"config.yaml:3: nodes\[0\].type"):
        await service.add_node(DOCKER)
    assert service.home.config_file.read_bytes() == before


IMPORT = """
providers:
  - name: "docker-node-1"
    type: "docker"
    host: "192.168.1.100"
    port: 22
    username: "root"
    password: "pw-docker-3e7"
  - name: "上海 PVE"
    type: "proxmox"
    host: "192.168.1.102"
    password: "pw-pve-81c"
    api_token: "user@pam!token=8f2a-secret-uuid"
    api_endpoint: "https://192.168.1.102:8006/api2/json"
  - name: "broken"
    type: "lxd"
    host: "192.168.1.101"
    server_cert: "/dev/null"
"""


async def test_import_then_reimport_updates_by_name(service: NodeService, tmp_path: Path) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(IMPORT, encoding="utf-8")

    report = await service.import_oneclickvirt(path)
    assert [n.name for n in report.added] == ["docker-node-1", "上海 PVE"]
    assert report.updated == ()
    assert [(e.name, e.line) for e in report.errors] == [("broken", 18)]
    assert not report.ok
    pve = service.find("上海 PVE")
    assert pve.api_token_id == "user@pam!token"
    assert pve.api_endpoint == "https://192.168.1.102:8006/api2/json"
    assert await service.secrets.load(pve.id) == NodeSecrets(
        ssh_password="pw-pve-81c", api_token_secret="8f2a-secret-uuid"
    )
    for secret in ("pw-docker-3e7", "pw-pve-81c", "8f2a-secret-uuid"):
        assert files_containing(service.home.root, secret) == []

    # the user edits a node, then imports the same file again (with a new password)
    await service.update_node(pve.replace(tags=("prod",), notes="机房 B"))
    path.write_text(IMPORT.replace("pw-pve-81c", "pw-pve-new"), encoding="utf-8")
    again = await service.import_oneclickvirt(path)
    assert again.added == ()
    assert [n.name for n in again.updated] == ["docker-node-1", "上海 PVE"]
    config = load_config(service.home.config_file)
    assert [n.name for n in config.nodes] == ["docker-node-1", "上海 PVE"]  # no duplicates
    updated = config.find("上海 PVE")
    assert updated.id == pve.id  # same node, so its keyring entries still match
    assert (updated.tags, updated.notes) == (("prod",), "机房 B")  # what the file does not say is kept
    assert await service.secrets.get(pve.id, SecretField.SSH_PASSWORD) == "pw-pve-new"


async def test_import_of_an_unusable_file_changes_nothing(service: NodeService, tmp_path: Path) -> None:
    await service.add_node(DOCKER)
    before = service.home.config_file.read_bytes()
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent("nodes: []\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        await service.import_oneclickvirt(path)
    assert service.home.config_file.read_bytes() == before


async def test_a_change_waits_for_another_process_lock_and_a_cancelled_wait_leaves_it_free(
    service: NodeService,
) -> None:
    """The OS lock on .config.yaml.lock (held here as another process would): a change waits for
    it; a change cancelled while waiting never keeps the lock once its worker thread gets it."""
    import asyncio

    from ocv_desktop.store.files import FileLock

    service.home.ensure()
    other = FileLock(service.home.config_lock)
    other.acquire()
    waiting = asyncio.ensure_future(service.add_node(DOCKER))
    await asyncio.sleep(0.3)
    assert not waiting.done() and not service.home.config_file.exists()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    other.release()  # the cancelled change's thread takes the lock now, and must give it back
    probe = FileLock(service.home.config_lock)
    await asyncio.to_thread(probe.acquire, 10)
    probe.release()
    assert (await service.add_node(DOCKER)).name == "docker-1"
    assert [n.name for n in load_config(service.home.config_file).nodes] == ["docker-1"]
