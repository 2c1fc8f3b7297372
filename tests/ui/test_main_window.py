"""The main window against the lab's real servers: the node tree and its health badges, the
instance table, power actions, filter and sort, bulk actions across nodes, the activity log,
trust on first use from the window, and a clean, fast close.

Every test builds a fresh home with the lab nodes it needs (tests/ui/window_fixtures.py), runs
the real Workspace and MainWindow on a qasync loop, and checks the servers themselves (docker
inspect, incus list) as well as what the window shows.
"""

from __future__ import annotations

import gc
import json
import time

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTreeView,
    QTreeWidget,
)

from ocv_desktop.core.models import HealthState, InstanceStatus
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui.models.activity import ActivityModel, ActivityState
from ocv_desktop.ui.models.instance_table import InstanceTableModel
from ocv_desktop.ui.models.node_tree import ItemKind, NodeTreeModel
from ocv_desktop.ui.theme import HEALTH_COLOURS
from tests.figures import figure
from tests.ui.window_fixtures import (
    child,
    display,
    docker_node,
    find_dialog,
    incus_node,
    pve_node,
    run,
    wait_future,
    wait_health,
)

pytestmark = [pytest.mark.lab]

BUSYBOX = "lab/busybox:1.35"
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


@pytest.fixture
def containers(lab, lab_docker):
    """``new(**docker_run_options)`` starts a busybox service container; all removed afterwards."""
    made: list[str] = []

    def new(*options: str, prefix: str = "ocvui") -> str:
        name = lab.unique_name(prefix)
        made.append(name)
        lab_docker.docker_ok("run", "-d", "--name", name, *options, BUSYBOX, *SERVICE)
        return name

    yield new
    if made:
        lab_docker.docker("rm", "-f", *made)


@pytest.fixture
def incus_containers(lab, lab_incus):
    made: list[str] = []

    def new(prefix: str = "ocvui") -> str:
        name = lab.unique_name(prefix)
        made.append(name)
        lab_incus.cli_ok("launch", "debian", name)
        return name

    yield new
    for name in made:
        lab_incus.cli("delete", "--force", name)


def docker_state(lab_docker, name: str) -> str:
    return json.loads(lab_docker.docker_ok("inspect", "--type", "container", name))[0]["State"]["Status"]


def badge(it, name: str) -> tuple[str, QColor]:
    idx = it.window.tree_model.node_indexes(it.node_id(name))[0]
    return idx.data(NodeTreeModel.HealthStateRole), idx.data(NodeTreeModel.HealthColourRole)


# --- the tree -------------------------------------------------------------------------------------


def test_tree_groups_the_lab_nodes_by_platform_with_green_badges(qtbot, open_window, lab_docker, lab_incus, lab_pve):
    it = open_window([docker_node(lab_docker), incus_node(lab_incus), pve_node(lab_pve)])
    tree = it.window.findChild(QTreeView, "nodeTree")
    assert tree is it.window.node_tree and tree.model() is it.window.tree_model
    model = it.window.tree_model

    # generous: the first test of a session may run while the lab still starts its other hosts
    wait_health(qtbot, it, ["lab-docker", "lab-incus", "lab-pve"], HealthState.HEALTHY.value, timeout=120)
    root = model.all_index()
    assert display(root) == "All nodes (3)"
    groups = [display(model.index(r, 0, root)) for r in range(model.rowCount(root))]
    assert groups == ["Docker (1)", "Incus (1)", "Proxmox VE (1)"]
    for name in ("lab-docker", "lab-incus", "lab-pve"):
        state, colour = badge(it, name)
        assert state == "healthy" and colour == HEALTH_COLOURS[HealthState.HEALTHY]
        assert tree.isExpanded(model.node_indexes(it.node_id(name))[0].parent())
    assert not model.node_indexes(it.node_id("lab-docker"))[0].data(Qt.ItemDataRole.DecorationRole).isNull()

    # The tooltip lists every check with its status and latency, and the node's resources.
    tip = model.node_indexes(it.node_id("lab-incus"))[0].data(Qt.ItemDataRole.ToolTipRole)
    for word in ("SSH", "API", "Service", "online", " ms", "Memory:", "Disk:", "CPU:"):
        assert word in tip, tip
    assert it.window.health_label.text() == "3 of 3 nodes healthy"
    assert it.window.keyring_label.text().startswith("credentials not saved: ")


