"""SecretStore without a usable keyring: memory only, with a reason; never a file backend."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from ocv_desktop.core.models import NodeSecrets, SecretField
from ocv_desktop.store.secrets import MEMORY_BACKEND, SecretStore, secret_key

# the keyring fixtures (also loaded by tests/conftest.py); importing them sets the fail-backend default
pytest_plugins = ["tests.keyring_fixture"]


async def test_no_keyring_on_a_headless_machine_means_memory_only(no_keyring: dict[str, str]) -> None:
    store = await SecretStore.open()
    assert not store.persistent
    assert store.backend_name == MEMORY_BACKEND
    assert "no system keyring is available" in store.reason
    assert "DBUS_SESSION_BUS_ADDRESS" in store.reason  # the Secret Service's own explanation
    assert "NOT saved" in store.describe()

    await store.set("n1", SecretField.SSH_PASSWORD, "pw-1")
    assert await store.get("n1", SecretField.SSH_PASSWORD) == "pw-1"
    assert await store.load("n1") == NodeSecrets(ssh_password="pw-1")
    # memory only: a second store (another run of the app) does not have it
    assert await (await SecretStore.open()).get("n1", SecretField.SSH_PASSWORD) is None
    await store.delete_node("n1")
    assert await store.load("n1") == NodeSecrets()


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "no system keyring is available"),
        (null.Keyring(), "switched off"),
        (chainer.ChainerBackend(), "chain has no usable keyring"),
    ],
)
async def test_unusable_backends_are_refused(backend: KeyringBackend, reason: str, no_keyring: object) -> None:
    store = await SecretStore.open(backend=backend)
    assert not store.persistent
    assert reason in store.reason


async def test_configured_backend_that_does_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.nonexistent.Keyring")
    store = await SecretStore.open()
    assert not store.persistent
    assert "configured keyring backend cannot be used" in store.reason


async def test_configured_null_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    store = await SecretStore.open()
    assert not store.persistent
    assert "switched off" in store.reason


class PromptingFileKeyring(KeyringBackend):
    """Stands where keyrings.cryptfile's backend would: a file keyring that asks for a master
    password on the terminal. The store must refuse it without ever calling it.

    keyring registers every backend class it sees, so this one is only "installed" (viable for
    keyring's auto-selection and its ChainerBackend) while a test sets ``installed``."""

    installed = False
    calls: list[str] = []  # noqa: RUF012

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.installed:
            raise RuntimeError("not installed")
        return 1.0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        raise AssertionError("a file keyring must never be used")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        raise AssertionError("a file keyring must never be used")

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        raise AssertionError("a file keyring must never be used")


PromptingFileKeyring.__module__ = "keyrings.cryptfile.cryptfile"


async def test_file_keyrings_are_never_used() -> None:
    store = await SecretStore.open(backend=PromptingFileKeyring())
    assert not store.persistent
    assert "keeps secrets in a file" in store.reason
    await store.set("n", SecretField.API_TOKEN_SECRET, "s")
    assert PromptingFileKeyring.calls == []


async def test_a_chain_of_file_keyrings_is_refused(no_keyring: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trap of lab-recipes.md section 9: keyrings.cryptfile installed and no Secret Service.
    keyring's own choice would prompt on the terminal; ours is memory only, with the reason."""
    monkeypatch.setattr(PromptingFileKeyring, "installed", True)
    for store in (await SecretStore.open(), await SecretStore.open(backend=chainer.ChainerBackend())):
        assert not store.persistent
        assert "PromptingFileKeyring, which keeps secrets in a file" in store.reason
    assert PromptingFileKeyring.calls == []


def test_keys_follow_the_documented_layout() -> None:
    assert secret_key("1f0c", SecretField.API_TOKEN_SECRET) == "node/1f0c/api_token_secret"


async def test_a_store_handed_out_while_the_keyring_opens_waits_for_it(no_keyring: object) -> None:
    """The GUI paints before the keyring is opened (issue 15): calls made meanwhile wait and then
    go to the store that open() chose."""
    import asyncio

    from ocv_desktop.store.secrets import KeyringState

    store = SecretStore.opening()
    assert store.state is KeyringState.OPENING and not store.persistent
    early = asyncio.ensure_future(store.set("n1", SecretField.SSH_PASSWORD, "pw-1"))
    read = asyncio.ensure_future(store.get("n1", SecretField.SSH_PASSWORD))
    await asyncio.sleep(0.01)
    assert not early.done() and not read.done()  # nothing is decided before the keyring is open

    opened = await SecretStore.open()
    store.adopt(opened)
    await early
    assert await read == "pw-1"
    assert (store.state, store.backend_name, store.reason) == (opened.state, opened.backend_name, opened.reason)
    assert await store.load("n1") == NodeSecrets(ssh_password="pw-1")
