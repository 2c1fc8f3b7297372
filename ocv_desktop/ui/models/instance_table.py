"""The instance table: every instance of every listed node, one row each.

``InstanceTableModel`` holds the instances of all nodes; ``InstanceFilterProxy`` shows the ones in
the tree's current scope (one node, a group, or all) that match the search text, sorted.

A refresh of a node updates the rows *in place* (never a model reset): rows are matched by
``(node id, instance id)``; changed rows emit ``dataChanged``, vanished rows are removed, new
rows are appended. So the selection, the scroll position and any ``QPersistentModelIndex`` on
an instance survive a refresh. Hundreds of new rows are added a chunk per event-loop turn, so a
big first listing never freezes the window (tests/ui/test_event_loop_lag.py measures it).

Sorting is done by the model itself, on sort keys computed once per row when the row is set
(numbers for CPU, memory and disk, so 2 GiB sorts after 512 MiB; IPv4 addresses by their numbers;
case-folded text for the others): one ``sorted()`` over precomputed keys and one ``layoutChanged``,
instead of QSortFilterProxyModel comparing rows through a Python ``data()`` call per comparison
(10x slower at 20k rows, issue 15). ``InstanceFilterProxy.sort`` hands the sort to the model and
keeps its own order = the model's. After a listing has been applied the order is checked once and
restored with a new sort if a changed or added row broke it.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
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
_SORT_KEYS = attrgetter("sort")
_ROW_KEY = attrgetter("key")
_SCOPE_END = "\x1f"  # between the node id and the search text in FilterRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(slots=True)
class _Row:
    """One instance with everything the views ask for, computed once when it changes (a view
    asks for cells and sort keys thousands of times; each Python call costs microseconds)."""

    inst: Instance
    key: Key  # (node id, instance id)
    cells: tuple[str, ...]
    sort: tuple[Any, ...]
    search: str  # casefolded text of every column, for the filter
    filter: str  # "<node id>\x1f<search>": what InstanceFilterProxy's regular expression reads


@dataclass(slots=True)
class _Found:
    """What the slices of one turn found for one node: rows changed in place, rows to insert."""

    touched: list[int] = field(default_factory=list)
    added: list[_Row] = field(default_factory=list)
    new_keys: set[Key] = field(default_factory=set)


@dataclass(slots=True)
class _Plan:
    """One node's latest listing and how far it has been applied."""

    fresh: Sequence[Instance]
    keys: list[Key]  # (node id, instance id) of each, in the same order
    done: int = 0


