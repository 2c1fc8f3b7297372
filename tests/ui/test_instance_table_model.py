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


def ip_value(i: Instance) -> tuple[int, ...]:
    return tuple(int(p) for p in i.ipv4[0].split(".")) if i.ipv4 else ()


def model_order(model: InstanceTableModel) -> list[str]:
    return [model.instance_at(r).id for r in range(model.rowCount())]


def test_the_model_sorts_itself_like_sorted_on_the_values_and_the_proxy_keeps_its_order(ws) -> None:
    model = InstanceTableModel(ws)
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    memory = [3 * GIB, None, 512 * 1024**2, 2 * GIB, 64 * GIB, 1024**2, 10 * GIB]
    ips = [("10.0.0.10",), ("9.1.1.1",), ("10.0.0.9",), (), ("192.168.1.2",), ("10.0.1.1",), ("10.0.0.100",)]
    names = ["beta", "Alpha", "gamma", "Delta", "epsilon", "zeta", "Eta"]
    items = [
        inst(A, i, name=names[i], memory_usage=memory[i], ipv4=ips[i], cpu_usage=None if i == 3 else i / 10)
        for i in range(7)
    ]
    listing(ws, A, items)
    natural = {
        model.NAME: lambda i: i.name.casefold(),
        model.MEMORY: lambda i: -1 if i.memory_usage is None else i.memory_usage,  # unknown first
        model.IPS: ip_value,  # by the numbers: 10.0.0.9 < 10.0.0.10 < 10.0.0.100
        model.CPU: lambda i: -1 if i.cpu_usage is None else i.cpu_usage,
    }
    for column, value in natural.items():
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            proxy.sort(column, order)
            expected = [i.id for i in sorted(items, key=value, reverse=order == Qt.SortOrder.DescendingOrder)]
            assert model_order(model) == expected, (column, order)
            shown = [proxy.index(r, 0).data(model.InstanceRole).id for r in range(proxy.rowCount())]
            assert shown == expected  # the proxy adds no order of its own
            assert (model.sort_column(), model.sort_order()) == (column, order)


def test_a_listing_that_breaks_the_order_is_sorted_again_once_and_one_that_keeps_it_is_not(ws, qtbot) -> None:
    model = InstanceTableModel(ws)
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    listing(ws, A, [inst(A, i, memory_usage=(i + 1) * GIB) for i in range(5)])
    proxy.sort(model.MEMORY, Qt.SortOrder.AscendingOrder)
    selected = QPersistentModelIndex(model.index(model.row_of((A.id, "c1")), 0))
    signals = Signals(model)

    # c3 grows to the biggest, c4 is unchanged: one dataChanged, then one layout change to move c3
    changed = [inst(A, i, memory_usage=(i + 1) * GIB) for i in range(5)]
    changed[3] = inst(A, 3, memory_usage=100 * GIB)
    listing(ws, A, changed)
    assert signals.log == [("changed", 3, 3), ("layout",)]
    assert model_order(model) == ["c0", "c1", "c2", "c4", "c3"]
    assert selected.isValid() and model.instance_at(selected.row()).id == "c1"

    # a new row and a change that both keep the order: no layout change
    signals.log.clear()
    keep = [*changed, inst(A, 9, memory_usage=200 * GIB)]
    keep[0] = inst(A, 0, memory_usage=GIB // 2, name="smaller still")
    listing(ws, A, keep)
    assert signals.log == [("changed", 0, 0), ("inserted", 5, 5)]


def test_a_big_refresh_compares_and_changes_rows_a_slice_at_a_time(ws, qtbot) -> None:
    model = InstanceTableModel(ws)
    listing(ws, A, [inst(A, i) for i in range(3 * model.CHUNK)])
    qtbot.waitUntil(model.settled)
    model.TURN_BUDGET = 0.0  # one slice per event-loop turn
    signals = Signals(model)
    every = [inst(A, i, status=InstanceStatus.STOPPED, raw_status="exited") for i in range(3 * model.CHUNK)]
    listing(ws, A, every)
    assert signals.log == [("changed", 0, model.CHUNK - 1)]  # only the first slice so far
    assert not model.settled()
    qtbot.waitUntil(model.settled)
    assert signals.log == [("changed", k * model.CHUNK, (k + 1) * model.CHUNK - 1) for k in range(3)]
    assert all(model.instance_at(r).status is InstanceStatus.STOPPED for r in range(model.rowCount()))


@pytest.mark.parametrize("node_id", ["node.a+(1)", "node-b|x"])
def test_scope_and_words_filter_in_the_sorted_order_even_with_odd_node_ids(ws, node_id) -> None:
    odd = NodeConfig(name="odd", type=Platform.DOCKER, host="127.0.0.1", id=node_id)
    ws.session._apply_config(AppConfig(nodes=(A, odd)))
    model = InstanceTableModel(ws)
    proxy = InstanceFilterProxy()
    proxy.setSourceModel(model)
    listing(ws, A, [inst(A, i, name=f"web-{i}") for i in range(3)])
    listing(ws, odd, [inst(odd, i, name=f"db-{i}", image="Postgres:16") for i in range(3)])
    proxy.sort(model.NAME, Qt.SortOrder.DescendingOrder)

    def shown() -> list[str]:
        return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]

    proxy.set_scope([node_id])
    assert shown() == ["db-2", "db-1", "db-0"]
    proxy.set_text("POSTGRES db-1")  # every word, any column, case-insensitive
    assert shown() == ["db-1"]
    proxy.set_scope(None)
    proxy.set_text("web")
    assert shown() == ["web-2", "web-1", "web-0"]
    proxy.set_text(node_id)  # the node id is not searchable text
    assert shown() == []
    proxy.set_text("")
    proxy.set_scope([])
    assert shown() == []
