"""The images panel (issue 14, item 2) against the lab's Docker and its registry: pull an image with
progress, see it listed, have its deletion refused while a container uses it (the refusal shown
in the panel), then delete it; the filter narrows the table. Also the lists of Proxmox templates
and ISOs (fakepve) and of Incus images (the lab's incusd)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton

from ocv_desktop.services.activity import ActivityState
from tests.ui.window_fixtures import child, docker_node, find_dialog, incus_node, pve_node

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


def panel_for(qtbot, it, node: str):
    it.select_node(qtbot, node)
    it.window.actions_.images.trigger()
    panel = find_dialog(qtbot, "imagesPanel")
    qtbot.waitUntil(lambda: panel.proxy.rowCount() > 0, timeout=60_000)
    return panel


def test_the_panel_lists_proxmox_templates_and_isos(qtbot, open_window, lab, lab_pve):
    fake = lab_pve.fake
    template = f"{lab.unique_name('ocvtpl')}_1.0-1_amd64.tar.zst"
    iso = f"{lab.unique_name('ocviso')}.iso"
    fake.store_file("local", template, 90 * 2**20, content="vztmpl")
    fake.store_file("local", iso, 300 * 2**20, content="iso")
    it = open_window([pve_node(lab_pve, name="pve")])
    panel = panel_for(qtbot, it, "pve")
    ids = {i.id for i in panel.images}
    assert {f"local:vztmpl/{template}", f"local:iso/{iso}"} <= ids
    # every row is a template or an ISO of the fake's storage, or one of its VM templates (the lab's
    # Proxmox is shared by the whole run: other tests may have made some), each shown once
    vm_templates = {str(vm.vmid) for vm in fake.vms if vm.template}
    files = {i for i in ids if i.startswith(("local:vztmpl/", "local:iso/"))}
    assert ids - files <= vm_templates, sorted(ids - files)
    assert len(ids) == len(panel.images)
    shown = next(i for i in panel.images if i.id == f"local:iso/{iso}")
    assert shown.size == 300 * 2**20
    assert panel.select_image(f"local:iso/{iso}")
    child(panel, QLineEdit, "imageFilter").setText("ocvtpl")
    assert panel.proxy.rowCount() >= 1 and all(
        "ocvtpl" in panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())
    )


def test_the_panel_lists_incus_images_as_the_server_has_them(qtbot, open_window, lab_incus):
    on_server = json.loads(lab_incus.cli_ok("image", "list", "--format", "json"))
    assert on_server, "the lab's Incus has no image"
    it = open_window([incus_node(lab_incus, name="inc")])
    panel = panel_for(qtbot, it, "inc")
    assert sorted(i.id for i in panel.images) == sorted(img["fingerprint"] for img in on_server)
    for img in on_server:
        listed = next(i for i in panel.images if i.id == img["fingerprint"])
        assert set(listed.aliases) >= {a["name"] for a in img.get("aliases") or []}
        assert listed.size == img["size"]
