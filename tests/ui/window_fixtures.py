"""Fixtures and helpers for the main-window tests: a home with lab nodes, the real workspace and
window on the test's qasync loop (``qloop``), and a teardown that closes the window the way a user
does (which shuts the workspace down) and checks nothing was left running.

Imported into tests/ui/conftest.py, so the tests only name the fixtures.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QMessageLogContext, QModelIndex, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.core.models import Instance, NodeConfig, NodeSecrets
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import trust_host_key
from ocv_desktop.ui.app_window import MainWindow
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.main import freeze_startup_heap
from ocv_desktop.ui.models.instance_table import InstanceTableModel

T = TypeVar("T")

# Short health rounds so state changes show within seconds.
FAST_SETTINGS = Settings(health_interval=1.0, health_timeout=10.0, connect_timeout=10.0, command_timeout=60.0)


def run(qtbot: QtBot, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    """Run a coroutine on the test's qasync loop (Qt keeps processing events meanwhile)."""
    task = asyncio.ensure_future(coro)
    try:
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    except BaseException:
        task.cancel()
        raise
    return task.result()


def wait_future(qtbot: QtBot, future: asyncio.Future[Any], timeout: float = 60.0) -> Any:
    qtbot.waitUntil(future.done, timeout=int(timeout * 1000))
    return future.result()


@dataclass
class LabNode:
    config: NodeConfig
    secrets: NodeSecrets = field(default_factory=NodeSecrets)
    trust: Any = None  # the SshHost whose host key the home trusts (None: not trusted)


def docker_node(lab_docker: Any, **overrides: Any) -> LabNode:
    return LabNode(lab_docker.node_config(**overrides), trust=lab_docker.ssh)


def incus_node(lab_incus: Any, **overrides: Any) -> LabNode:
    return LabNode(lab_incus.node_config(**overrides), trust=lab_incus.ssh)


def pve_node(lab_pve: Any, **overrides: Any) -> LabNode:
    secrets = NodeSecrets(api_token_secret=lab_pve.token_secret, api_password=lab_pve.password)
    return LabNode(lab_pve.node_config(**overrides), secrets, trust=lab_pve.ssh)


