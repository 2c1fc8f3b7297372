"""The node tree: "All nodes" -> groups -> nodes, with live health.

Groups are by platform (Docker, LXD, Incus, Proxmox VE) or by tag; with tags a node appears under
each of its tags, and untagged nodes under "untagged". The model reads everything from the
workspace and never talks to a node.

Index layout (no Python objects behind internal pointers, only integers):
- the "All nodes" item: row 0, no parent, internal id 0;
- group g: row g under "All nodes", internal id 1;
- a node: row n under group g, internal id 2 + g.

Health reports and node states change only data (``dataChanged`` on every row that shows the
node), so the view keeps its expansion, scroll position and selection. A change of the node list
or of the grouping rebuilds the tree (a reset); the window restores expansion and selection then.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ocv_desktop.core.errors import CertificateChanged, HostKeyChanged
from ocv_desktop.core.models import CheckKind, CheckStatus, HealthReport, HealthState, NodeConfig, Platform
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.icons import PLATFORM_NAMES, platform_icon
from ocv_desktop.ui.models.formatting import format_latency
from ocv_desktop.ui.theme import HEALTH_COLOURS, health_text
from ocv_desktop.ui.widgets.resource_graphs import tooltip_table

ModelIndex = QModelIndex | QPersistentModelIndex
ALL_ID = 0
GROUP_ID = 1
NODE_BASE = 2

PLATFORM_ORDER = (Platform.DOCKER, Platform.LXD, Platform.INCUS, Platform.PROXMOX)


class ItemKind:
    ALL = "all"
    GROUP = "group"
    NODE = "node"


@dataclass(frozen=True, slots=True)
class _Group:
    key: str  # platform value, or the tag; "" = untagged
    node_ids: tuple[str, ...]


class NodeTreeModel(QAbstractItemModel):
    KindRole = Qt.ItemDataRole.UserRole + 1  # ItemKind value
    NodeIdRole = Qt.ItemDataRole.UserRole + 2  # node id (node rows)
    HealthStateRole = Qt.ItemDataRole.UserRole + 4  # HealthState value ("checking" before a report)
    HealthColourRole = Qt.ItemDataRole.UserRole + 5  # QColor of the badge
    NeedsTrustRole = Qt.ItemDataRole.UserRole + 6  # bool
    GroupKeyRole = Qt.ItemDataRole.UserRole + 7  # group key (group rows)

    CHECKING = "checking"

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._group_by = workspace.settings.group_by
        self._groups: list[_Group] = []
        self._rows_of: dict[str, list[tuple[int, int]]] = {}  # node id -> (group row, node row)
        # node id -> role -> value, made on first ask and dropped when the node changes: the badge
        # delegate asks ~30 roles per row and paint, and 50-200 nodes change in the first seconds
        # (issue 15: building them on every ask was a visible part of the stall after first paint)
        self._roles_of: dict[str, dict[int, Any]] = {}
        self._rebuild()
        workspace.nodesChanged.connect(self.reload)
        workspace.healthChanged.connect(self.node_changed)
        workspace.nodeStateChanged.connect(self.node_changed)

    # --- structure -----------------------------------------------------------------------------

    @property
    def group_by(self) -> str:
        return self._group_by

    def set_group_by(self, group_by: str) -> None:
        if group_by != self._group_by:
            self._group_by = group_by
            self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def _rebuild(self) -> None:
        nodes = sorted(self._ws.nodes, key=lambda n: (n.name.casefold(), n.name))
        groups: list[_Group] = []
        if self._group_by == "tag":
            tags = sorted({t for n in nodes for t in n.tags}, key=str.casefold)
            groups = [_Group(t, tuple(n.id for n in nodes if t in n.tags)) for t in tags]
            untagged = tuple(n.id for n in nodes if not n.tags)
            if untagged:
                groups.append(_Group("", untagged))
        else:
            for platform in PLATFORM_ORDER:
                ids = tuple(n.id for n in nodes if n.type is platform)
                if ids:
                    groups.append(_Group(platform.value, ids))
        self._groups = groups
        self._roles_of = {}
        self._rows_of = {}
        for g, group in enumerate(groups):
            for r, node_id in enumerate(group.node_ids):
                self._rows_of.setdefault(node_id, []).append((g, r))

    def node_changed(self, node_id: str) -> None:
        """A node's health or state changed: repaint the rows that show it (and the group and
        "All nodes" rows, whose tooltips count healthy nodes)."""
        self._roles_of.pop(node_id, None)
        rows = self._rows_of.get(node_id, [])
        for g, r in rows:
            idx = self.index(r, 0, self.index(g, 0, self.all_index()))
            self.dataChanged.emit(idx, idx)
        for g in {g for g, _ in rows}:
            gidx = self.index(g, 0, self.all_index())
            self.dataChanged.emit(gidx, gidx, [Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DisplayRole])

    def all_index(self) -> QModelIndex:
        return self.createIndex(0, 0, ALL_ID)

    def node_indexes(self, node_id: str) -> list[QModelIndex]:
        return [self.index(r, 0, self.index(g, 0, self.all_index())) for g, r in self._rows_of.get(node_id, [])]

    def group_index(self, key: str) -> QModelIndex:
        for g, group in enumerate(self._groups):
            if group.key == key:
                return self.index(g, 0, self.all_index())
        return QModelIndex()

    # --- Qt model API --------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(0, 0, ALL_ID) if row == 0 else QModelIndex()
        pid = parent.internalId()
        if pid == ALL_ID:
            return self.createIndex(row, 0, GROUP_ID) if row < len(self._groups) else QModelIndex()
        if pid == GROUP_ID and parent.row() < len(self._groups):
            group = self._groups[parent.row()]
            return self.createIndex(row, 0, NODE_BASE + parent.row()) if row < len(group.node_ids) else QModelIndex()
        return QModelIndex()

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        iid = index.internalId()
        if iid == ALL_ID:
            return QModelIndex()
        if iid == GROUP_ID:
            return self.createIndex(0, 0, ALL_ID)
        return self.createIndex(iid - NODE_BASE, 0, GROUP_ID)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return 1
        pid = parent.internalId()
        if pid == ALL_ID:
            return len(self._groups)
        if pid == GROUP_ID and parent.row() < len(self._groups):
            return len(self._groups[parent.row()].node_ids)
        return 0

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def kind(self, index: ModelIndex) -> str:
        iid = index.internalId()
        return ItemKind.ALL if iid == ALL_ID else ItemKind.GROUP if iid == GROUP_ID else ItemKind.NODE

    def node_id(self, index: ModelIndex) -> str | None:
        if not index.isValid() or index.internalId() < NODE_BASE:
            return None
        g = index.internalId() - NODE_BASE
        if g < len(self._groups) and index.row() < len(self._groups[g].node_ids):
            return self._groups[g].node_ids[index.row()]
        return None

    def node_ids(self, index: ModelIndex) -> list[str]:
        """Every node shown under ``index`` (itself for a node row)."""
        if not index.isValid():
            return []
        kind = self.kind(index)
        if kind == ItemKind.ALL:
            return [n.id for n in self._ws.nodes]
        if kind == ItemKind.GROUP:
            return list(self._groups[index.row()].node_ids) if index.row() < len(self._groups) else []
        node_id = self.node_id(index)
        return [node_id] if node_id else []

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        kind = self.kind(index)
        if role == self.KindRole:
            return kind
        if kind == ItemKind.NODE:
            return self._node_data(index, role)
        return self._group_data(index, kind, role)

    def _group_data(self, index: ModelIndex, kind: str, role: int) -> Any:
        ids = self.node_ids(index)
        if role == Qt.ItemDataRole.DisplayRole:
            label = self.tr("All nodes") if kind == ItemKind.ALL else self._group_label(index.row())
            return f"{label} ({len(ids)})"
        if role == Qt.ItemDataRole.DecorationRole and kind == ItemKind.GROUP and self._group_by == "platform":
            return platform_icon(Platform(self._groups[index.row()].key))
        if role == Qt.ItemDataRole.ToolTipRole:
            healthy = sum(self._ws.health_state(i) is HealthState.HEALTHY for i in ids)
            return self.tr("{healthy} of {total} nodes healthy").format(healthy=healthy, total=len(ids))
        if role == self.GroupKeyRole and kind == ItemKind.GROUP:
            return self._groups[index.row()].key
        return None

    def _group_label(self, row: int) -> str:
        key = self._groups[row].key if row < len(self._groups) else ""
        if self._group_by == "tag":
            return key or self.tr("untagged")
        return PLATFORM_NAMES[Platform(key)] if key else ""

    def _node_data(self, index: ModelIndex, role: int) -> Any:
        node_id = self.node_id(index)
        if node_id is None:
            return None
        roles = self._roles_of.get(node_id)
        if roles is None:
            node = self._ws.node(node_id)
            if node is None:
                return None
            roles = self._roles_of[node_id] = self._node_roles(node)
        if role == Qt.ItemDataRole.ToolTipRole:  # made when asked (hover): it walks the report
            node = self._ws.node(node_id)
            return self._tooltip(node) if node is not None else None
        return roles.get(role)

    def _node_roles(self, node: NodeConfig) -> dict[int, Any]:
        state = self.health_state(node.id)
        return {
            Qt.ItemDataRole.DisplayRole: node.name,
            Qt.ItemDataRole.DecorationRole: platform_icon(node.type),
            self.NodeIdRole: node.id,
            self.HealthStateRole: state,
            self.HealthColourRole: self.health_colour(state),
            self.NeedsTrustRole: self._ws.untrusted(node.id) is not None,
        }

    def health_state(self, node_id: str) -> str:
        """The badge's state: a HealthState value, or "checking" before the first report."""
        report = self._ws.health.get(node_id)
        return self.CHECKING if report is None else report.state.value

    @staticmethod
    def health_colour(state: str) -> QColor:
        health = HealthState.UNKNOWN if state == NodeTreeModel.CHECKING else HealthState(state)
        return QColor(HEALTH_COLOURS[health])

    # --- tooltip -------------------------------------------------------------------------------

    def _tooltip(self, node: NodeConfig) -> str:
        lines = [f"<b>{html.escape(node.name)}</b> — {html.escape(node.display_address)}"]
        report = self._ws.health.get(node.id)
        trust = self._ws.untrusted(node.id)
        if trust is not None:
            if isinstance(trust, HostKeyChanged | CertificateChanged):
                text = self.tr("The key or certificate of this node CHANGED. Click the badge to review it.")
            else:
                text = self.tr("Not trusted yet: click the badge to review its fingerprint.")
            lines.append(f"<p style='color:#e5534b'>{html.escape(text)}</p>")
        if report is None:
            lines.append(html.escape(self.tr("Health: checking…")))
        else:
            lines.append(self._checks_table(report))
            resources = tooltip_table(self._ws.history, node.id, report)  # sparklines of the last hour
            if resources:
                lines.append(resources)
            lines.append(
                html.escape(self.tr("checked at {time}").format(time=report.checked_at.astimezone().strftime("%X")))
            )
        error = self._ws.errors.get(node.id)
        if error:
            lines.append(html.escape(self.tr("Last refresh failed: {error}").format(error=error)))
        return "<br>".join(lines)

    def _checks_table(self, report: HealthReport) -> str:
        names = {CheckKind.SSH: self.tr("SSH"), CheckKind.API: self.tr("API"), CheckKind.SERVICE: self.tr("Service")}
        statuses = {
            CheckStatus.ONLINE: self.tr("online"),
            CheckStatus.OFFLINE: self.tr("offline"),
            CheckStatus.NOT_CHECKED: self.tr("not checked"),
        }
        rows = [
            _row(
                names.get(c.kind, c.kind.value),
                statuses.get(c.status, c.status.value),
                format_latency(c.latency),
                c.error or c.detail,
            )
            for c in report.checks
        ]
        head = html.escape(self.tr("Health: {state}").format(state=health_text(report.state)))
        return f"{head}<table cellspacing='4'>{''.join(rows)}</table>"


def _row(*cells: str) -> str:
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
