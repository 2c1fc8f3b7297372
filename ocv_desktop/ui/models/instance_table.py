"""The instance table: every instance of every listed node, one row each.

``InstanceTableModel`` holds the instances of all nodes; ``InstanceFilterProxy`` shows the ones in
the tree's current scope (one node, a group, or all) that match the search text, sorted.

A refresh of a node updates the rows *in place* (never a model reset): rows are matched by
``(node id, instance id)``; changed rows emit ``dataChanged``, vanished rows are removed, new
rows are appended. So the selection, the scroll position and any ``QPersistentModelIndex`` on
an instance survive a refresh. Hundreds of new rows are added a chunk per event-loop turn, so a
big first listing never freezes the window (tests/ui/test_event_loop_lag.py measures it).

Sorting uses ``SortRole``: numbers for CPU, memory and disk (so 2 GiB sorts after 512 MiB), and
case-folded text for the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

from ocv_desktop.core.models import Instance, InstanceType
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.models.formatting import format_cores, format_usage
from ocv_desktop.ui.theme import STATUS_COLOURS, status_text
from ocv_desktop.ui.widgets.dots import dot_icon

ModelIndex = QModelIndex | QPersistentModelIndex
Key = tuple[str, str]
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(slots=True)
class _Row:
    """One instance with everything the views ask for, computed once when it changes (a view
    asks for cells and sort keys thousands of times; each Python call costs microseconds)."""

    inst: Instance
    cells: tuple[str, ...]
    sort: tuple[Any, ...]
    search: str  # casefolded text of every column, for the filter


@dataclass(slots=True)
class _Plan:
    """What is left to apply of one node's latest listing."""

    changed: list[Instance]
    added: list[Instance]


