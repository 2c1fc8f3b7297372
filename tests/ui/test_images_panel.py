"""The images panel (issue 14, item 2) against the lab's Docker and its registry: pull an image with
progress, see it listed, have its deletion refused while a container uses it (the refusal shown
in the panel), then delete it; the filter narrows the table."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton

from ocv_desktop.services.activity import ActivityState
from tests.ui.window_fixtures import child, docker_node, find_dialog

pytestmark = [pytest.mark.lab]


def answer_yes(qtbot) -> None:
    found: list[QMessageBox] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible, timeout=10_000)
    child(found[0], QPushButton, "yesButton").click()


def on_server(lab_docker, ref: str) -> bool:
    return lab_docker.docker("image", "inspect", ref).returncode == 0


def test_pull_refused_delete_and_delete_an_image_through_the_panel(qtbot, open_window, lab, lab_docker):
    tag = lab.unique_name("ocvpull")
    ref = f"{lab_docker.registry}/lab/{tag}:1"
    user = lab.unique_name("ocvuser")
    # an image of its own (a retag of busybox would share its id, and deleting it would untag busybox)
    lab_docker.docker_ok("create", "--name", user, "--label", f"ocv.test={tag}", lab_docker.busybox, "true")
    lab_docker.docker_ok("commit", user, ref)
    lab_docker.docker_ok("rm", user)
    lab_docker.docker_ok("push", "--quiet", ref, timeout=120)
    lab_docker.docker_ok("rmi", ref)  # only in the registry now
    assert not on_server(lab_docker, ref)
    try:
        it = open_window([docker_node(lab_docker, name="dock")])
        it.select_node(qtbot, "dock")
        it.window.actions_.images.trigger()
        panel = find_dialog(qtbot, "imagesPanel")
        status = child(panel, QLabel, "statusLabel")
        qtbot.waitUntil(lambda: panel.proxy.rowCount() > 0, timeout=30_000)
        assert any(lab_docker.busybox in (i.name, *i.aliases) for i in panel.images)

        child(panel, QLineEdit, "pullEdit").setText(ref)
        pull = child(panel, QPushButton, "pullButton")
        assert pull.isEnabled()
        pull.click()
        qtbot.waitUntil(lambda: panel.select_image(ref), timeout=120_000)
        assert on_server(lab_docker, ref)
        pulled = next(a for a in it.window.activity_model.activities() if a.action == "Pull image")
        assert pulled.state is ActivityState.SUCCEEDED and pulled.instance_name == ref

        # the filter narrows the table to the pulled image
        child(panel, QLineEdit, "imageFilter").setText(tag)
        assert panel.proxy.rowCount() == 1
        assert panel.selected_image() is not None and panel.selected_image().name == ref

        # in use: the node refuses and the panel says by whom
        lab_docker.docker_ok("create", "--name", user, ref, "true")
        delete = child(panel, QPushButton, "deleteButton")
        delete.click()
        answer_yes(qtbot)
        qtbot.waitUntil(lambda: "refused" in status.text(), timeout=60_000)
        assert user in status.text()
        assert on_server(lab_docker, ref)

        lab_docker.docker_ok("rm", user)
        qtbot.waitUntil(delete.isEnabled, timeout=10_000)
        panel.select_image(ref)
        delete.click()
        answer_yes(qtbot)
        qtbot.waitUntil(lambda: not on_server(lab_docker, ref) and panel.proxy.rowCount() == 0, timeout=60_000)
        assert status.text().startswith("Deleted")
        child(panel, QPushButton, "closeButton").click()
        qtbot.waitUntil(lambda: it.window.images_panel is None, timeout=5000)
    finally:
        lab_docker.docker("rm", "-f", user)
        lab_docker.docker("rmi", ref)
