"""Resource history in the window (issue 16), with the data from the lab's nodes: the node tooltip
draws sparklines of the rounds so far, and the node details view (``nodeDetails``) opens by
double-click, Enter or the context menu's action and follows new rounds."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from ocv_desktop.ui.dialogs.node_details import NodeDetailsDialog
from ocv_desktop.ui.widgets.resource_graphs import ResourceGraph
from tests.ui.window_fixtures import child, docker_node, find_dialog, pve_node, wait_future, wait_health

pytestmark = [pytest.mark.lab]

IMG = re.compile(r"<img src='data:image/png;base64,[A-Za-z0-9+/=]+' width='\d+' height='\d+'[^>]*>")


def test_the_node_tooltip_draws_sparklines_of_the_rounds_so_far(qtbot, open_window, lab_docker):
    it = open_window([docker_node(lab_docker)])
    node_id = it.node_id("lab-docker")
    wait_health(qtbot, it, ["lab-docker"], "healthy", timeout=60)
    history = it.ws.history
    # health_interval is 1 s in these tests: the third round gives two CPU points
    qtbot.waitUntil(lambda: len(history.node_series(node_id, "cpu")) >= 2, timeout=30_000)
    tip = it.window.tree_model.node_indexes(node_id)[0].data(Qt.ItemDataRole.ToolTipRole)
    images = IMG.findall(tip)
    assert len(images) == 4, tip  # CPU, memory, disk, load
    for word in ("CPU:", "Memory:", "Disk:", "Load:", " % of ", " cores"):
        assert word in tip, tip


def test_node_details_opens_by_double_click_enter_and_menu_and_follows_rounds(qtbot, open_window, lab_docker):
    it = open_window([docker_node(lab_docker)])
    node_id = it.node_id("lab-docker")
    wait_health(qtbot, it, ["lab-docker"], "healthy", timeout=60)
    history = it.ws.history
    qtbot.waitUntil(lambda: len(history.node_series(node_id, "cpu")) >= 2, timeout=30_000)

    tree = it.window.node_tree
    index = it.select_node(qtbot, "lab-docker")
    rect = tree.visualRect(index)
    # as a real double-click arrives: press/release, then the double-click (Qt needs the press)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = find_dialog(qtbot, "nodeDetails")
    assert isinstance(dialog, NodeDetailsDialog) and dialog.node_id == node_id
    assert "lab-docker" in dialog.windowTitle()
    wait_future(qtbot, dialog.backfill)  # a Docker node keeps no history of its own: 0 points added
    assert dialog.backfill.result() == 0

    cpu = child(dialog, ResourceGraph, "graph-cpu")
    load = child(dialog, ResourceGraph, "graph-load")
    shown = cpu.sparkline.series()
    assert shown == history.node_series(node_id, "cpu") and len(shown) >= 2
    assert child(cpu, QLabel, "axisMax").text() == "100 %" and child(cpu, QLabel, "axisMin").text() == "0 %"
    assert " % of " in child(cpu, QLabel, "value").text()
    assert "–" in child(cpu, QLabel, "timeSpan").text()
    top = float(child(load, QLabel, "axisMax").text())
    assert top >= max(v for _, v in load.sparkline.series())
    for channel in ("memory", "disk"):
        graph = child(dialog, ResourceGraph, f"graph-{channel}")
        assert len(graph.sparkline.series()) >= 2 and " of " in child(graph, QLabel, "value").text()
        for _, value in graph.sparkline.series():
            assert 0 < value < 100
    # the drawn line lies inside the graph's content rect (edges included: a busy lab sits at 100 %)
    area, path = cpu.sparkline.content_rect(), cpu.sparkline.path()
    for i in range(path.elementCount()):
        x, y = path.elementAt(i).x, path.elementAt(i).y
        assert area.left() <= x <= area.right() and area.top() <= y <= area.bottom()

    # it follows the next rounds
    before = len(cpu.sparkline.series())
    qtbot.waitUntil(lambda: len(cpu.sparkline.series()) > before, timeout=30_000)

    # Enter on the node, and the context menu's action, raise the same view (one per node)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    it.window.actions_.node_details.trigger()
    assert [d for d in it.window.findChildren(NodeDetailsDialog) if d.isVisible()] == [dialog]
    # the span chooser narrows the graphs
    child(dialog, QComboBox, "span").setCurrentIndex(0)
    assert len(cpu.sparkline.series()) <= len(history.node_series(node_id, "cpu"))
    dialog.close()
    qtbot.waitUntil(lambda: not [d for d in it.window.findChildren(NodeDetailsDialog) if d.isVisible()])
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert find_dialog(qtbot, "nodeDetails") is not dialog


def test_a_proxmox_node_asks_for_its_rrddata_when_its_details_open(qtbot, open_window, lab_pve):
    it = open_window([pve_node(lab_pve)])
    wait_health(qtbot, it, ["lab-pve"], "healthy", timeout=60)
    # the first answer of a Proxmox node already asked for the history it keeps (once: our SSH
    # rounds read its resources, so no second ask every 15 min)
    node_id = it.node_id("lab-pve")
    assert node_id in it.ws.session._history_asked
    it.select_node(qtbot, "lab-pve")
    it.window.actions_.node_details.trigger()
    dialog = find_dialog(qtbot, "nodeDetails")
    assert isinstance(dialog, NodeDetailsDialog)
    # fakepve answers rrddata with schema-shaped empty steps (no times): asked, read, nothing added
    assert wait_future(qtbot, dialog.backfill) == 0
    assert not dialog.backfill.cancelled()
