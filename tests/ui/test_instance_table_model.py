"""The instance table model against the real Workspace (no node contacted: the session's cache is
filled the way a refresh fills it, then ``instancesChanged`` goes out as after a listing).

Issue 15: the model is keyed by (node, id) and diffs each listing once: the signals must say
exactly which rows were inserted, removed and changed, and the sort must follow the values."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from ocv_desktop.core.models import Instance, InstanceStatus, NodeConfig, Platform
from ocv_desktop.store.config import AppConfig
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.models.instance_table import InstanceFilterProxy, InstanceTableModel

GIB = 1024**3
A = NodeConfig(name="alpha", type=Platform.DOCKER, host="127.0.0.1", id="node-a")
B = NodeConfig(name="beta", type=Platform.DOCKER, host="127.0.0.1", id="node-b")


def inst(node: NodeConfig, i: int, **fields) -> Instance:
    base = Instance(id=f"c{i}", name=f"web-{i}", node_id=node.id, status=InstanceStatus.RUNNING, raw_status="running")
    return replace(base, **fields)


@pytest.fixture
def ws(qapp, tmp_path):
    workspace = Workspace(Home(tmp_path / "home").ensure(), SecretStore(None))
    workspace.session._apply_config(AppConfig(nodes=(A, B)))
    return workspace


def listing(ws: Workspace, node: NodeConfig, instances: list[Instance]) -> None:
    ws.session._instances[node.id] = instances
    ws.instancesChanged.emit(node.id)


class Signals:
    def __init__(self, model: InstanceTableModel) -> None:
        self.log: list[tuple] = []
        model.rowsInserted.connect(lambda _p, a, b: self.log.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _p, a, b: self.log.append(("removed", a, b)))
        model.dataChanged.connect(lambda tl, br, _r=(): self.log.append(("changed", tl.row(), br.row())))
        model.modelReset.connect(lambda: self.log.append(("reset",)))
        model.layoutChanged.connect(lambda *_: self.log.append(("layout",)))


def names(model: InstanceTableModel) -> list[str]:
    return [model.instance_at(r).name for r in range(model.rowCount())]


def test_a_listing_is_diffed_by_node_and_id(ws) -> None:
    model = InstanceTableModel(ws)
    listing(ws, A, [inst(A, i) for i in range(5)])
    listing(ws, B, [inst(B, i) for i in range(3)])  # same instance ids on another node: other rows
    assert model.settled() and model.rowCount() == 8
    keep = QPersistentModelIndex(model.index(4, 0))
    signals = Signals(model)

    # c1 and c2 vanish, c3 changes, c9 is new; c0 and c4 are equal and must not be touched
    listing(ws, A, [inst(A, 0), inst(A, 3, status=InstanceStatus.STOPPED, raw_status="exited"), inst(A, 4), inst(A, 9)])
    assert signals.log == [("removed", 1, 2), ("changed", 1, 1), ("inserted", 6, 6)]
    assert names(model) == ["web-0", "web-3", "web-4", "web-0", "web-1", "web-2", "web-9"]
    assert model.instance_at(1).status is InstanceStatus.STOPPED
    assert keep.isValid() and keep.row() == 2  # web-4 followed its row
    assert [model.instance_at(r).node_id for r in range(3, 6)] == [B.id] * 3

    signals.log.clear()
    listing(ws, A, list(ws.instances_of(A.id)))  # the same listing again: not one signal
    assert signals.log == []


def test_a_big_listing_arrives_in_slices_and_a_newer_one_replaces_the_rest(ws, qtbot) -> None:
    model = InstanceTableModel(ws)
    model.TURN_BUDGET = 0.0  # one slice per event-loop turn, so the test sees the slicing
    signals = Signals(model)
    listing(ws, A, [inst(A, i) for i in range(3 * model.CHUNK)])
    assert not model.settled() and model.rowCount() == model.CHUNK
    newer = [inst(A, i) for i in range(model.CHUNK + 10)]  # arrives before the rest was applied
    listing(ws, A, newer)
    qtbot.waitUntil(model.settled)
    assert names(model) == [i.name for i in newer]
    assert [entry[0] for entry in signals.log] == ["inserted", "inserted"]
    assert signals.log[1] == ("inserted", model.CHUNK, model.CHUNK + 9)


def test_a_removed_node_loses_its_rows_and_a_renamed_one_changes_only_its_node_column(ws) -> None:
    model = InstanceTableModel(ws)
    listing(ws, A, [inst(A, i) for i in range(2)])
    listing(ws, B, [inst(B, i) for i in range(2)])
    signals = Signals(model)
    ws.session._apply_config(AppConfig(nodes=(A, replace(B, name="gamma"))))
    assert signals.log == [("changed", 2, 3)]
    assert model.index(2, model.NODE).data() == "gamma" and model.index(0, model.NODE).data() == "alpha"

    signals.log.clear()
    ws.session._apply_config(AppConfig(nodes=(A,)))
    assert signals.log == [("removed", 2, 3)]
    assert model.rowCount() == 2


def test_sorting_follows_the_values_not_the_text(ws) -> None:
    model = InstanceTableModel(ws)
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    memory = [512 * 1024**2, 2 * GIB, None, 64 * GIB, 3 * 1024**2]
    listing(ws, A, [inst(A, i, memory_usage=m, name=f"n{i}") for i, m in enumerate(memory)])
    proxy.sort(model.MEMORY, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(r, model.NAME).data() for r in range(proxy.rowCount())]
    assert shown == ["n2", "n4", "n0", "n1", "n3"]  # unknown first, then 3 MiB < 512 MiB < 2 GiB < 64 GiB
    proxy.sort(model.MEMORY, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, model.NAME).data() for r in range(proxy.rowCount())] == ["n3", "n1", "n0", "n4", "n2"]

    # a row added later lands in its sorted place
    listing(ws, A, [*ws.instances_of(A.id), inst(A, 7, memory_usage=GIB, name="n7")])
    assert [proxy.index(r, model.NAME).data() for r in range(proxy.rowCount())] == ["n3", "n1", "n7", "n0", "n4", "n2"]
    assert proxy.index(0, 0).parent() == QModelIndex()
