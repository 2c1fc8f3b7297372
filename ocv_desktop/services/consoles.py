"""Opening interactive consoles, headless: a node's shell, or a shell inside one of its instances.

``console_block(node, instance)`` says, without touching the network, whether a console can be
opened for a target and if not why (the window disables its action with that reason as the
tooltip); ``open_console(session, node_id, instance, size)`` opens it over the node's provider:

- (node) -> the node's own shell: its command runner's PTY (the SSH session with the stored
  credentials, or a local pty for "this computer"); never sudo: it is the user's shell;
- (node, instance) -> ``provider.open_console`` (docker exec / incus exec / lxc exec / pct enter
  over that PTY; the API roads where a platform has them).

The returned ``ConsoleChannel`` belongs to the caller, who must ``close()`` it.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import TYPE_CHECKING

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.core.models import ExecutionRule, Instance, InstanceStatus, InstanceType, NodeConfig, Platform
from ocv_desktop.providers.routing import uses_api
from ocv_desktop.transport.console import ConsoleChannel, TermSize, WrappedConsole
from ocv_desktop.transport.pty import pty_runner

if TYPE_CHECKING:
    from ocv_desktop.services.session import Session
    from ocv_desktop.transport.viewer import GraphicalConsole


class ConsoleBlock(StrEnum):
    """Why no console can be opened (the UI words each one; ``message`` is the English text)."""

    NO_SSH = "no_ssh"  # the node is reached over its API only: no shell road
    NOT_RUNNING = "not_running"  # a shell needs a running instance
    VM_CONSOLE = "vm_console"  # a Proxmox VM's serial console needs the API road (termproxy)
    API_ONLY = "api_only"  # no SSH and no API credentials: no road into the instance at all
    NO_PTY_HERE = "no_pty_here"  # this computer has no pseudo-terminals (Windows)

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    ConsoleBlock.NO_SSH: "this node is reached over its API only; add SSH access to open a shell on it",
    ConsoleBlock.NOT_RUNNING: "the instance is not running",
    ConsoleBlock.VM_CONSOLE: "a virtual machine's console needs the Proxmox API; add API credentials to the node",
    ConsoleBlock.API_ONLY: "this node has neither SSH access nor API credentials for a console",
    ConsoleBlock.NO_PTY_HERE: "terminals on this computer need a POSIX system",
}


def api_console_road(node: NodeConfig, inst: Instance | None) -> bool:
    """Whether the node's API can carry an instance console: the LXD/Incus exec websocket
    (``providers/lxd_family/console_ws.py``) or Proxmox ``termproxy`` (``providers/proxmox/
    termproxy.py``, a VM's serial port or a container's console). Docker has no API road here."""
    if inst is None or not uses_api(node):
        return False
    return node.type in (Platform.LXD, Platform.INCUS, Platform.PROXMOX) and _api_credentials(node)


def _api_credentials(node: NodeConfig) -> bool:
    """The node is configured to log in to its API (LXD/Incus: an endpoint with the client
    certificate; Proxmox: a token or a user, on an endpoint or the default one)."""
    if node.type is Platform.PROXMOX:
        return bool(node.api_endpoint or node.api_token_id or node.api_user)
    return bool(node.api_endpoint)


def has_shell_road(node: NodeConfig) -> bool:
    """The node has a command runner with a terminal: SSH, or this computer's own (a POSIX one);
    a node set to api_only has none (its provider opens no runner)."""
    if node.local and os.name != "posix":
        return False
    return ExecutionRule(node.execution_rule) is not ExecutionRule.API_ONLY


def console_block(node: NodeConfig, inst: Instance | None = None) -> ConsoleBlock | None:
    """None when a console can be opened for (node) or (node, instance), else why not."""
    if inst is None:
        if node.local and os.name != "posix":
            return ConsoleBlock.NO_PTY_HERE
        return None if has_shell_road(node) else ConsoleBlock.NO_SSH
    if inst.status is not InstanceStatus.RUNNING:
        return ConsoleBlock.NOT_RUNNING
    if api_console_road(node, inst) or (has_shell_road(node) and not _vm_on_proxmox(node, inst)):
        return None
    if _vm_on_proxmox(node, inst):
        return ConsoleBlock.VM_CONSOLE
    return ConsoleBlock.NO_PTY_HERE if node.local else ConsoleBlock.API_ONLY


def _vm_on_proxmox(node: NodeConfig, inst: Instance) -> bool:
    return node.type is Platform.PROXMOX and inst.type is InstanceType.VM


def node_shell_title(node: NodeConfig) -> str:
    return node.name if node.local else f"{node.username}@{node.name}"


async def open_console(
    session: Session, node_id: str, instance: Instance | None, size: TermSize
) -> ConsoleChannel:
    """Open the console; raises ``Unsupported`` (with the reason) when it cannot be, and the
    usual connection errors (a host key still untrusted is asked about first, as for any call)."""
    node = session.node(node_id)
    if node is not None:
        block = console_block(node, instance)
        if block is not None:
            raise Unsupported(f"{node.name}: {block.message}")

    async def op(node: NodeConfig) -> ConsoleChannel:
        provider = await session.pool.get(node)
        if instance is None:
            runner = pty_runner(provider.command_runner, node.name)
            return await runner.open_pty(None, size, title=node_shell_title(node), use_sudo=False)
        channel = await provider.open_console(instance.id, size)
        if instance.name and instance.name != instance.id and instance.id in channel.title:
            # A Docker id is 64 hex digits: the tab shows the name the table shows.
            return WrappedConsole(channel, title=channel.title.replace(instance.id, instance.name))
        return channel

    # _with_trust: the same trust handling as every other call the session makes for a node.
    return await session._with_trust(node_id, op, interactive=True)


# --- graphical consoles (a VM's screen in remote-viewer) -------------------------------------------


class GraphicalBlock(StrEnum):
    """Why no graphical console can be opened (the UI words each one)."""

    NOT_A_VM = "not_a_vm"  # containers have no screen: their console is the terminal
    NOT_PROXMOX = "not_proxmox"  # only Proxmox VMs are offered one (vncproxy)
    NOT_RUNNING = "not_running"
    NO_API = "no_api"  # vncproxy is an API call

    @property
    def message(self) -> str:
        return _GRAPHICAL_MESSAGES[self]


_GRAPHICAL_MESSAGES = {
    GraphicalBlock.NOT_A_VM: "only virtual machines have a graphical console; open a terminal instead",
    GraphicalBlock.NOT_PROXMOX: "graphical consoles are offered for Proxmox virtual machines",
    GraphicalBlock.NOT_RUNNING: "the virtual machine is not running",
    GraphicalBlock.NO_API: "a graphical console needs the Proxmox API; add API credentials to the node",
}


def graphical_block(node: NodeConfig, inst: Instance) -> GraphicalBlock | None:
    """None when a VM's screen can be shown for (node, instance), else why not. Whether a viewer
    is installed is asked only when the user opens it, so the error can name the package."""
    if node.type is not Platform.PROXMOX:
        return GraphicalBlock.NOT_PROXMOX
    if inst.type is not InstanceType.VM:
        return GraphicalBlock.NOT_A_VM
    if inst.status is not InstanceStatus.RUNNING:
        return GraphicalBlock.NOT_RUNNING
    if not (uses_api(node) and _api_credentials(node)):
        return GraphicalBlock.NO_API
    return None


async def open_graphical_console(session: Session, node_id: str, instance: Instance) -> GraphicalConsole:
    """Start the installed viewer on the VM's screen (``provider.open_graphical_console``). The
    caller awaits ``wait()`` (or ``close()``) so the relay and its temporary files are released."""
    node = session.node(node_id)
    if node is not None:
        block = graphical_block(node, instance)
        if block is not None:
            raise Unsupported(f"{instance.name}: {block.message}")

    async def op(node: NodeConfig) -> GraphicalConsole:
        provider = await session.pool.get(node)
        return await provider.open_graphical_console(instance.id)

    return await session._with_trust(node_id, op, interactive=True)