class InstanceTableModel(QAbstractTableModel):
    NAME, STATUS, TYPE, IMAGE, CPU, MEMORY, DISK, IPS, NODE = range(9)
    COLUMNS = 9
    SortRole = Qt.ItemDataRole.UserRole + 1
    InstanceRole = Qt.ItemDataRole.UserRole + 2  # the Instance
    CHUNK = 250  # rows inserted or changed per slice
    TURN_BUDGET = 0.012  # seconds of slices per event-loop turn; the rest waits for the next turn

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws = workspace
        self._rows: list[_Row] = []
        self._row_of: dict[Key, int] = {}
        self._keys_of: dict[str, set[Key]] = {}  # node id -> keys of its rows
        self._node_names: dict[str, str] = workspace.node_names()
        self._type_text = {InstanceType.CONTAINER: self.tr("container"), InstanceType.VM: self.tr("VM")}
        self._cores_text = self.tr("{cores} cores")
        # Nodes whose rows still differ from the workspace: what is left to apply (see update_node).
        self._pending: dict[str, _Plan] = {}
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self._apply_pending)
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
        """Make the rows of ``node_id`` match the workspace's list of its instances, in place.

        The difference is computed once per listing, keyed by (node id, instance id): vanished
        rows are removed at once, changed rows get ``dataChanged``, new rows are appended. A small
        change is applied at once; a big one (a first listing of thousands) a time slice per
        event-loop turn (``TURN_BUDGET``), so the window keeps painting meanwhile. A newer
        listing arriving halfway replaces the rest of the older one's plan."""
        fresh = self._ws.instances_of(node_id)
        wanted = {inst.key: inst for inst in fresh}
        mine = self._keys_of.get(node_id, set())
        gone = sorted((self._row_of[key] for key in mine if key not in wanted), reverse=True)
        for first, last in _runs_descending(gone):  # removals are cheap for the views: all at once
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        if gone:
            self._row_of = {row.inst.key: i for i, row in enumerate(self._rows)}
            mine = self._keys_of[node_id] = {key for key in mine if key in wanted}
        rows, row_of = self._rows, self._row_of
        changed = [inst for inst in fresh if inst.key in mine and rows[row_of[inst.key]].inst != inst]
        added = [inst for inst in fresh if inst.key not in mine]
        if changed or added:
            self._pending[node_id] = _Plan(changed, added)
        else:
            self._pending.pop(node_id, None)
        if not mine and not fresh:
            self._keys_of.pop(node_id, None)
        self._apply_pending()

    def settled(self) -> bool:
        """True when every row matches the workspace (no slice is waiting)."""
        return not self._pending

    def _apply_pending(self) -> None:
        deadline = time.perf_counter() + self.TURN_BUDGET
        while self._pending:
            node_id, plan = next(iter(self._pending.items()))
            self._apply_slice(node_id, plan)
            if not plan.changed and not plan.added:
                del self._pending[node_id]
            if time.perf_counter() >= deadline:
                break
        if self._pending and not self._more.isActive():
            self._more.start()

    def _apply_slice(self, node_id: str, plan: _Plan) -> None:
        """Apply up to ``CHUNK`` changed rows, then up to ``CHUNK`` new rows, of one node's plan."""
        if plan.changed:
            batch, plan.changed = plan.changed[: self.CHUNK], plan.changed[self.CHUNK :]
            touched = []
            for inst in batch:
                row = self._row_of.get(inst.key)
                if row is not None:
                    self._rows[row] = self._make_row(inst)
                    touched.append(row)
            for first, last in _runs_ascending(sorted(touched)):
                self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMNS - 1))
            return
        batch, plan.added = plan.added[: self.CHUNK], plan.added[self.CHUNK :]
        start = len(self._rows)
        made = [self._make_row(inst) for inst in batch]
        self.beginInsertRows(QModelIndex(), start, start + len(made) - 1)
        self._rows.extend(made)
        mine = self._keys_of.setdefault(node_id, set())
        for offset, inst in enumerate(batch):
            self._row_of[inst.key] = start + offset
            mine.add(inst.key)
        self.endInsertRows()

    def _nodes_changed(self) -> None:
        """Removed nodes lose their rows; renamed nodes get their Node column redone (only theirs)."""
        old, self._node_names = self._node_names, self._ws.node_names()
        for node_id in set(self._keys_of) - set(self._node_names):
            self.update_node(node_id)
        renamed = {nid for nid, name in self._node_names.items() if old.get(nid) != name and nid in self._keys_of}
        if not renamed:
            return
        touched = []
        for i, row in enumerate(self._rows):
            if row.inst.node_id in renamed:
                self._rows[i] = self._make_row(row.inst)
                touched.append(i)
        for first, last in _runs_ascending(touched):
            self.dataChanged.emit(self.index(first, self.NODE), self.index(last, self.NODE))

    def _make_row(self, inst: Instance) -> _Row:
        cells = (
            inst.name,
            status_text(inst.status),
            self._type_text.get(inst.type, inst.type.value),
            inst.image,
            self._cpu_text(inst),
            format_usage(inst.memory_usage, inst.memory_limit),
            format_usage(inst.disk_usage, inst.disk_limit),
            ", ".join((*inst.ipv4, *inst.ipv6)),
            self._node_names.get(inst.node_id, ""),
        )
        sort = tuple(
            _first_known(inst.cpu_usage, inst.cpu_limit)
            if col == self.CPU
            else _first_known(inst.memory_usage, inst.memory_limit)
            if col == self.MEMORY
            else _first_known(inst.disk_usage, inst.disk_limit)
            if col == self.DISK
            else (_ip_sort_key(inst.ipv4[0]) if inst.ipv4 else "")  # 10.0.0.9 before 10.0.0.10
            if col == self.IPS
            else cell.casefold()
            for col, cell in enumerate(cells)
        )
        search = "\n".join([*cells, inst.id, inst.raw_status]).casefold()
        return _Row(inst, cells, sort, search)

    # --- lookups -------------------------------------------------------------------------------

    def instance_at(self, row: int) -> Instance | None:
        return self._rows[row].inst if 0 <= row < len(self._rows) else None

    def row_of(self, key: Key) -> int | None:
        return self._row_of.get(key)

    def search_text(self, row: int) -> str:
        return self._rows[row].search

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
        row = index.row()
        if not index.isValid() or row >= len(self._rows):
            return None
        r, col = self._rows[row], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return r.cells[col]
        if role == self.SortRole:
            return r.sort[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        return self._other(r.inst, col, role)

    def _other(self, inst: Instance, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole:
            return dot_icon(STATUS_COLOURS[inst.status]) if col == self.STATUS else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (self.CPU, self.MEMORY, self.DISK) else None
        return inst if role == self.InstanceRole else None

    def _tooltip(self, r: _Row, col: int) -> str | None:
        inst = r.inst
        if col == self.STATUS and inst.raw_status:
            return self.tr("{status} (the platform says: {raw})").format(status=r.cells[col], raw=inst.raw_status)
        if col == self.NAME:
            return self.tr("id: {id}").format(id=inst.id)
        return r.cells[col] or None

    def _cpu_text(self, inst: Instance) -> str:
        limit = self._cores_text.format(cores=format_cores(inst.cpu_limit)) if inst.cpu_limit else ""
        if inst.cpu_usage is None:
            return limit
        usage = f"{inst.cpu_usage * 100:.0f}%"
        return f"{usage} · {limit}" if limit else usage


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
