"""The instance details dock (issue 14 item 3) and its Snapshots tab (issue 16) against the lab:
live usage of a Docker container without limits (from `docker stats`, also in `instances list
--json`), its log loaded on demand, Docker's plain "no snapshots" with the commit action, and the
Incus snapshot round trip driven through the tab (take, list, change a file, restore, delete)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton

from ocv_desktop.services.activity import ActivityState
from ocv_desktop.ui.widgets.instance_details import InstanceDetails
from ocv_desktop.ui.widgets.sparkline import Sparkline
from tests.cli_process import ocv
from tests.ui.window_fixtures import child, docker_node, find_dialog, incus_node

pytestmark = [pytest.mark.lab]

MARKER = "ocv-details-log-marker-1234"


def answer(qtbot, button: str = "yesButton") -> str:
    """Click ``button`` in the visible question box; returns the question's text."""
    found: list[QMessageBox] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible, timeout=10_000)
    text = found[0].text()
    child(found[0], QPushButton, button).click()
    return text


def open_details(qtbot, it, name: str) -> InstanceDetails:
    """Select the row and press Enter in the table, as a user opens the details."""
    qtbot.waitUntil(lambda: it.row_of(name) is not None, timeout=60_000)
    row = it.row_of(name)
    it.select_rows([row])
    it.table.setCurrentIndex(it.window.proxy.index(row, 0))
    it.table.setFocus()
    qtbot.keyClick(it.table, Qt.Key.Key_Return)
    dock = it.window.findChild(QDockWidget, "instanceDetails")
    assert dock is not None and dock.isVisible()
    return dock


def tab(dock: InstanceDetails, object_name: str) -> None:
    pages = [dock.tabs.widget(i).objectName() for i in range(dock.tabs.count())]
    dock.tabs.setCurrentIndex(pages.index(object_name))


