"""The one place that decides how commands reach a node: locally or over SSH."""

from __future__ import annotations

from ocv_desktop.core.models import NodeConfig, NodeSecrets
from ocv_desktop.store.home import Home
from ocv_desktop.transport.base import CommandRunner
from ocv_desktop.transport.local import LocalSession
from ocv_desktop.transport.ssh import SshSession


def open_command_runner(
    node: NodeConfig,
    secrets: NodeSecrets,
    home: Home,
    *,
    connect_timeout: float = 15.0,
) -> CommandRunner:
    """A ``LocalSession`` for "this computer" nodes, else an ``SshSession`` trusting only the host
    keys in ``home.known_hosts``. Nothing is connected yet: the first ``run`` connects."""
    if node.local:
        return LocalSession(use_sudo=node.use_sudo)
    return SshSession(
        node,
        secrets,
        known_hosts=home.known_hosts,
        connect_timeout=connect_timeout,
    )
