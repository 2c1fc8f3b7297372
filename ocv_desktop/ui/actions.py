"""The window's actions: one QAction each, shared by the menu bar, the toolbar and the context
menus, with the shortcuts listed in README.md, enabled by what is selected.

Power actions apply to the selected instances they make sense for: Start to the ones that are not
running, Stop to the ones that are not stopped, Restart to the running ones. So a bulk Stop over
a mixed selection stops what runs and leaves the rest alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget

from ocv_desktop.core.models import Instance, InstanceStatus, InstanceType, NodeConfig, Platform
from ocv_desktop.providers.routing import uses_ssh
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui.icons import action_icon

STARTABLE = frozenset({InstanceStatus.STOPPED, InstanceStatus.ERROR, InstanceStatus.UNKNOWN})
STOPPABLE = frozenset(
    {
        InstanceStatus.RUNNING,
        InstanceStatus.PAUSED,
        InstanceStatus.FROZEN,
        InstanceStatus.STARTING,
        InstanceStatus.ERROR,
        InstanceStatus.UNKNOWN,
    }
)
RESTARTABLE = frozenset({InstanceStatus.RUNNING})


def applicable(action: InstanceAction, instances: Sequence[Instance]) -> list[Instance]:
    """The instances ``action`` makes sense for."""
    allowed = {
        InstanceAction.START: STARTABLE,
        InstanceAction.STOP: STOPPABLE,
        InstanceAction.RESTART: RESTARTABLE,
    }.get(action)
    if allowed is None:  # delete: any
        return list(instances)
    return [i for i in instances if i.status in allowed]


@dataclass(frozen=True)
class SelectionState:
    """What the actions are enabled by."""

    instances: tuple[Instance, ...] = ()
    node: NodeConfig | None = None  # the tree's current item, when it is a node
    scope_nodes: int = 0  # nodes under the tree's current item
    has_nodes: bool = False
    can_open_terminal: bool = False
    terminal_why_not: str = ""  # the disabled terminal action's tooltip
    can_open_graphical: bool = False
    graphical_why_not: str = ""
    # the configured nodes of the selected instances, by id, and the ones whose health check
    # found them unreachable (their instances' actions would only fail)
    instance_nodes: Mapping[str, NodeConfig] = field(default_factory=dict)
    offline: frozenset[str] = frozenset()
    config_broken: bool = False  # config.yaml did not load: nothing can be saved to it


def password_blocked(node: NodeConfig, inst: Instance) -> str:
    """Why a password cannot be set in ``inst`` on ``node`` ("" when it can): a Proxmox container
    needs SSH (``pct exec``; the API cannot run commands in a container)."""
    if node.type is Platform.PROXMOX and inst.type is InstanceType.CONTAINER and not uses_ssh(node):
        return QCoreApplication.translate(
            "WindowActions",
            "Setting a container's password on {node} needs SSH: the Proxmox API cannot run commands in "
            "containers. Edit the node and give it SSH access (execution Automatic or SSH only).",
        ).format(node=node.name)
    return ""


class WindowActions(QObject):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        # instances
        self.start = self._make(
            "actionStart", self.tr("&Start"), "Ctrl+Shift+S", "start", self.tr("Start the selected instances")
        )
        self.stop = self._make(
            "actionStop", self.tr("S&top"), "Ctrl+Shift+X", "stop", self.tr("Stop the selected instances")
        )
        self.restart = self._make(
            "actionRestart", self.tr("&Restart"), "Ctrl+Shift+R", "restart", self.tr("Restart the selected instances")
        )
        self.delete = self._make(
            "actionDelete", self.tr("&Delete…"), QKeySequence.StandardKey.Delete, "delete",
            self.tr("Delete the selected instances (asks first)"),
        )  # fmt: skip
        self.reset_password = self._make(
            "actionResetPassword", self.tr("Reset &password…"), "Ctrl+Shift+P", "key",
            self.tr("Set a new random root password in the selected instance"),
        )  # fmt: skip
        self.open_terminal = self._make(
            "actionOpenTerminal", self.tr("Open &terminal"), "Ctrl+T", "terminal",
            self.tr("Open a shell on the selected node, or inside the selected instance"),
        )  # fmt: skip
        self.open_graphical = self._make(
            "actionOpenGraphicalConsole", self.tr("Open &graphical console"), "Ctrl+Shift+G", None,
            self.tr("Show the selected virtual machine's screen in remote-viewer"),
        )  # fmt: skip
        self.create_instance = self._make(
            "actionCreateInstance", self.tr("&Create instance…"), "Ctrl+Shift+N", "create",
            self.tr("Create a container or virtual machine on the selected node"),
        )  # fmt: skip
        self.images = self._make(
            "actionImages", self.tr("&Images…"), "Ctrl+I", None,
            self.tr("List, pull and delete the images of the selected node"),
        )  # fmt: skip
        # nodes
        self.refresh = self._make(
            "actionRefresh", self.tr("&Refresh"), QKeySequence.StandardKey.Refresh, "refresh",
            self.tr("List the instances of the selected nodes again"),
        )  # fmt: skip
        self.check_health = self._make(
            "actionCheckHealth", self.tr("Check &health now"), "Ctrl+Shift+H", None,
            self.tr("Check the selected nodes now instead of waiting for the next round"),
        )  # fmt: skip
        self.add_node = self._make("actionAddNode", self.tr("&Add node…"), "Ctrl+N", "add", self.tr("Add a node"))
        self.edit_node = self._make(
            "actionEditNode", self.tr("&Edit node…"), "Ctrl+E", "edit", self.tr("Change the selected node")
        )
        self.remove_node = self._make(
            "actionRemoveNode", self.tr("Re&move node…"), None, None, self.tr("Remove the selected node from the list")
        )
        self.node_details = self._make(
            "actionNodeDetails", self.tr("Node &details…"), None, None,
            self.tr("CPU, memory, disk and load of the selected node over the last hours"),
        )  # fmt: skip
        self.trust_node = self._make(
            "actionTrustNode", self.tr("Review &trust…"), None, None,
            self.tr("Show the host key or certificate this node presents and decide whether to trust it"),
        )  # fmt: skip
        self.import_file = self._make(
            "actionImport", self.tr("&Import OneClickVirt YAML…"), QKeySequence.StandardKey.Open, "import",
            self.tr("Import nodes from a OneClickVirt provider file"),
        )  # fmt: skip
        # view and app
        self.find = self._make(
            "actionFind", self.tr("&Find instances"), QKeySequence.StandardKey.Find, None, self.tr("Filter the table")
        )
        self.settings = self._make(
            "actionSettings", self.tr("&Settings…"), "Ctrl+,", None,
            self.tr("Health checks, time limits, theme, language"),
        )  # fmt: skip
        self.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.about = self._make(
            "actionAbout", self.tr("&About ocv-desktop"), None, None, self.tr("Version and folders")
        )
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.open_log_folder = self._make(
            "actionOpenLogFolder", self.tr("Open &log folder"), None, None, self.tr("Show the log files")
        )
        self.quit = self._make("actionQuit", self.tr("&Quit"), QKeySequence.StandardKey.Quit, None, self.tr("Quit"))
        self.group_by_platform = self._make("actionGroupByPlatform", self.tr("Group by &platform"), None, None, "")
        self.group_by_tag = self._make("actionGroupByTag", self.tr("Group by &tag"), None, None, "")
        group = QActionGroup(self)
        for a in (self.group_by_platform, self.group_by_tag):
            a.setCheckable(True)
            group.addAction(a)

    def _make(
        self,
        name: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        icon: str | None,
        tip: str,
    ) -> QAction:
        action = QAction(action_icon(icon) if icon else QIcon(), text, self._parent)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            shown = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip
            action.setToolTip(shown)
            action.setStatusTip(tip)
        self._parent.addAction(action)  # shortcuts work wherever the focus is in the window
        return action

    @staticmethod
    def _enable(action: QAction, enabled: bool, why_not: str, tip: str) -> None:
        """Enable ``action``; a disabled one says why in its tooltip (Qt shows tooltips of
        disabled toolbar buttons and menu entries, so the user learns what is missing)."""
        action.setEnabled(enabled)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        shown = tip if enabled else why_not
        action.setToolTip(f"{shown} ({shortcut})" if shortcut and enabled else shown)

    def update(self, state: SelectionState) -> None:
        insts = state.instances
        reachable = tuple(i for i in insts if i.node_id not in state.offline)
        offline = self._offline_reason(state) if insts and not reachable else ""
        power = (
            (self.start, InstanceAction.START, self.tr("Select a stopped instance to start")),
            (self.stop, InstanceAction.STOP, self.tr("Select a running instance to stop")),
            (self.restart, InstanceAction.RESTART, self.tr("Select a running instance to restart")),
        )
        for action, kind, select in power:
            can = bool(applicable(kind, reachable))
            self._enable(action, can, offline or select, action.statusTip())
        self._enable(
            self.delete, bool(reachable), offline or self.tr("Select the instances to delete"), self.delete.statusTip()
        )
        self._enable(
            self.reset_password, not (why := self._password_reason(state)), why, self.reset_password.statusTip()
        )
        self._enable(
            self.open_terminal, state.can_open_terminal, state.terminal_why_not, self.open_terminal.statusTip()
        )
        self._enable(
            self.open_graphical, state.can_open_graphical, state.graphical_why_not, self.open_graphical.statusTip()
        )
        no_node = self.tr("Add a node first") if not state.has_nodes else ""
        self._enable(self.create_instance, not no_node, no_node, self.create_instance.statusTip())
        self._enable(self.images, not no_node, no_node, self.images.statusTip())
        self.refresh.setEnabled(state.scope_nodes > 0)
        self.check_health.setEnabled(state.scope_nodes > 0)
        self.edit_node.setEnabled(state.node is not None)
        self.remove_node.setEnabled(state.node is not None)
        self.node_details.setEnabled(state.node is not None)
        self.trust_node.setEnabled(state.node is not None and not state.node.local)
        unsaved = self.tr("config.yaml did not load: fix it first (nothing can be saved to it)")
        broken = unsaved if state.config_broken else ""
        self._enable(self.add_node, not broken, broken, self.add_node.statusTip())
        self._enable(self.import_file, not broken, broken, self.import_file.statusTip())

    def _offline_reason(self, state: SelectionState) -> str:
        names = sorted(
            {state.instance_nodes[i.node_id].name for i in state.instances if i.node_id in state.instance_nodes}
        )
        return self.tr("{nodes} did not answer the last health check").format(nodes=", ".join(names) or "?")

    def _password_reason(self, state: SelectionState) -> str:
        """Why Reset password is disabled ("" when it is enabled)."""
        insts = state.instances
        if len(insts) != 1:
            return self.tr("Select one running instance")
        inst = insts[0]
        if inst.node_id in state.offline:
            return self._offline_reason(state)
        node = state.instance_nodes.get(inst.node_id)
        blocked = password_blocked(node, inst) if node is not None else ""
        if blocked:
            return blocked
        if inst.status is not InstanceStatus.RUNNING:
            return self.tr("{instance} is not running: start it first").format(instance=inst.name)
        return ""