def test_docker_details_show_live_usage_and_the_log(qtbot, open_window, lab, lab_docker, lab_home):
    busy, echoed = lab.unique_name("ocvbusy"), lab.unique_name("ocvecho")
    image = f"ocv-details/{echoed}:committed"
    # no limits: before `docker stats` such a row showed no usage at all
    lab_docker.docker_ok("run", "-d", "--name", busy, lab_docker.busybox, "sh", "-c", "while :; do :; done")
    lab_docker.docker_ok(
        "run", "-d", "--name", echoed, lab_docker.busybox, "sh", "-c", f"echo {MARKER}; sleep 1000"
    )  # fmt: skip
    try:
        it = open_window([docker_node(lab_docker, name="dock")])
        it.select_node(qtbot, "dock")
        it.refresh(qtbot, "dock")
        dock = open_details(qtbot, it, busy)
        assert dock.title.text().startswith(busy)
        inst = it.instance(busy)
        assert inst is not None and inst.memory_limit is None and inst.cpu_limit is None
        assert inst.memory_usage is not None and inst.memory_usage > 0
        assert inst.cpu_usage is not None and inst.cpu_usage > 0.05

        tab(dock, "usageTab")
        cpu, memory = child(dock, QLabel, "cpuUsage"), child(dock, QLabel, "memoryUsage")
        assert "%" in cpu.text() and memory.text() != "unknown" and "B" in memory.text()
        # the last hour as the listings saw it: a second refresh adds a second point
        memory_history = child(dock, Sparkline, "memoryHistory")
        cpu_history = child(dock, Sparkline, "cpuHistory")
        assert len(memory_history.series()) == 1 and memory_history.series()[0][1] == inst.memory_usage
        it.refresh(qtbot, "dock")
        qtbot.waitUntil(lambda: len(memory_history.series()) == 2, timeout=30_000)
        assert len(cpu_history.series()) >= 1 and all(v >= 0 for _, v in cpu_history.series())
        # the table's CPU and memory cells show it too
        row = it.row_of(busy)
        cells = [it.window.proxy.index(row, c).data() for c in (4, 5)]
        assert cells[0].endswith("%") and cells[1]

        # the usage follows the next refresh of the table: stop the loop, its CPU goes
        lab_docker.docker_ok("stop", "-t", "1", busy)
        it.refresh(qtbot, "dock")
        qtbot.waitUntil(lambda: cpu.text() == "unknown", timeout=30_000)
        assert "not running" in child(dock, QLabel, "usageNote").text()

        # the CLI carries the same usage
        doc = json.loads(ocv(lab_home, "instances", "list", "dock", "--json").stdout)
        mine = next(i for i in doc["instances"] if i["name"] == echoed)
        assert mine["memory_usage"] > 0 and mine["cpu_usage"] is not None and "network_rx" in mine

        # the log of another container, loaded on demand; the dock follows the selection
        it.select_rows([it.row_of(echoed)])
        qtbot.waitUntil(lambda: dock.instance is not None and dock.instance.name == echoed, timeout=5000)
        tab(dock, "logsTab")
        view = child(dock, QPlainTextEdit, "logView")
        assert view.toPlainText() == ""  # nothing is read before the button
        child(dock, QPushButton, "loadLogButton").click()
        qtbot.waitUntil(lambda: MARKER in view.toPlainText(), timeout=30_000)
        loaded = next(a for a in it.window.activity_model.activities() if a.action == "Load log")
        assert loaded.state is ActivityState.SUCCEEDED and loaded.instance_name == echoed

        # Docker has no snapshots: said plainly, with "commit to image" as its own action
        tab(dock, "snapshotsPanel")
        message = child(dock, QLabel, "snapshotMessage")
        assert message.isVisible() and "Docker has no snapshots" in message.text()
        assert child(dock, QPushButton, "commitButton").isVisible()
        assert not child(dock, QPushButton, "createSnapshotButton").isVisible()
        assert not [a for a in it.window.activity_model.activities() if "snapshot" in a.action.lower()]

        # commit to image: its own dialog, its own activity row, the image on the node
        child(dock, QPushButton, "commitButton").click()
        form = find_dialog(qtbot, "commitImageDialog")
        child(form, QLineEdit, "imageRef").setText("Not Valid")
        assert not child(form, QPushButton, "okButton").isEnabled()
        child(form, QLineEdit, "imageRef").setText(image)
        child(form, QPushButton, "okButton").click()
        status = child(dock, QLabel, "snapshotStatus")
        qtbot.waitUntil(lambda: status.text().startswith("Saved as image"), timeout=60_000)
        assert lab_docker.docker("image", "inspect", image).returncode == 0
        committed = next(a for a in it.window.activity_model.activities() if a.action == "Commit to image")
        assert committed.state is ActivityState.SUCCEEDED
    finally:
        lab_docker.docker("rm", "-f", busy, echoed)
        lab_docker.docker("rmi", image)


def in_container(lab_incus, name: str, script: str) -> str:
    return lab_incus.cli_ok("exec", name, "--", "sh", "-c", script).strip()