def test_grouping_by_tag_lists_a_node_under_each_tag(qtbot, open_window, lab_docker, lab_incus):
    it = open_window(
        [docker_node(lab_docker, tags=("web", "prod")), incus_node(lab_incus), docker_node(lab_docker, name="d2")]
    )
    it.window.actions_.group_by_tag.trigger()
    model = it.window.tree_model
    root = model.all_index()
    groups = {display(model.index(r, 0, root)): model.index(r, 0, root) for r in range(model.rowCount(root))}
    assert list(groups) == ["prod (1)", "web (1)", "untagged (2)"]
    assert [display(model.index(r, 0, groups["untagged (2)"])) for r in range(2)] == ["d2", "lab-incus"]
    assert len(model.node_indexes(it.node_id("lab-docker"))) == 2
    # remembered in config.yaml
    qtbot.waitUntil(lambda: "group_by: tag" in it.home.config_file.read_text(), timeout=5000)
    # selecting a tag group shows the instances of its nodes
    it.window.node_tree.setCurrentIndex(groups["web (1)"])
    assert it.window.proxy.scope() == frozenset({it.node_id("lab-docker")})


def test_stopping_dockerd_turns_its_badge_amber_without_touching_tree_or_selection(
    qtbot, open_window, lab_docker, lab_incus
):
    it = open_window([docker_node(lab_docker), incus_node(lab_incus)])
    wait_health(qtbot, it, ["lab-docker", "lab-incus"], "healthy")
    tree, model = it.window.node_tree, it.window.tree_model
    selected = it.select_node(qtbot, "lab-docker")
    persistent = QPersistentModelIndex(selected)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    interval = it.ws.settings.health_interval
    try:
        lab_docker.stop_daemon()
        t0 = time.monotonic()
        wait_health(qtbot, it, ["lab-docker"], "partial", timeout=interval + it.ws.settings.health_timeout + 2)
        took = time.monotonic() - t0
        _state, colour = badge(it, "lab-docker")
        assert colour == HEALTH_COLOURS[HealthState.PARTIAL]
        tip = model.node_indexes(it.node_id("lab-docker"))[0].data(Qt.ItemDataRole.ToolTipRole)
        assert "offline" in tip and "not running" in tip, tip
        assert badge(it, "lab-incus")[0] == "healthy"
        # dataChanged only: same index alive, still selected, tree still expanded, no reset
        assert persistent.isValid() and tree.currentIndex() == QPersistentModelIndex(persistent)
        assert tree.selectionModel().isSelected(tree.currentIndex())
        assert tree.isExpanded(model.all_index()) and tree.isExpanded(persistent.parent())
        assert resets == []
        assert it.window.health_label.text() == "1 of 2 nodes healthy"
        figure(f"health badge amber after the daemon stopped (interval {interval} s)", took)
    finally:
        lab_docker.start_daemon()
    wait_health(qtbot, it, ["lab-docker"], "healthy", timeout=60)


# --- the table ------------------------------------------------------------------------------------


