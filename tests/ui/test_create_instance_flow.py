"""Creating instances through the window (issue 14, item 1), against the lab's Docker, Incus and fakepve:
the dialog opens on the selected node, lists its images, checks the name as it is typed, shows the
node's refusal with the typed values kept, and the created instance is on the server and selected
in the table."""

from __future__ import annotations

import json
import shlex

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from ocv_desktop.core.models import InstanceType
from ocv_desktop.services.activity import ActivityState
from ocv_desktop.services.session import InstanceAction
from tests.ui.window_fixtures import child, docker_node, find_dialog, incus_node, pve_node, wait_future

pytestmark = [pytest.mark.lab]

BUSYBOX = "lab/busybox:1.35"
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


def open_dialog(qtbot, it, node_name: str):
    it.select_node(qtbot, node_name)
    action = it.window.actions_.create_instance
    assert action.isEnabled()
    action.trigger()
    dialog = find_dialog(qtbot, "createInstanceDialog")
    assert child(dialog, QComboBox, "nodeCombo").currentData() == it.node_id(node_name)  # preselected
    images = child(dialog, QComboBox, "imageCombo")
    try:
        qtbot.waitUntil(lambda: images.count() > 0, timeout=30_000)
    except Exception:
        raise AssertionError(child(dialog, QLabel, "imagesState").text()) from None
    return dialog


