"""Keyring fixtures: a real Secret Service (gnome-keyring on a private D-Bus) and a no-keyring mode.

Fixtures: ``secret_service`` (session), ``keyring_env``, ``new_secret_service`` (factory),
``no_keyring``. Test modules get them from tests/conftest.py, or with
``pytest_plugins = ["tests.keyring_fixture"]``.

Importing this module (tests/conftest.py does) points keyring at its ``fail`` backend for the
whole test process and its children, so no test can ever read or write the developer's own
keyring by accident. Tests that want a real keyring use ``keyring_env``; tests that want the
"no keyring at all" case use ``no_keyring``.

``secret_service`` (session) starts, in a temporary HOME:
- ``dbus-daemon --session --nofork`` on a unix socket in that folder,
- ``gnome-keyring-daemon --foreground --unlock --components=secrets`` with the password on stdin,
and stops both by PID at the end (lab-recipes.md §9). Nothing else is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Before anything imports keyring: the default for every test and every subprocess it starts.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

KEYRING_PASSWORD = "ocv-test-keyring"


def _wait_for(predicate, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up within {timeout} s\n{tail}")


def _name_has_owner(address: str, name: str) -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    try:
        with open_dbus_connection(bus=address) as conn:
            reply = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,)), timeout=2)
            return bool(reply.body[0])
    except (OSError, ConnectionError, TimeoutError):
        return False


@dataclass
class SecretServiceProcess:
    """A private D-Bus session bus with gnome-keyring's Secret Service on it."""

    root: Path
    address: str = ""
    dbus: subprocess.Popen[bytes] | None = None
    keyring: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> SecretServiceProcess:
        for tool in ("dbus-daemon", "gnome-keyring-daemon"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing; run scripts/install-system-deps.sh (make test does)")
        run = self.root / "run"
        run.mkdir(parents=True, exist_ok=True, mode=0o700)
        socket = self.root / "bus"
        dbus_log = self.root / "dbus.log"
        with dbus_log.open("wb") as err:
            self.dbus = subprocess.Popen(
                ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={socket}", "--print-address=1"],
                stdout=subprocess.PIPE,
                stderr=err,
            )
        assert self.dbus.stdout is not None
        self.address = self.dbus.stdout.readline().decode().strip()
        if not self.address:
            self.stop()
            raise RuntimeError(f"dbus-daemon printed no address: {dbus_log.read_text(errors='replace')}")
        self.env = {
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "HOME": str(self.root),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_RUNTIME_DIR": str(run),
        }
        self.start_keyring()
        return self

    def start_keyring(self) -> None:
        log = self.root / "gnome-keyring.log"
        with log.open("ab") as out:
            self.keyring = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=out,
                env={**os.environ, **self.env},
            )
        assert self.keyring.stdin is not None
        self.keyring.stdin.write(KEYRING_PASSWORD.encode())
        self.keyring.stdin.close()
        _wait_for(lambda: _name_has_owner(self.address, "org.freedesktop.secrets"), 10, "gnome-keyring-daemon", log)

    def stop_keyring(self) -> None:
        _stop(self.keyring)
        self.keyring = None
        # the name must be gone before a new daemon claims it
        _wait_for(lambda: not _name_has_owner(self.address, "org.freedesktop.secrets"), 10, "keyring stop")

    def stop(self) -> None:
        _stop(self.keyring)
        _stop(self.dbus)
        self.keyring = self.dbus = None

    def use(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
        """Point this test's keyring (and subprocesses given ``os.environ``) at this service."""
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        return dict(os.environ)


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()  # by PID: this Popen's own child
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretServiceProcess]:
    service = SecretServiceProcess(tmp_path_factory.mktemp("secret-service")).start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def keyring_env(secret_service: SecretServiceProcess, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test (and subprocesses started with ``os.environ``) use the private Secret Service.
    Returns the environment for subprocesses."""
    return secret_service.use(monkeypatch)


@pytest.fixture
def new_secret_service(tmp_path: Path) -> Iterator[Callable[[], SecretServiceProcess]]:
    """A factory of Secret Services of this test's own (to stop, restart or freeze without
    disturbing other tests); each is stopped at the end of the test."""
    started: list[SecretServiceProcess] = []

    def make() -> SecretServiceProcess:
        service = SecretServiceProcess(tmp_path / f"secret-service-{len(started)}")
        started.append(service)
        return service.start()

    try:
        yield make
    finally:
        for service in started:
            service.stop()


@pytest.fixture
def no_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No keyring at all, found by keyring's own auto-selection: no configured backend and no
    D-Bus session bus (what a fresh headless machine looks like)."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no keyringrc.cfg
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return dict(os.environ)