def test_table_shows_the_real_containers_and_stop_updates_the_row_in_place(qtbot, open_window, lab_docker, containers):
    keep = containers("--memory", "64m")
    victim = containers()
    it = open_window([docker_node(lab_docker)])
    table = it.window.findChild(QTableView, "instanceTable")
    assert table is it.table and table.model() is it.window.proxy
    it.select_node(qtbot, "lab-docker")
    qtbot.waitUntil(lambda: it.row_of(victim) is not None and it.row_of(keep) is not None, timeout=30_000)

    headers = [it.window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(9)]
    assert headers == ["Name", "Status", "Type", "Image", "CPU", "Memory", "Disk", "IP addresses", "Node"]
    row = it.row_of(keep)
    cells = [display(it.window.proxy.index(row, c)) for c in range(9)]
    assert cells[:4] == [keep, "running", "container", BUSYBOX]
    assert cells[8] == "lab-docker"
    # memory: usage (docker stats, the listing's second step) / limit
    qtbot.waitUntil(lambda: display(it.window.proxy.index(it.row_of(keep), 5)).endswith(" / 64 MiB"), timeout=30_000)
    assert cells[7].startswith("10.") or cells[7].startswith("172."), cells  # the container's address
    status_icon = it.window.proxy.index(row, InstanceTableModel.STATUS).data(Qt.ItemDataRole.DecorationRole)
    assert not status_icon.isNull()

    source = it.window.instance_model
    src_row = source.row_of((it.node_id("lab-docker"), it.instance(victim).id))
    persistent = QPersistentModelIndex(source.index(src_row, InstanceTableModel.STATUS))
    resets: list[int] = []
    source.modelReset.connect(lambda: resets.append(1))
    it.select_rows([it.row_of(victim)])
    assert it.window.actions_.stop.isEnabled() and not it.window.actions_.start.isEnabled()
    scroll = table.verticalScrollBar().value()

    it.window.actions_.stop.trigger()
    qtbot.waitUntil(lambda: persistent.data() == "stopped", timeout=60_000)
    assert docker_state(lab_docker, victim) == "exited"
    assert persistent.isValid() and resets == []
    assert persistent.data(InstanceTableModel.InstanceRole).status is InstanceStatus.STOPPED
    # the selection stays on the stopped row, and the actions follow its new status
    assert [it.window.proxy.instances([i.row()])[0].name for i in table.selectionModel().selectedRows()] == [victim]
    qtbot.waitUntil(it.window.actions_.start.isEnabled, timeout=5000)
    assert not it.window.actions_.stop.isEnabled()
    assert table.verticalScrollBar().value() == scroll

    # the activity log has a row for it, with node, instance, duration and result
    dock = it.window.findChild(QDockWidget, "activityLog")
    assert dock is it.window.activity_dock and dock.widget().model() is it.window.activity_model
    log = it.window.activity_model
    done = next(a for a in log.activities() if a.instance_name == victim)
    assert (done.action, done.node_name, done.state) == ("Stop", "lab-docker", ActivityState.SUCCEEDED)
    assert done.message == "now stopped" and done.duration > 0
    row = log.row_of(done.id)
    assert display(log.index(row, ActivityModel.PROGRESS)) == "done"
    assert display(log.index(row, ActivityModel.DURATION)).endswith(" s")

    # a refresh afterwards changes nothing structurally either
    it.refresh(qtbot, "lab-docker")
    assert persistent.isValid() and persistent.data() == "stopped" and resets == []