@dataclass
class OpenWindow:
    window: MainWindow
    ws: Workspace
    home: Home
    secrets: SecretStore

    @property
    def table(self) -> Any:
        return self.window.instance_table

    def node_id(self, name: str) -> str:
        return next(n.id for n in self.ws.nodes if n.name == name)

    def select_node(self, qtbot: QtBot, name: str) -> QModelIndex:
        index = self.window.tree_model.node_indexes(self.node_id(name))[0]
        self.window.node_tree.setCurrentIndex(index)
        return index

    def select_all(self) -> None:
        self.window.node_tree.setCurrentIndex(self.window.tree_model.all_index())

    def row_of(self, name: str, node: str | None = None) -> int | None:
        """The proxy row showing instance ``name`` (on node ``node``), or None."""
        proxy = self.window.proxy
        for row in range(proxy.rowCount()):
            inst: Instance = proxy.index(row, 0).data(InstanceTableModel.InstanceRole)
            if inst.name == name and (node is None or inst.node_id == self.node_id(node)):
                return row
        return None

    def instance(self, name: str, node: str | None = None) -> Instance | None:
        row = self.row_of(name, node)
        return None if row is None else self.window.proxy.index(row, 0).data(InstanceTableModel.InstanceRole)

    def select_rows(self, rows: Sequence[int]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        selection = QItemSelection()
        proxy = self.window.proxy
        for row in rows:
            selection.select(proxy.index(row, 0), proxy.index(row, proxy.columnCount() - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)

    def refresh(self, qtbot: QtBot, name: str, timeout: float = 60) -> None:
        wait_future(qtbot, self.ws.refresh(self.node_id(name)), timeout)
        qtbot.waitUntil(self.window.instance_model.settled, timeout=int(timeout * 1000))

    def close(self, qtbot: QtBot, timeout_ms: int = 5000) -> float:
        """Close like the user does; returns the seconds until ``closed`` was emitted."""
        start = time.monotonic()
        with qtbot.waitSignal(self.window.closed, timeout=timeout_ms):
            self.window.close()
        return time.monotonic() - start


def find_dialog(qtbot: QtBot, object_name: str, timeout: float = 10.0) -> QDialog:
    """Wait for a visible top-level dialog with this object name (dialogs open non-modally)."""
    found: list[QDialog] = []

    def visible() -> bool:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.objectName() == object_name and widget.isVisible():
                found.append(widget)
                return True
        return False

    qtbot.waitUntil(visible, timeout=int(timeout * 1000))
    return found[0]


def child(widget: QWidget, cls: type[T], name: str) -> T:
    found = widget.findChild(cls, name)
    assert found is not None, f"{widget.objectName()} has no {cls.__name__} named {name!r}"
    return found


@pytest.fixture
def model_complaints() -> Iterator[list[str]]:
    """What QAbstractItemModelTester reports (category qt.modeltest), collected by a message
    handler of our own (its messages do not reach pytest-qt's log capture); others pass on."""
    complaints: list[str] = []
    previous: Any = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if context.category == "qt.modeltest":
            complaints.append(message)
        elif previous is not None:
            previous(kind, context, message)

    previous = qInstallMessageHandler(handler)
    try:
        yield complaints
    finally:
        qInstallMessageHandler(previous)


@pytest.fixture
def open_window(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, model_complaints: list[str], lab_home: Home
) -> Iterator[Callable[..., OpenWindow]]:
    """``open_window(nodes, settings=FAST_SETTINGS, start=True, check_models=True)``: a home with
    these lab nodes (secrets in a memory SecretStore shared with the workspace, host keys of
    ``trust`` hosts in known_hosts), the real Workspace and MainWindow, shown and started.

    ``check_models``: Qt's QAbstractItemModelTester watches the tree, table, filter and activity
    models through every change the test causes (off for timing tests: it is slow on purpose).
    Closed at teardown, which must leave no task running and no model-tester complaint."""
    opened: list[OpenWindow] = []

    def make(
        nodes: Sequence[LabNode] = (),
        *,
        settings: Settings = FAST_SETTINGS,
        start: bool = True,
        check_models: bool = True,
    ) -> OpenWindow:
        secrets = run(qtbot, SecretStore.open())

        async def setup() -> None:
            service = NodeService(lab_home, secrets)
            await service.update_settings(settings)
            for node in nodes:
                await service.add_node(node.config, node.secrets)
                if node.trust is not None:
                    trust_host_key(lab_home.known_hosts, node.trust.address, node.trust.port, node.trust.host_key_line)

        run(qtbot, setup())
        ws = Workspace(lab_home, secrets)
        window = MainWindow(ws)
        if check_models:
            mode = QAbstractItemModelTester.FailureReportingMode.Warning
            for model in (window.tree_model, window.instance_model, window.proxy, window.activity_model):
                QAbstractItemModelTester(model, mode, window)
        window.show()
        qtbot.waitExposed(window)
        freeze_startup_heap()  # as ui.main does once the window is up (undone at teardown)
        it = OpenWindow(window, ws, lab_home, secrets)
        opened.append(it)
        if start:
            run(qtbot, ws.start())
        return it

    yield make
    for it in opened:
        if not it.window._may_close:
            it.close(qtbot, timeout_ms=10_000)
        assert it.ws.pending_tasks() == [], it.ws.pending_tasks()
        it.window.deleteLater()
    gc.unfreeze()  # the next test's objects must be collectable again
    QApplication.processEvents()
    assert model_complaints == []


def wait_health(qtbot: QtBot, it: OpenWindow, names: Sequence[str], state: str, timeout: float = 30.0) -> None:
    """Wait until every named node's badge shows ``state`` (a HealthState value)."""
    from ocv_desktop.ui.models.node_tree import NodeTreeModel

    model = it.window.tree_model

    def reached() -> bool:
        for name in names:
            idx = model.node_indexes(it.node_id(name))[0]
            if idx.data(NodeTreeModel.HealthStateRole) != state:
                return False
        return True

    try:
        qtbot.waitUntil(reached, timeout=int(timeout * 1000))
    except Exception:
        states = {n: it.ws.health.get(it.node_id(n)) for n in names}
        raise AssertionError(f"not all {state}: {states}") from None


def display(index: QModelIndex) -> str:
    return str(index.data(Qt.ItemDataRole.DisplayRole) or "")
