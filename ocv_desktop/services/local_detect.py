"""Which platforms run on *this* computer: the local sockets of Docker, Incus and LXD.

The welcome panel offers "Add this computer (Docker)" for each one found, so a new user who runs
the app on the virtualization host itself gets a working node in one click.

A platform counts only when its socket exists, *is* a socket, and accepts a connection from us:
a stale socket file left by a stopped daemon refuses, and a socket we may not use (not in the
``docker`` / ``incus-admin`` / ``lxd`` group) fails with a permission error. Both are skipped,
because adding a node that cannot work would only produce a red badge.

No Qt here (DESIGN.md: only ``ui/`` imports PySide6).
"""

from __future__ import annotations

import logging
import os
import socket
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ocv_desktop.core.models import Platform

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.5  # seconds per socket; a local daemon answers in microseconds or not at all

# Where each platform's daemon puts its unix socket, in the order we try them. Docker's list
# grows from DOCKER_HOST (see _docker_sockets); LXD_DIR / INCUS_DIR move a daemon's whole
# state directory, the socket included.
DEFAULT_SOCKETS: Mapping[Platform, tuple[str, ...]] = {
    Platform.DOCKER: (
        "/var/run/docker.sock",
        "~/.docker/run/docker.sock",  # Docker Desktop (macOS, and Linux in a VM)
    ),
    Platform.INCUS: ("/var/lib/incus/unix.socket",),
    Platform.LXD: (
        "/var/snap/lxd/common/lxd/unix.socket",  # the snap (Ubuntu's default)
        "/var/lib/lxd/unix.socket",  # distribution packages (Debian's lxd)
    ),
}

_DESCRIPTIONS = {
    Platform.DOCKER: "Docker on this computer",
    Platform.INCUS: "Incus on this computer",
    Platform.LXD: "LXD on this computer",
}


@dataclass(frozen=True, slots=True)
class LocalCandidate:
    """A platform found on this computer. ``endpoint`` is a ``unix://`` URL of its socket (what
    ``NodeConfig.api_endpoint`` takes for LXD/Incus; for Docker it says which daemon was found)."""

    platform: Platform
    endpoint: str
    description: str


def detect_local_platforms(
    *,
    environ: Mapping[str, str] | None = None,
    sockets: Mapping[Platform, Sequence[str]] | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> list[LocalCandidate]:
    """The platforms whose local socket exists and accepts our connection: at most one per
    platform (the first working socket), in the order Docker, Incus, LXD.

    BLOCKING: it stats files and connects to sockets (each with ``timeout``). The GUI calls it
    through ``asyncio.to_thread`` so the event loop never waits on it.

    ``environ`` (default ``os.environ``) supplies DOCKER_HOST, INCUS_DIR and LXD_DIR; ``sockets``
    replaces the default locations (tests point it at sockets of their own).
    """
    if not hasattr(socket, "AF_UNIX"):  # Windows before AF_UNIX support: Docker uses a named pipe there
        return []
    env = os.environ if environ is None else environ
    locations = _locations(env, DEFAULT_SOCKETS if sockets is None else sockets)
    found: list[LocalCandidate] = []
    for platform in (Platform.DOCKER, Platform.INCUS, Platform.LXD):
        for path in _unique(locations.get(platform, ())):
            if _usable_socket(path, timeout):
                found.append(LocalCandidate(platform, f"unix://{path}", _DESCRIPTIONS[platform]))
                break
    return found


def _locations(env: Mapping[str, str], defaults: Mapping[Platform, Sequence[str]]) -> dict[Platform, list[Path]]:
    out = {platform: [Path(p).expanduser() for p in paths] for platform, paths in defaults.items()}
    docker_host = env.get("DOCKER_HOST", "")
    if docker_host:
        url = urlsplit(docker_host)
        # Only a unix socket is "this computer"; tcp:// or ssh:// DOCKER_HOSTs are other machines.
        out[Platform.DOCKER] = [Path(url.path)] if url.scheme == "unix" and url.path else []
    for platform, variable in ((Platform.INCUS, "INCUS_DIR"), (Platform.LXD, "LXD_DIR")):
        if env.get(variable):
            out[platform] = [Path(env[variable]) / "unix.socket", *out.get(platform, [])]
    return out


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[str] = set()
    out = []
    for path in paths:
        key = os.path.realpath(path)  # /var/run is a symlink to /run on most systems
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def _usable_socket(path: Path, timeout: float) -> bool:
    try:
        if not stat.S_ISSOCK(path.stat().st_mode):
            return False
    except OSError:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except OSError as e:  # refused (stale file), permission denied (not in the group), timeout
            log.debug("local socket %s not usable: %s", path, e)
            return False
    return True