class InstanceTableModel(QAbstractTableModel):
    NAME, STATUS, TYPE, IMAGE, CPU, MEMORY, DISK, IPS, NODE = range(9)
    COLUMNS = 9
    SortRole = Qt.ItemDataRole.UserRole + 1
    InstanceRole = Qt.ItemDataRole.UserRole + 2  # the Instance
    FilterRole = Qt.ItemDataRole.UserRole + 3  # "<node id>\x1f<search text>" (InstanceFilterProxy)
    CHUNK = 100  # instances compared, changed or inserted per slice
    TURN_BUDGET = 0.008  # seconds of slices per event-loop turn; the rest waits for the next turn
    SORT_INLINE = 2000  # up to this many rows a re-sort (< 1 ms) never waits for a turn of its own

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
        self._sort_column = -1  # -1: rows stay in the order they arrived (until a view sorts)
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._order_dirty = False  # rows changed or were added since the last sort
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

        Rows are keyed by (node id, instance id). Vanished rows are removed at once (cheap for the
        views); the rest of the listing becomes a plan that is walked a ``CHUNK`` at a time:
        changed rows get ``dataChanged`` (per contiguous range), new rows are appended. A small
        listing is applied at once; a big one (thousands of rows) in slices of at most
        ``TURN_BUDGET`` per event-loop turn, so the window keeps painting meanwhile: even the
        comparison of old and new rows is done in those slices. A newer listing arriving halfway
        replaces the rest of the older one's plan."""
        fresh = self._ws.instances_of(node_id)
        keys = [(node_id, inst.id) for inst in fresh]
        mine = self._keys_of.get(node_id, set())
        vanished = mine.difference(keys)
        if vanished:
            gone = sorted((self._row_of[key] for key in vanished), reverse=True)
            for first, last in _runs_descending(gone):
                self.beginRemoveRows(QModelIndex(), first, last)
                del self._rows[first : last + 1]
                self.endRemoveRows()
            self._row_of = dict(zip(map(_ROW_KEY, self._rows), range(len(self._rows)), strict=True))
            mine -= vanished
        if fresh:
            self._pending[node_id] = _Plan(fresh, keys)
        else:
            self._pending.pop(node_id, None)
            self._keys_of.pop(node_id, None)
        self._apply_pending()

    def settled(self) -> bool:
        """True when every row matches the workspace and is in its sorted place (no slice and no
        re-sort is waiting)."""
        return not self._pending and not self._order_dirty

    def _apply_pending(self) -> None:
        """Slices of the waiting plans until ``TURN_BUDGET`` is spent; what they found goes out
        once per node and turn (one ``dataChanged`` per contiguous range, one insert for the new
        rows): a view pays per signal, so fewer, larger signals load a big listing faster."""
        deadline = time.perf_counter() + self.TURN_BUDGET
        found: dict[str, _Found] = {}
        while self._pending:
            node_id, plan = next(iter(self._pending.items()))
            self._compare_slice(plan, found.setdefault(node_id, _Found()))
            if plan.done >= len(plan.fresh):
                del self._pending[node_id]
            if time.perf_counter() >= deadline:
                break
        for node_id, what in found.items():
            self._publish(node_id, what)
        spent = time.perf_counter() >= deadline and len(self._rows) > self.SORT_INLINE
        if self._pending or (self._order_dirty and spent):
            if not self._more.isActive():  # the rest, or the re-sort, in a turn of its own
                self._more.start()
        elif self._order_dirty:
            self._order_dirty = False
            self._resort_if_needed()

    def _compare_slice(self, plan: _Plan, found: _Found) -> None:
        """The next ``CHUNK`` instances of one node's plan: changed rows are replaced (their row
        numbers noted), new ones are made (inserted by ``_publish``)."""
        lo = plan.done
        hi = plan.done = min(lo + self.CHUNK, len(plan.fresh))
        rows, row_of = self._rows, self._row_of
        for inst, key in zip(plan.fresh[lo:hi], plan.keys[lo:hi], strict=True):
            row = row_of.get(key)
            if row is None:
                if key not in found.new_keys:  # a listing that names an instance twice: the first
                    found.new_keys.add(key)
                    found.added.append(self._make_row(inst))
            elif rows[row].inst != inst:
                rows[row] = self._make_row(inst)
                found.touched.append(row)

    def _publish(self, node_id: str, found: _Found) -> None:
        rows, row_of = self._rows, self._row_of
        for first, last in _runs_ascending(sorted(found.touched)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.COLUMNS - 1))
        if found.added:
            start = len(rows)
            self.beginInsertRows(QModelIndex(), start, start + len(found.added) - 1)
            rows.extend(found.added)
            mine = self._keys_of.setdefault(node_id, set())
            for offset, row in enumerate(found.added):
                row_of[row.key] = start + offset
                mine.add(row.key)
            self.endInsertRows()
        if found.touched or found.added:
            self._order_dirty = True

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
        if not self._pending and self._sort_column == self.NODE:
            self._resort_if_needed()

    # --- sorting -------------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by ``column`` (its precomputed keys) and keep them so; -1 leaves them as
        they are. Persistent indexes (selection, current row) follow their rows."""
        self._sort_column, self._sort_order = column, order
        if 0 <= column < self.COLUMNS:
            self._sort_rows()

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def _keys(self) -> list[Any]:
        return list(map(itemgetter(self._sort_column), map(_SORT_KEYS, self._rows)))

    def _resort_if_needed(self) -> None:
        """After changed or added rows: sort again only if they broke the order (one pass)."""
        if self._sort_column < 0:
            return
        keys = self._keys()
        in_order = operator.ge if self._sort_order == Qt.SortOrder.DescendingOrder else operator.le
        if not all(map(in_order, keys, keys[1:])):
            self._sort_rows(keys)

    def _sort_rows(self, keys: list[Any] | None = None) -> None:
        keys = self._keys() if keys is None else keys
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)  # stable
        # PySide6 emits these signals without arguments (no VerticalSortHint): a plain layout change
        self.layoutAboutToBeChanged.emit()
        self._rows = list(map(self._rows.__getitem__, order))
        self._row_of = dict(zip(map(_ROW_KEY, self._rows), range(len(order)), strict=True))
        before = self.persistentIndexList()  # the selection, the current row, open editors
        if before:
            new_row = [0] * len(order)
            for new, old in enumerate(order):
                new_row[old] = new
            after = [self.index(new_row[ix.row()], ix.column()) if ix.isValid() else ix for ix in before]
            self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

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
        return _Row(inst, (inst.node_id, inst.id), cells, sort, search, f"{inst.node_id}{_SCOPE_END}{search}")

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
        if role == self.FilterRole:
            return r.filter
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
    in some column), in the model's own (sorted) order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(InstanceTableModel.SortRole)
        self.setDynamicSortFilter(True)  # the proxy's own sort column stays -1: it keeps the model's order
        self.setFilterRole(InstanceTableModel.FilterRole)
        self.setFilterKeyColumn(0)
        self._scope: frozenset[str] | None = None
        self._words: tuple[str, ...] = ()

    def set_scope(self, node_ids: Iterable[str] | None) -> None:
        scope = None if node_ids is None else frozenset(node_ids)
        if scope != self._scope:
            self._change_filter(lambda: setattr(self, "_scope", scope))

    def scope(self) -> frozenset[str] | None:
        return self._scope

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The model sorts (on its precomputed keys); this proxy only filters, in the model's order.
        Views and the header call this, so the header's sort indicator works as usual."""
        source = self.sourceModel()
        if isinstance(source, InstanceTableModel):
            source.sort(column, order)
        else:  # pragma: no cover - this proxy always sits on an InstanceTableModel
            super().sort(column, order)

    def set_text(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words != self._words:
            self._change_filter(lambda: setattr(self, "_words", words))

    def _change_filter(self, change: Callable[[], None]) -> None:
        """Scope and words become one regular expression over the model's FilterRole text
        ("<node id>\\x1f<casefolded columns>"), matched by Qt in C++: with no scope and no words
        the expression is empty and Qt accepts every row without asking the model, so a sort, a
        refresh or a big listing never pays a Python call per row for filtering (issue 15)."""
        change()
        parts = []
        if self._scope is not None:  # the row's node id, then the separator
            ids = "|".join(QRegularExpression.escape(n) for n in sorted(self._scope))
            parts.append(f"^(?:{ids})\\x1f" if ids else "(?!)")  # an empty scope shows nothing
        elif self._words:
            parts.append("^[^\\x1f]*\\x1f")  # words are looked for after the node id only
        parts += [f"(?=.*{QRegularExpression.escape(word)})" for word in self._words]  # every word, any order
        option = QRegularExpression.PatternOption.DotMatchesEverythingOption  # columns are joined by newlines
        self.setFilterRegularExpression(QRegularExpression("".join(parts), option) if parts else QRegularExpression())

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
