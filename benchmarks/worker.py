"""One sample per process: ``python -m benchmarks.worker MODE ARGS``; the last stdout line is JSON.

Modes:
  table ours|base ROWS   first load, refresh with every row changed (time and worst loop stall),
                         header sort; ``ours`` = InstanceTableModel + InstanceFilterProxy,
                         ``base`` = a minimal QAbstractTableModel behind a QSortFilterProxyModel
                         (load, refresh) and a QStandardItemModel (sort, done in C++)
  stall NODES            the real window started on NODES dead nodes: worst event-loop stall in the
                         3 s after the window is shown
  rss ours|bare          resident memory: the window with 50 nodes / 5,000 instances, or the bare window
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from benchmarks import synthetic

NODE = "node-0000000000"
COLS = 9


class FakeWorkspace(QObject):
    """What InstanceTableModel reads from the workspace, fed with synthetic instances."""

    instancesChanged = Signal(str)
    nodesChanged = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.lists: dict[str, list[Any]] = {}
        self.names = {NODE: "node one"}

    def node_names(self) -> dict[str, str]:
        return dict(self.names)

    def instances_of(self, node_id: str) -> list[Any]:
        return self.lists.get(node_id, [])


class MinimalModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLS

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None


def cells(inst: Any) -> tuple[str, ...]:
    return (
        inst.name,
        inst.status.value,
        inst.type.value,
        inst.image,
        f"{inst.cpu_usage:.2f}",
        str(inst.memory_usage),
        str(inst.disk_usage),
        ", ".join(inst.ipv4),
        inst.node_id,
    )


def view_for(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.resize(1200, 800)
    view.show()
    QApplication.processEvents()
    return view


def pump(step: Any, done: Any) -> tuple[float, float]:
    """Run ``step`` then turn the Qt loop until ``done()``; (elapsed, worst single turn)."""
    t0 = time.perf_counter()
    step()
    worst = time.perf_counter() - t0
    while True:
        t = time.perf_counter()
        QApplication.processEvents()
        worst = max(worst, time.perf_counter() - t)
        if done():
            break
    t = time.perf_counter()
    QApplication.processEvents()  # the paint that follows
    worst = max(worst, time.perf_counter() - t)
    return time.perf_counter() - t0, worst


def table(which: str, count: int) -> dict[str, float]:
    first = synthetic.instances(NODE, count)
    second = synthetic.instances(NODE, count, generation=1)
    out: dict[str, float] = {}
    if which == "ours":
        from ocv_desktop.ui.models.instance_table import InstanceFilterProxy, InstanceTableModel

        ws = FakeWorkspace()
        model = InstanceTableModel(ws)  # type: ignore[arg-type]
        proxy = InstanceFilterProxy()
        proxy.setSourceModel(model)
        view = view_for(proxy)

        def load(items: list[Any]) -> None:
            ws.lists[NODE] = items
            ws.instancesChanged.emit(NODE)

        out["load"], out["load_stall"] = pump(lambda: load(first), model.settled)
        out["refresh"], out["refresh_stall"] = pump(lambda: load(second), model.settled)
        memory = InstanceTableModel.MEMORY
        out["sort"], _ = pump(lambda: view.sortByColumn(memory, Qt.SortOrder.DescendingOrder), lambda: True)
        assert proxy.rowCount() == count
        return out

    base = MinimalModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(base)
    proxy.setDynamicSortFilter(True)
    view = view_for(proxy)

    def insert() -> None:
        rows = [cells(i) for i in first]
        base.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        base.rows = rows
        base.endInsertRows()

    def change() -> None:
        base.rows = [cells(i) for i in second]
        base.dataChanged.emit(base.index(0, 0), base.index(len(base.rows) - 1, COLS - 1))

    out["load"], out["load_stall"] = pump(insert, lambda: True)
    out["refresh"], out["refresh_stall"] = pump(change, lambda: True)
    std = QStandardItemModel(0, COLS)
    for inst in first:
        items = []
        for col, text in enumerate(cells(inst)):
            item = QStandardItem()
            value: Any = inst.memory_usage if col == 5 else text
            item.setData(value, Qt.ItemDataRole.DisplayRole)
            items.append(item)
        std.appendRow(items)
    std_view = QTableView()
    std_view.setModel(std)
    std_view.setSortingEnabled(True)
    std_view.resize(1200, 800)
    std_view.show()
    QApplication.processEvents()
    out["sort"], _ = pump(lambda: std_view.sortByColumn(5, Qt.SortOrder.DescendingOrder), lambda: True)
    return out


def stall(nodes: int, seconds: float = 3.0) -> dict[str, float]:
    import asyncio

    import qasync

    from ocv_desktop.ui import main as gui
    from ocv_desktop.ui.app_window import MainWindow

    tmp = tempfile.mkdtemp(prefix="ocv-bench-stall-")
    home = synthetic.write_home(Path(tmp) / "home", synthetic.dead_nodes(nodes))
    gui._application()
    delays: list[float] = []
    shown_at: list[float] = []

    def window() -> MainWindow | None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                return w
        return None

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        if shown_at:
            delays.append(max(0.0, now - last[0] - 0.005))
        elif window() is not None:
            shown_at.append(now)
        last[0] = now

    timer.timeout.connect(tick)

    async def run() -> None:
        timer.start()
        task = asyncio.ensure_future(gui._run_window(home))
        while not shown_at:  # noqa: ASYNC110 - polled by the probe's own timer
            await asyncio.sleep(0.005)
        await asyncio.sleep(seconds)
        w = window()
        assert w is not None
        w.close()
        await asyncio.wait_for(task, 30)

    qasync.run(run())
    return {"stall": max(delays, default=0.0), "ticks": float(len(delays))}


def rss_now() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1]) * 1024
    return 0.0


def rss(which: str, nodes: int = 50, per_node: int = 100) -> dict[str, float]:
    import gc

    if which == "bare":
        from benchmarks.bare_window import build

        app = QApplication(sys.argv[:1])
        w = build()
        w.show()
        for _ in range(5):
            app.processEvents()
        return {"rss": rss_now()}

    import asyncio

    import qasync

    from ocv_desktop.store.secrets import SecretStore
    from ocv_desktop.ui import main as gui
    from ocv_desktop.ui.app_window import MainWindow
    from ocv_desktop.ui.bridge import Workspace

    tmp = tempfile.mkdtemp(prefix="ocv-bench-rss-")
    config = synthetic.dead_nodes(nodes)
    home = synthetic.write_home(Path(tmp) / "home", config)
    gui._application()
    out: dict[str, float] = {}

    async def run() -> None:
        ws = Workspace(home, SecretStore(None))
        window = MainWindow(ws, remember_state=False)
        window.show()
        await ws.start(monitor=False, refresh=False)
        for node in ws.nodes:  # what a refresh stores, without the network
            ws.session._instances[node.id] = synthetic.instances(node.id, per_node)
            ws.instancesChanged.emit(node.id)
        while not window.instance_model.settled():  # noqa: ASYNC110 - the model has no signal for it
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        gc.collect()
        out["rss"] = rss_now()
        out["rows"] = float(window.proxy.rowCount())
        await ws.shutdown()
        window.close()

    qasync.run(run())
    return out


def main(argv: list[str]) -> int:
    mode, *args = argv
    if mode == "table":
        QApplication(sys.argv[:1])
        result = table(args[0], int(args[1]))
    elif mode == "stall":
        result = stall(int(args[0]))
    elif mode == "rss":
        result = rss(args[0])
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