def closed(dialog) -> bool:
    """Closed, or already deleted (run_and_dispose deletes it once the flow has read it)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def selected_names(it) -> list[str]:
    return [i.name for i in it.window.selected_instances()]


def test_create_a_docker_container_through_the_dialog(qtbot, open_window, lab, lab_docker):
    taken = lab.unique_name("ocvtaken")
    name = lab.unique_name("ocvcreate")
    lab_docker.docker_ok("create", "--name", taken, BUSYBOX, "true")
    try:
        it = open_window([docker_node(lab_docker, name="dock")])
        dialog = open_dialog(qtbot, it, "dock")
        types = child(dialog, QComboBox, "typeCombo")
        assert [types.itemData(i) for i in range(types.count())] == [InstanceType.CONTAINER.value]
        images = child(dialog, QComboBox, "imageCombo")
        assert images.findText(BUSYBOX) >= 0, [images.itemText(i) for i in range(images.count())]
        images.setCurrentIndex(images.findText(BUSYBOX))
        create = child(dialog, QPushButton, "createButton")
        name_edit = child(dialog, QLineEdit, "nameEdit")

        name_edit.setText("-bad")  # checked as it is typed
        assert child(dialog, QLabel, "nameProblem").isVisibleTo(dialog)
        assert not create.isEnabled()
        child(dialog, QPlainTextEdit, "portsEdit").setPlainText("18089:80/tcp\n99999:1")
        name_edit.setText(taken)
        assert not create.isEnabled()  # the bad port mapping
        assert "99999" in child(dialog, QLabel, "problemLabel").text()
        child(dialog, QPlainTextEdit, "portsEdit").setPlainText("18089:80/tcp")
        child(dialog, QPlainTextEdit, "envEdit").setPlainText("GREETING=hello world")
        child(dialog, QLineEdit, "commandEdit").setText(shlex.join(SERVICE))
        child(dialog, QLineEdit, "memoryEdit").setText("64M")
        assert create.isEnabled()

        create.click()  # the name is taken: the node refuses, the dialog keeps everything
        error = child(dialog, QLabel, "errorLabel")
        qtbot.waitUntil(error.isVisible, timeout=60_000)
        assert taken in error.text() and "already exists" in error.text()
        assert dialog.isVisible()
        assert child(dialog, QPlainTextEdit, "portsEdit").toPlainText() == "18089:80/tcp"
        assert child(dialog, QLineEdit, "memoryEdit").text() == "64M"

        name_edit.setText(name)
        qtbot.waitUntil(create.isEnabled, timeout=5000)
        create.click()
        qtbot.waitUntil(lambda: closed(dialog), timeout=120_000)

        info = json.loads(lab_docker.docker_ok("inspect", name))[0]
        assert info["State"]["Running"] is True
        assert "GREETING=hello world" in info["Config"]["Env"]
        assert info["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"] == "18089"
        assert info["HostConfig"]["Memory"] == 64 * 2**20
        qtbot.waitUntil(lambda: selected_names(it) == [name], timeout=10_000)
        created = [a for a in it.window.activity_model.activities() if a.action == "Create"]
        assert [(a.instance_name, a.state) for a in sorted(created, key=lambda a: a.id)] == [
            (taken, ActivityState.FAILED),
            (name, ActivityState.SUCCEEDED),
        ]
    finally:
        lab_docker.docker("rm", "-f", taken, name)


def test_create_an_incus_container_through_the_dialog(qtbot, open_window, lab, lab_incus):
    name = lab.unique_name("ocvcreate").replace("_", "-")
    try:
        it = open_window([incus_node(lab_incus, name="inc")])
        dialog = open_dialog(qtbot, it, "inc")
        types = child(dialog, QComboBox, "typeCombo")
        kinds = [types.itemData(i) for i in range(types.count())]
        assert kinds == [InstanceType.CONTAINER.value, InstanceType.VM.value]
        # Docker's rule allows '_', Incus's (a hostname) does not: the dialog follows the node
        name_edit = child(dialog, QLineEdit, "nameEdit")
        name_edit.setText("with_underscore")
        assert child(dialog, QLabel, "nameProblem").isVisibleTo(dialog)
        assert not child(dialog, QPushButton, "createButton").isEnabled()
        assert not child(dialog, QPlainTextEdit, "portsEdit").isEnabled()  # Docker only, says why
        assert child(dialog, QPlainTextEdit, "portsEdit").toolTip()

        images = child(dialog, QComboBox, "imageCombo")
        images.setCurrentIndex(images.findText("busybox"))
        name_edit.setText(name)
        child(dialog, QCheckBox, "startCheck").setChecked(False)
        create = child(dialog, QPushButton, "createButton")
        assert create.isEnabled()
        create.click()
        qtbot.waitUntil(lambda: closed(dialog), timeout=180_000)

        listed = json.loads(lab_incus.cli_ok("list", name, "--format", "json"))
        assert [(i["name"], i["status"]) for i in listed] == [(name, "Stopped")]
        qtbot.waitUntil(lambda: selected_names(it) == [name], timeout=10_000)
    finally:
        lab_incus.cli("delete", "--force", name)


def test_create_a_proxmox_container_through_the_dialog(qtbot, open_window, lab, lab_pve):
    """fakepve: the template chosen from the node's images, the container found in the fake's
    state afterwards with the typed name and CPU count."""
    fake = lab_pve.fake
    template = "debian-12-standard_12.7-1_amd64.tar.zst"
    if f"local:vztmpl/{template}" not in fake.storages["local"].get("volumes", {}):
        fake.store_file("local", template, 120 * 2**20, content="vztmpl")
    name = lab.unique_name("ocvpve").replace("_", "-")
    it = open_window([pve_node(lab_pve, name="pve")])
    dialog = open_dialog(qtbot, it, "pve")
    types = child(dialog, QComboBox, "typeCombo")
    types.setCurrentIndex(types.findData(InstanceType.CONTAINER.value))
    images = child(dialog, QComboBox, "imageCombo")
    qtbot.waitUntil(lambda: images.findText(template, flags=Qt.MatchFlag.MatchContains) >= 0, timeout=30_000)
    images.setCurrentIndex(images.findText(template, flags=Qt.MatchFlag.MatchContains))
    child(dialog, QLineEdit, "nameEdit").setText(name)
    child(dialog, QDoubleSpinBox, "cpuSpin").setValue(2)
    child(dialog, QCheckBox, "startCheck").setChecked(False)
    create = child(dialog, QPushButton, "createButton")
    assert create.isEnabled()
    create.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=120_000)
    qtbot.waitUntil(lambda: selected_names(it) == [name], timeout=10_000)
    inst = it.window.selected_instances()[0]
    ct = fake.ct(int(inst.id))
    try:
        assert ct is not None and ct.config["hostname"] == name and str(ct.config["cores"]) == "2"
        assert ct.status == "stopped"
    finally:
        if ct is not None:
            wait_future(qtbot, it.ws.run_instance_action(InstanceAction.DELETE, [inst], force=True))