def test_incus_snapshot_round_trip_through_the_snapshots_tab(qtbot, open_window, lab, lab_incus):
    name = lab.unique_name("ocvsnap")
    lab_incus.cli_ok("launch", "busybox", name)
    try:
        in_container(lab_incus, name, "echo before > /root/marker")
        it = open_window([incus_node(lab_incus, name="inc")])
        it.select_node(qtbot, "inc")
        it.refresh(qtbot, "inc")
        dock = open_details(qtbot, it, name)
        panel = dock.snapshots
        tab(dock, "snapshotsPanel")
        status = child(panel, QLabel, "snapshotStatus")
        qtbot.waitUntil(lambda: "0 snapshot" in status.text(), timeout=30_000)
        assert not child(panel, QLabel, "snapshotMessage").isVisible()

        # take: the name is checked as it is typed, before anything is sent
        child(panel, QPushButton, "createSnapshotButton").click()
        form = find_dialog(qtbot, "createSnapshotDialog")
        name_edit, ok = child(form, QLineEdit, "snapshotName"), child(form, QPushButton, "okButton")
        name_edit.setText("-bad/name")
        assert not ok.isEnabled() and child(form, QLabel, "snapshotNameProblem").text()
        assert not child(form, QLineEdit, "snapshotDescription").isEnabled()  # Incus keeps none
        name_edit.setText("before-change")
        assert ok.isEnabled()
        ok.click()
        qtbot.waitUntil(lambda: panel.select("before-change"), timeout=60_000)
        assert [s.name for s in panel.snapshots] == ["before-change"]
        listed = json.loads(lab_incus.cli_ok("list", name, "--format", "json"))[0]["snapshots"]
        assert [s["name"] for s in listed] == ["before-change"]

        # the node's refusal (the name is taken) is shown in the tab, without a traceback
        create = child(panel, QPushButton, "createSnapshotButton")
        qtbot.waitUntil(create.isEnabled, timeout=5000)
        create.click()
        form = find_dialog(qtbot, "createSnapshotDialog")
        child(form, QLineEdit, "snapshotName").setText("before-change")
        child(form, QPushButton, "okButton").click()
        qtbot.waitUntil(lambda: status.text().startswith("The snapshot could not be taken:"), timeout=60_000)
        assert "Traceback" not in status.text() and len(status.text()) > len("The snapshot could not be taken: ")
        assert [s.name for s in panel.snapshots] == ["before-change"]

        in_container(lab_incus, name, "echo after > /root/marker")
        assert in_container(lab_incus, name, "cat /root/marker") == "after"

        # restore: asks first and says what is lost
        assert panel.select("before-change")
        child(panel, QPushButton, "restoreSnapshotButton").click()
        question = answer(qtbot)
        assert "before-change" in question and "lost" in question
        qtbot.waitUntil(lambda: status.text().startswith("Restored"), timeout=60_000)
        assert in_container(lab_incus, name, "cat /root/marker") == "before"
        restored = next(a for a in it.window.activity_model.activities() if a.action == "Restore snapshot")
        assert restored.state is ActivityState.SUCCEEDED

        # delete: cancel keeps it, yes deletes it
        assert panel.select("before-change")
        delete = child(panel, QPushButton, "deleteSnapshotButton")
        delete.click()
        assert "before-change" in answer(qtbot, "noButton")
        qtbot.waitUntil(delete.isEnabled, timeout=5000)
        assert [s.name for s in panel.snapshots] == ["before-change"]
        delete.click()
        answer(qtbot)
        qtbot.waitUntil(lambda: panel.list.topLevelItemCount() == 0 and "deleted" in status.text(), timeout=60_000)
        assert not json.loads(lab_incus.cli_ok("list", name, "--format", "json"))[0]["snapshots"]
    finally:
        lab_incus.cli("delete", "--force", name)


def test_incus_console_log_keeps_what_earlier_reads_gave(qtbot, open_window, lab, lab_incus):
    """A running container's console ring buffer hands out what is new at each read: the Logs tab
    appends it, so the second Load log does not wipe what the first one showed."""
    name = lab.unique_name("ocvlog")
    lab_incus.cli_ok("launch", "busybox", name)
    try:
        it = open_window([incus_node(lab_incus, name="inc")])
        it.select_node(qtbot, "inc")
        it.refresh(qtbot, "inc")
        dock = open_details(qtbot, it, name)
        tab(dock, "logsTab")
        view, load = child(dock, QPlainTextEdit, "logView"), child(dock, QPushButton, "loadLogButton")

        def read_until(text: str) -> None:
            def shown() -> bool:
                if text in view.toPlainText():
                    return True
                if load.isEnabled():
                    load.click()  # the buffer may need a moment after the write
                return False

            qtbot.waitUntil(shown, timeout=30_000)

        in_container(lab_incus, name, f"echo {MARKER}-first > /dev/console")
        read_until(f"{MARKER}-first")
        in_container(lab_incus, name, f"echo {MARKER}-second > /dev/console")
        read_until(f"{MARKER}-second")
        assert f"{MARKER}-first" in view.toPlainText()  # kept
        assert view.toPlainText().count(f"{MARKER}-first") == 1
    finally:
        lab_incus.cli("delete", "--force", name)
