"""The activity log: one row per action the user started (start, stop, delete, refresh, reset
password, node changes ...), newest on top.

``Activity`` is the record the session creates and updates as an action runs
(services/activity.py); ``ActivityModel`` shows them. Errors are kept as text (an ``OcvError``
is a complete sentence), never as tracebacks. Rows are stored in arrival order and shown
reversed, so adding an action is one row insert at the top and finding a row by id is a
dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor

from ocv_desktop.core.models import HealthState
from ocv_desktop.services.activity import Activity, ActivityState
from ocv_desktop.ui.errors import localize
from ocv_desktop.ui.models.formatting import format_seconds
from ocv_desktop.ui.theme import HEALTH_COLOURS

ModelIndex = QModelIndex | QPersistentModelIndex


class ActivityModel(QAbstractTableModel):
    """The rows of the ``activityLog`` dock."""

    TIME, ACTION, NODE, INSTANCE, DURATION, PROGRESS, RESULT = range(7)
    MAX_ROWS: ClassVar[int] = 2000  # older rows are dropped beyond this

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[Activity] = []  # oldest first; row r shows _items[-1 - r]
        self._pos: dict[int, int] = {}  # activity id -> position in _items
        self._ticker = QTimer(self)  # running rows show a live duration
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Started"),
            self.tr("Action"),
            self.tr("Node"),
            self.tr("Instance"),
            self.tr("Duration"),
            self.tr("Progress"),
            self.tr("Result"),
        )

    # --- updates -------------------------------------------------------------------------------

    def upsert(self, activity: Activity) -> None:
        """Add a new activity at the top, or refresh the row of a known one."""
        pos = self._pos.get(activity.id)
        if pos is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._items.append(activity)
            self._pos[activity.id] = len(self._items) - 1
            self.endInsertRows()
            self._trim()
        else:
            row = len(self._items) - 1 - pos
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        if activity.active and not self._ticker.isActive():
            self._ticker.start()

    def activity_at(self, row: int) -> Activity | None:
        if 0 <= row < len(self._items):
            return self._items[-1 - row]
        return None

    def row_of(self, activity_id: int) -> int | None:
        pos = self._pos.get(activity_id)
        return None if pos is None else len(self._items) - 1 - pos

    def activities(self) -> list[Activity]:
        """Newest first, as shown."""
        return list(reversed(self._items))

    def _trim(self) -> None:
        excess = len(self._items) - self.MAX_ROWS
        if excess <= 0:
            return
        first = len(self._items) - excess  # the bottom rows are the oldest
        self.beginRemoveRows(QModelIndex(), first, len(self._items) - 1)
        del self._items[:excess]
        self._pos = {a.id: i for i, a in enumerate(self._items)}
        self.endRemoveRows()

    def _tick(self) -> None:
        running = [i for i, a in enumerate(self._items) if a.active]
        if not running:
            self._ticker.stop()
            return
        for pos in running:
            row = len(self._items) - 1 - pos
            idx = self.index(row, self.DURATION)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole])

    # --- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 7

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        activity = self.activity_at(index.row()) if index.isValid() else None
        if activity is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(activity, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(activity, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            failed = activity.state is ActivityState.FAILED and col in (self.PROGRESS, self.RESULT)
            return QColor(HEALTH_COLOURS[HealthState.UNHEALTHY]) if failed else None
        return None

    def _tooltip(self, a: Activity, col: int) -> str | None:
        if col == self.TIME:
            return a.started.strftime("%Y-%m-%d %H:%M:%S %Z")
        if col == self.RESULT and a.message:
            return localize(a.message)
        return None

    def _display(self, a: Activity, col: int) -> str:
        cells: dict[int, Callable[[], str]] = {
            self.TIME: lambda: a.started.strftime("%H:%M:%S"),
            self.ACTION: lambda: a.action,
            self.NODE: lambda: a.node_name,
            self.INSTANCE: lambda: a.instance_name,
            self.DURATION: lambda: "" if a.state is ActivityState.QUEUED else format_seconds(a.duration),
            self.PROGRESS: lambda: self._state_text(a),
            self.RESULT: lambda: localize(a.message).splitlines()[0] if a.message else "",
        }
        cell = cells.get(col)
        return cell() if cell else ""

    def _state_text(self, a: Activity) -> str:
        if a.state is ActivityState.RUNNING and a.progress is not None:
            return f"{a.progress * 100:.0f}%"
        return {
            ActivityState.QUEUED: self.tr("queued"),
            ActivityState.RUNNING: self.tr("running…"),
            ActivityState.SUCCEEDED: self.tr("done"),
            ActivityState.FAILED: self.tr("failed"),
            ActivityState.CANCELLED: self.tr("cancelled"),
        }[a.state]
