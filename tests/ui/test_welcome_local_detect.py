"""services/local_detect.py (behind the welcome panel's "Add this computer"): real unix sockets.

A socket counts only when it accepts a connection; a stale socket file, a regular file or a
missing path does not. The lab's dockerd and incusd prove it against real daemons.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ocv_desktop.core.models import Platform
from ocv_desktop.services.local_detect import LocalCandidate, detect_local_platforms


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short folder: unix socket paths are limited to 107 bytes, pytest's tmp_path can be longer."""
    with tempfile.TemporaryDirectory(prefix="ocv-sock-", dir="/tmp") as folder:
        yield Path(folder)


class Listener:
    """A listening unix socket that accepts (and counts) connections in a thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.accepted = 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    made: list[Listener] = []
    yield made
    for listener in made:
        listener.close()


def listen(listeners: list[Listener], path: Path) -> Listener:
    path.parent.mkdir(parents=True, exist_ok=True)
    listener = Listener(path)
    listeners.append(listener)
    return listener


def wait_for(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def stale_socket(path: Path) -> None:
    """A socket file whose daemon is gone (what a crashed daemon leaves): connecting is refused."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


def test_live_sockets_are_found_stale_ones_and_files_are_not(short_dir: Path, listeners: list[Listener]) -> None:
    docker = listen(listeners, short_dir / "docker.sock")
    stale_socket(short_dir / "incus.sock")
    (short_dir / "lxd.sock").write_text("not a socket")
    lxd_live = listen(listeners, short_dir / "lxd" / "unix.socket")
    sockets = {
        Platform.DOCKER: [str(short_dir / "missing.sock"), str(short_dir / "docker.sock")],
        Platform.INCUS: [str(short_dir / "incus.sock")],
        Platform.LXD: [str(short_dir / "lxd.sock"), str(short_dir / "lxd" / "unix.socket")],
    }
    found = detect_local_platforms(environ={}, sockets=sockets)
    assert found == [
        LocalCandidate(Platform.DOCKER, f"unix://{short_dir}/docker.sock", "Docker on this computer"),
        LocalCandidate(Platform.LXD, f"unix://{short_dir}/lxd/unix.socket", "LXD on this computer"),
    ]
    wait_for(lambda: docker.accepted == 1 and lxd_live.accepted == 1)  # really connected, once each


def test_docker_host_and_state_dir_variables(short_dir: Path, listeners: list[Listener]) -> None:
    listen(listeners, short_dir / "default.sock")
    listen(listeners, short_dir / "from-env.sock")
    listen(listeners, short_dir / "incus" / "unix.socket")
    sockets = {Platform.DOCKER: [str(short_dir / "default.sock")], Platform.INCUS: [], Platform.LXD: []}

    env = {"DOCKER_HOST": f"unix://{short_dir}/from-env.sock", "INCUS_DIR": str(short_dir / "incus")}
    found = detect_local_platforms(environ=env, sockets=sockets)
    assert [(c.platform, c.endpoint) for c in found] == [
        (Platform.DOCKER, f"unix://{short_dir}/from-env.sock"),  # the daemon the docker CLI would use
        (Platform.INCUS, f"unix://{short_dir}/incus/unix.socket"),
    ]
    # A remote DOCKER_HOST is not "this computer", even when a local socket exists.
    found = detect_local_platforms(environ={"DOCKER_HOST": "tcp://10.0.0.5:2376"}, sockets=sockets)
    assert found == []


@pytest.mark.lab
def test_the_lab_daemons_are_found(lab_docker: object, lab_incus: object) -> None:
    docker_socket = lab_docker.socket  # type: ignore[attr-defined]
    incus_socket = lab_incus.unix_socket  # type: ignore[attr-defined]
    found = detect_local_platforms(
        environ={"DOCKER_HOST": f"unix://{docker_socket}", "INCUS_DIR": str(Path(incus_socket).parent)},
        sockets={Platform.DOCKER: [], Platform.INCUS: [], Platform.LXD: []},
    )
    assert [(c.platform, c.endpoint) for c in found] == [
        (Platform.DOCKER, f"unix://{docker_socket}"),
        (Platform.INCUS, f"unix://{incus_socket}"),
    ]