def test_filter_matches_any_column_and_sort_is_numeric(qtbot, open_window, lab_docker, containers):
    small, big, middle = containers("--memory", "64m"), containers("--memory", "1g"), containers("--memory", "512m")
    it = open_window([docker_node(lab_docker)])
    qtbot.waitUntil(lambda: all(it.row_of(n) is not None for n in (small, big, middle)), timeout=30_000)
    proxy = it.window.proxy
    field = it.window.findChild(QLineEdit, "instanceFilter")
    assert field is it.window.filter_edit

    # Ctrl+F puts the cursor in the filter field
    it.table.setFocus()
    qtbot.keyClick(it.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert field.hasFocus()

    qtbot.keyClicks(field, middle)  # by name
    assert [display(proxy.index(r, 0)) for r in range(proxy.rowCount())] == [middle]
    field.setText("512 mib")  # by the memory column, case-insensitive
    assert [display(proxy.index(r, 0)) for r in range(proxy.rowCount())] == [middle]
    field.setText("lab-docker running")  # every word must match some column
    assert {small, big, middle} <= {display(proxy.index(r, 0)) for r in range(proxy.rowCount())}
    field.setText("no-such-thing-anywhere")
    assert proxy.rowCount() == 0
    field.clear()

    # stopped, they use no memory: the column shows (and sorts by) their limits
    lab_docker.docker_ok("stop", "-t", "1", small, big, middle)
    it.refresh(qtbot, "lab-docker")
    it.table.sortByColumn(InstanceTableModel.MEMORY, Qt.SortOrder.AscendingOrder)
    order = [display(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    mine = [n for n in order if n in (small, big, middle)]
    assert mine == [small, middle, big]  # 64 MiB < 512 MiB < 1.0 GiB (text order would differ)
    it.table.sortByColumn(InstanceTableModel.NAME, Qt.SortOrder.DescendingOrder)
    names = [display(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    assert names == sorted(names, key=str.casefold, reverse=True)


def test_bulk_stop_across_docker_and_incus(qtbot, open_window, lab_docker, lab_incus, containers, incus_containers):
    d1, d2 = containers(), containers()
    i1 = incus_containers()
    it = open_window([docker_node(lab_docker), incus_node(lab_incus)])
    it.select_all()
    qtbot.waitUntil(lambda: all(it.row_of(n) is not None for n in (d1, d2, i1)), timeout=60_000)
    assert it.instance(i1).status is InstanceStatus.RUNNING
    it.select_rows([it.row_of(d1), it.row_of(d2), it.row_of(i1)])
    assert len(it.window.selected_instances()) == 3

    started = time.monotonic()
    batch = it.window._power(InstanceAction.STOP)
    wait_future(qtbot, batch, timeout=120)
    took = time.monotonic() - started
    assert docker_state(lab_docker, d1) == "exited" and docker_state(lab_docker, d2) == "exited"
    listed = json.loads(lab_incus.cli_ok("list", "--format", "json", f"^{i1}$"))
    assert listed[0]["status"] == "Stopped"
    for name in (d1, d2, i1):
        qtbot.waitUntil(lambda n=name: it.instance(n).status is InstanceStatus.STOPPED, timeout=10_000)
    acts = [a for a in it.window.activity_model.activities() if a.instance_name in (d1, d2, i1)]
    assert {a.state for a in acts} == {ActivityState.SUCCEEDED} and len(acts) == 3
    # serial within the docker node: its two stops did not overlap
    docker_acts = sorted((a for a in acts if a.node_name == "lab-docker"), key=lambda a: a._t0)
    assert docker_acts[0]._t1 <= docker_acts[1]._t0
    figure("bulk stop of 3 instances on 2 nodes", took)


def test_delete_asks_naming_the_instances_then_deletes(qtbot, open_window, lab_docker, containers):
    victim = containers()
    it = open_window([docker_node(lab_docker)])
    qtbot.waitUntil(lambda: it.row_of(victim) is not None, timeout=30_000)
    it.select_rows([it.row_of(victim)])
    it.window.actions_.delete.trigger()
    dialog = find_dialog(qtbot, "confirmDeleteDialog")
    listed = child(dialog, QTreeWidget, "instanceList")
    assert victim in listed.topLevelItem(0).text(0)
    # running: stop it first, as the dialog offers
    child(dialog, QCheckBox, "stopFirstCheck").setChecked(True)
    child(dialog, QPushButton, "deleteButton").click()
    qtbot.waitUntil(lambda: it.row_of(victim) is None, timeout=60_000)
    assert lab_docker.docker("inspect", victim).returncode != 0


# --- trust ----------------------------------------------------------------------------------------


def test_unknown_host_key_marks_the_node_and_asks_only_when_the_user_acts(qtbot, open_window, lab_docker, containers):
    name = containers()
    node = docker_node(lab_docker)
    node.trust = None  # empty known_hosts: first contact
    it = open_window([node])
    model = it.window.tree_model
    idx = model.node_indexes(it.node_id("lab-docker"))[0]
    qtbot.waitUntil(lambda: idx.data(NodeTreeModel.NeedsTrustRole) is True, timeout=30_000)
    # several health rounds pass without a dialog
    qtbot.wait(2500)
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "trustDialog" and w.isVisible()]
    assert "not trusted yet" in idx.data(Qt.ItemDataRole.ToolTipRole).lower()
    assert idx.data(NodeTreeModel.HealthStateRole) == "unhealthy"

    # the user clicks the badge: the trust dialog shows the fingerprint; trusting records it
    it.ws.review_trust(it.node_id("lab-docker"))
    dialog = find_dialog(qtbot, "trustDialog")
    assert lab_docker.ssh.host_key_fingerprint in " ".join(w.text() for w in dialog.findChildren(QLabel))
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: it.row_of(name) is not None, timeout=30_000)
    assert lab_docker.ssh.host_key_line.split()[2] in it.home.known_hosts.read_text()
    wait_health(qtbot, it, ["lab-docker"], "healthy")
    assert not idx.data(NodeTreeModel.NeedsTrustRole)


# --- closing --------------------------------------------------------------------------------------


def test_close_cancels_the_work_stuck_on_a_black_holed_node(qtbot, open_window, lab, lab_docker, caplog):
    dead_host = lab.new_ssh_host()
    try:
        dead = docker_node(lab_docker, name="dead")
        dead.config = dead_host.node_config(name="dead", type="docker")
        dead.trust = dead_host
        it = open_window([docker_node(lab_docker), dead])
        wait_health(qtbot, it, ["lab-docker"], "healthy")
        # "dead" answers SSH but has no docker: partial. Then it goes silent mid-session.
        wait_health(qtbot, it, ["dead"], "partial")
        dead_host.blackhole(True)
        stuck = it.ws.refresh(it.node_id("dead"))  # a refresh is now stuck on the silent node
        it.ws.check_now()
        qtbot.wait(300)
        assert it.ws.pending_tasks() and not stuck.done()
        took = it.close(qtbot)  # closed is emitted (waitSignal) though the silent node never answered
        assert stuck.cancelled()  # the stuck refresh was cancelled, not waited for
        assert it.ws.pending_tasks() == []
        assert it.ws.pool.connected(it.node_id("lab-docker")) is None
        assert it.ws.pool.connected(it.node_id("dead")) is None
        assert it.ws.monitor is not None and not it.ws.monitor.running
        gc.collect()
        qtbot.wait(50)
        assert not [r for r in caplog.records if "was destroyed but it is pending" in r.getMessage()]
        figure("closing the window with a black-holed node", took)
    finally:
        dead_host.blackhole(False)
        lab.remove_ssh_host(dead_host)


def test_welcome_panel_when_there_are_no_nodes(qtbot, open_window, lab_docker):
    it = open_window([])
    assert it.window.stack.currentWidget().objectName() == "welcomePanel"
    run(qtbot, it.ws.add_node(lab_docker.node_config()))
    assert it.window.stack.currentWidget() is it.window.splitter
    root = it.window.tree_model.all_index()
    assert it.window.tree_model.data(root, NodeTreeModel.KindRole) == ItemKind.ALL


def test_the_visible_list_follows_changes_made_outside_the_app(qtbot, open_window, lab_docker, containers):
    it = open_window([docker_node(lab_docker)])
    it.select_node(qtbot, "lab-docker")
    qtbot.waitUntil(lambda: it.ws.loaded(it.node_id("lab-docker")), timeout=30_000)
    refreshes = len([a for a in it.window.activity_model.activities() if a.action == "Refresh"])
    outside = containers()  # started with the docker CLI, not through the window
    interval = it.ws.settings.health_interval
    qtbot.waitUntil(lambda: it.row_of(outside) is not None, timeout=int((3 * interval + 10) * 1000))
    assert it.instance(outside).status is InstanceStatus.RUNNING
    # background listings do not fill the activity log
    assert len([a for a in it.window.activity_model.activities() if a.action == "Refresh"]) == refreshes
