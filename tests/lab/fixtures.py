"""pytest fixtures for the lab (CONTRACT.md). Loaded from tests/conftest.py as a plugin.

The ``lab`` fixture takes a slot on first use; each host starts on first use of its fixture and
everything stops at the end of the session (fixture finalizer, and atexit as a second line). A lab
that cannot start fails the test with the daemon's log tail; it never skips, except when the
developer opted out with ``OCV_LAB=0``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.docker_host import DockerHost
from tests.lab.lab import Lab
from tests.lab.lxd_host import LxdFamilyHost
from tests.lab.pve_host import PveHost
from tests.lab.ssh_host import SshHost
from tests.lab.system import LabError

OPT_OUT = "OCV_LAB"


def _opted_out() -> bool:
    return os.environ.get(OPT_OUT, "1").strip().lower() in ("0", "no", "false", "off")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _opted_out():
        return
    skip = pytest.mark.skip(reason=f"{OPT_OUT}=0: lab tests (real sshd/dockerd/incusd/lxd/fakepve) switched off")
    for item in items:
        if item.get_closest_marker("lab"):
            item.add_marker(skip)


HOST_FIXTURES = {"lab_ssh": "ssh", "lab_docker": "docker", "lab_incus": "incus", "lab_lxd": "lxd", "lab_pve": "pve"}
_NEEDED = pytest.StashKey[tuple[str, ...]]()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Note which hosts the selected tests use, so the lab can start them all at once."""
    needed = {
        HOST_FIXTURES[f] for item in session.items for f in getattr(item, "fixturenames", ()) if f in HOST_FIXTURES
    }
    session.config.stash[_NEEDED] = tuple(sorted(needed))


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest) -> Iterator[Lab]:
    if _opted_out():
        pytest.skip(f"{OPT_OUT}=0: lab switched off")
    if os.geteuid() != 0:
        pytest.fail("the lab needs root (namespaces, sshd, dockerd, incusd, lxd); run as root or set OCV_LAB=0")
    try:
        the_lab = Lab()
    except LabError as exc:
        pytest.fail(f"lab could not start: {exc}", pytrace=False)
    # Start every host the session will use in parallel now; each host fixture then waits for its own.
    the_lab.start_in_background(request.config.stash.get(_NEEDED, ()))
    try:
        yield the_lab
    finally:
        the_lab.close()


def _host(lab: Lab, name: str) -> object:
    try:
        return getattr(lab, name)
    except LabError as exc:
        pytest.fail(f"lab host {name!r} could not start: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def lab_ssh(lab: Lab) -> SshHost:
    return _host(lab, "ssh")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def lab_docker(lab: Lab) -> DockerHost:
    return _host(lab, "docker")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def lab_incus(lab: Lab) -> LxdFamilyHost:
    return _host(lab, "incus")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def lab_lxd(lab: Lab) -> LxdFamilyHost:
    return _host(lab, "lxd")  # type: ignore[return-value]


@pytest.fixture(scope="session")
def lab_pve(lab: Lab) -> PveHost:
    return _host(lab, "pve")  # type: ignore[return-value]


@pytest.fixture
def lab_home(tmp_path: Path):  # -> ocv_desktop.store.home.Home
    """A fresh, empty app home (no config, empty known_hosts) in tmp_path."""
    from ocv_desktop.store.home import Home

    home = Home(tmp_path / "home").ensure()
    home.known_hosts.touch()
    return home
