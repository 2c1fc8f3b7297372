"""The instance table: every instance of every listed node, one row each.

``InstanceTableModel`` holds the instances of all nodes; ``InstanceFilterProxy`` shows the ones in
the tree's current scope (one node, a group, or all) that match the search text, sorted.

A refresh of a node updates the rows *in place* (never a model reset): rows are matched by
``(node id, instance id)``; changed rows emit ``dataChanged``, vanished rows are removed, new
rows are appended. So the selection, the scroll position and any ``QPersistentModelIndex`` on
an unchanged instance survive a refresh.

Sorting uses ``SortRole``: numbers for CPU, memory and disk (so 2 GiB sorts after 512 MiB), and
case-folded text for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ocv_desktop.core.models import Instance, InstanceStatus, InstanceType
from ocv_desktop.ui.models.formatting import format_cores, format_usage
from ocv_desktop.ui.theme import STATUS_COLOURS
from ocv_desktop.ui.widgets.dots import dot_icon
from ocv_desktop.ui.workspace import Workspace

ModelIndex = QModelIndex | QPersistentModelIndex
Key = tuple[str, str]
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class InstanceTableModel(QAbstractTableModel):
    NAME, STATUS, TYPE, IMAGE, CPU, MEMORY, DISK, IPS, NODE = range(9)
    COLUMNS = 9
    SortRole = Qt.ItemDataRole.UserRole + 1
    InstanceRole = Qt.ItemDataRole.UserRole + 2  # the Instance
    KeyRole = Qt.ItemDataRole.UserRole + 3  # (node id, instance id)
    StatusRole = Qt.ItemDataRole.UserRole + 4  # InstanceStatus value

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._rows: list[Instance] = []
        self._row_of: dict[Key, int] = {}
        self._search: list[str] = []  # casefolded text of every column, per row (for the filter)
        self._node_names: dict[str, str] = workspace.node_names()
        workspace.instancesChanged.connect(self.update_node)
        workspace.nodesChanged.connect(self._nodes_changed)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Name"),
            self.tr("Status"),
            self.tr("Type"),
            self.tr("Image"),
            self.tr("CPU"),
            self.tr("Memory"),
            self.tr("Disk"),
            self.tr("IP addresses"),
            self.tr("Node"),
        )

    # --- updates -------------------------------------------------------------------------------

    def update_node(self, node_id: str) -> None:
        """Make the rows of ``node_id`` match the workspace's list of its instances, in place."""
        fresh = self._ws.instances_of(node_id)
        wanted = {inst.key: inst for inst in fresh}
        gone = sorted(
            (row for key, row in self._row_of.items() if key[0] == node_id and key not in wanted), reverse=True
        )
        for first, last in _runs_descending(gone):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            del self._search[first : last + 1]
            self.endRemoveRows()
        if gone:
            self._row_of = {inst.key: row for row, inst in enumerate(self._rows)}
        changed: list[int] = []
        for inst in fresh:
            row = self._row_of.get(inst.key)
            if row is not None and self._rows[row] != inst:
                self._rows[row] = inst
                self._search[row] = self._search_text(inst)
                changed.append(row)
        for first, last in _runs_ascending(sorted(changed)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMNS - 1))
        added = [inst for inst in fresh if inst.key not in self._row_of]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            for offset, inst in enumerate(added):
                self._rows.append(inst)
                self._search.append(self._search_text(inst))
                self._row_of[inst.key] = start + offset
            self.endInsertRows()

    def _nodes_changed(self) -> None:
        """Node names may have changed (the Node column), and removed nodes lose their rows."""
        self._node_names = self._ws.node_names()
        for node_id in {key[0] for key in self._row_of} - set(self._node_names):
            self.update_node(node_id)
        self._search = [self._search_text(inst) for inst in self._rows]
        if self._rows:
            top, bottom = self.index(0, self.NODE), self.index(len(self._rows) - 1, self.NODE)
            self.dataChanged.emit(top, bottom)

    # --- lookups -------------------------------------------------------------------------------

    def instance_at(self, row: int) -> Instance | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: Key) -> int | None:
        return self._row_of.get(key)

    def search_text(self, row: int) -> str:
        return self._search[row]

    def instances(self) -> list[Instance]:
        return list(self._rows)

    # --- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        inst = self.instance_at(index.row()) if index.isValid() else None
        if inst is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(inst, col)
        if role == self.SortRole:
            return self._sort_value(inst, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(inst, col)
        return self._other(inst, col, role)

    def _other(self, inst: Instance, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole:
            return dot_icon(STATUS_COLOURS[inst.status]) if col == self.STATUS else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (self.CPU, self.MEMORY, self.DISK) else None
        return {self.InstanceRole: inst, self.KeyRole: inst.key, self.StatusRole: inst.status.value}.get(role)

    def _tooltip(self, inst: Instance, col: int) -> str | None:
        if col == self.STATUS and inst.raw_status:
            return self.tr("{status} (the platform says: {raw})").format(
                status=self.status_text(inst.status), raw=inst.raw_status
            )
        if col == self.NAME:
            return self.tr("id: {id}").format(id=inst.id)
        text = self._display(inst, col)
        return text or None

    def _display(self, inst: Instance, col: int) -> str:
        cells: dict[int, Callable[[], str]] = {
            self.NAME: lambda: inst.name,
            self.STATUS: lambda: self.status_text(inst.status),
            self.TYPE: lambda: self.tr("VM") if inst.type is InstanceType.VM else self.tr("container"),
            self.IMAGE: lambda: inst.image,
            self.CPU: lambda: self._cpu_text(inst),
            self.MEMORY: lambda: format_usage(inst.memory_usage, inst.memory_limit),
            self.DISK: lambda: format_usage(inst.disk_usage, inst.disk_limit),
            self.IPS: lambda: ", ".join((*inst.ipv4, *inst.ipv6)),
            self.NODE: lambda: self._node_names.get(inst.node_id, ""),
        }
        cell = cells.get(col)
        return cell() if cell else ""

    def _cpu_text(self, inst: Instance) -> str:
        limit = self.tr("{cores} cores").format(cores=format_cores(inst.cpu_limit)) if inst.cpu_limit else ""
        if inst.cpu_usage is None:
            return limit
        usage = f"{inst.cpu_usage * 100:.0f}%"
        return f"{usage} · {limit}" if limit else usage

    def _sort_value(self, inst: Instance, col: int) -> Any:
        numbers = {
            self.CPU: _first_known(inst.cpu_usage, inst.cpu_limit),
            self.MEMORY: _first_known(inst.memory_usage, inst.memory_limit),
            self.DISK: _first_known(inst.disk_usage, inst.disk_limit),
        }
        if col in numbers:
            return numbers[col]
        if col == self.IPS:  # numeric order of the first address: 10.0.0.9 before 10.0.0.10
            return _ip_sort_key(inst.ipv4[0]) if inst.ipv4 else ""
        return self._display(inst, col).casefold()

    def status_text(self, status: InstanceStatus) -> str:
        return {
            InstanceStatus.RUNNING: self.tr("running"),
            InstanceStatus.STOPPED: self.tr("stopped"),
            InstanceStatus.PAUSED: self.tr("paused"),
            InstanceStatus.FROZEN: self.tr("frozen"),
            InstanceStatus.STARTING: self.tr("starting"),
            InstanceStatus.STOPPING: self.tr("stopping"),
            InstanceStatus.ERROR: self.tr("error"),
            InstanceStatus.UNKNOWN: self.tr("unknown"),
        }[status]

    def _search_text(self, inst: Instance) -> str:
        cells = [self._display(inst, col) for col in range(self.COLUMNS)]
        return "\n".join([*cells, inst.id, inst.raw_status]).casefold()


class InstanceFilterProxy(QSortFilterProxyModel):
    """Scope (the nodes selected in the tree; None = all) and search text (every word must appear
    in some column), on top of the numeric-aware sort."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(InstanceTableModel.SortRole)
        self.setDynamicSortFilter(True)
        self._scope: frozenset[str] | None = None
        self._words: tuple[str, ...] = ()

    def set_scope(self, node_ids: Iterable[str] | None) -> None:
        scope = None if node_ids is None else frozenset(node_ids)
        if scope != self._scope:
            self._change_filter(lambda: setattr(self, "_scope", scope))

    def scope(self) -> frozenset[str] | None:
        return self._scope

    def set_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words != self._words:
            self._change_filter(lambda: setattr(self, "_words", words))

    def _change_filter(self, change: Callable[[], None]) -> None:
        # Qt >= 6.9 wants begin/endFilterChange around the change; older ones invalidateFilter after it.
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:
            begin()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - Qt < 6.9
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        source = self.sourceModel()
        assert isinstance(source, InstanceTableModel)
        inst = source.instance_at(source_row)
        if inst is None:
            return False
        if self._scope is not None and inst.node_id not in self._scope:
            return False
        if not self._words:
            return True
        text = source.search_text(source_row)
        return all(word in text for word in self._words)

    def instances(self, rows: Sequence[int]) -> list[Instance]:
        """The instances of these proxy rows."""
        out = []
        for row in rows:
            inst = self.index(row, 0).data(InstanceTableModel.InstanceRole)
            if inst is not None:
                out.append(inst)
        return out


def _first_known(*values: float | None) -> float:
    for v in values:
        if v is not None:
            return float(v)
    return -1.0  # unknown sorts first


def _ip_sort_key(address: str) -> str:
    parts = address.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return ".".join(f"{int(p):03d}" for p in parts)
    return address


def _runs_descending(rows: Sequence[int]) -> list[tuple[int, int]]:
    """[9, 8, 5, 4, 3] -> [(8, 9), (3, 5)]: contiguous ranges, highest first (safe to delete in order)."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][0] == row + 1:
            runs[-1] = (row, runs[-1][1])
        else:
            runs.append((row, row))
    return runs


def _runs_ascending(rows: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
