"""The window's flows end to end, the way a user drives them: adding a node through the editor,
importing a OneClickVirt file, resetting a root password, removing a node, cancelling a queued
action. Dialogs open non-modally; the tests find them, fill them and press their buttons, and
check the real servers afterwards.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
)

from ocv_desktop.core.errors import CertificateUnknown, HostKeyChanged, HostKeyUnknown
from ocv_desktop.core.models import AuthMethod, ExecutionRule, InstanceStatus, NodeConfig, Platform
from ocv_desktop.services.activity import ActivityState
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.transport.known_hosts import trust_host_key
from ocv_desktop.ui.models.node_tree import NodeTreeModel
from tests.ui.window_fixtures import (
    LabNode,
    child,
    docker_node,
    find_dialog,
    incus_node,
    run,
    wait_future,
    wait_health,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # Python 3.11: deprecated but present; tests only

pytestmark = [pytest.mark.lab]

BUSYBOX = "lab/busybox:1.35"
DEBIAN = "lab/debian:12"
SERVICE = ("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done")


@pytest.fixture
def containers(lab, lab_docker):
    made: list[str] = []

    def new(image: str = BUSYBOX, prefix: str = "ocvflow") -> str:
        name = lab.unique_name(prefix)
        made.append(name)
        lab_docker.docker_ok("run", "-d", "--name", name, image, *SERVICE)
        return name

    yield new
    if made:
        lab_docker.docker("rm", "-f", *made)


def message_box(qtbot) -> QMessageBox:
    """The visible question box (ask_yes_no), waiting for it to open."""
    found: list[QMessageBox] = []

    def visible() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible, timeout=10_000)
    return found[0]


def test_add_a_node_through_the_editor_from_the_welcome_panel(qtbot, open_window, lab_docker, containers):
    name = containers()
    it = open_window([])
    trust_host_key(it.home.known_hosts, lab_docker.ssh.address, 22, lab_docker.ssh.host_key_line)
    assert it.window.stack.currentWidget() is it.window.welcome
    child(it.window.welcome, QPushButton, "addNodeButton").click()

    editor = find_dialog(qtbot, "nodeEditor")
    combo = child(editor, QComboBox, "platformCombo")
    combo.setCurrentIndex(combo.findData(Platform.DOCKER))
    child(editor, QLineEdit, "nameEdit").setText("added-in-the-editor")
    child(editor, QLineEdit, "hostEdit").setText(lab_docker.ssh.address)
    child(editor, QSpinBox, "portSpin").setValue(22)
    child(editor, QLineEdit, "userEdit").setText("root")
    auth = child(editor, QComboBox, "authCombo")
    auth.setCurrentIndex(auth.findData(AuthMethod.KEY))
    child(editor, QLineEdit, "keyPathEdit").setText(str(lab_docker.ssh.root_key))
    ok = child(editor, QPushButton, "okButton")
    qtbot.waitUntil(ok.isEnabled, timeout=5000)
    ok.click()

    qtbot.waitUntil(lambda: [n.name for n in it.ws.nodes] == ["added-in-the-editor"], timeout=10_000)
    assert it.window.stack.currentWidget() is it.window.splitter
    assert "added-in-the-editor" in it.home.config_file.read_text()
    wait_health(qtbot, it, ["added-in-the-editor"], "healthy")
    qtbot.waitUntil(lambda: it.row_of(name) is not None, timeout=30_000)
    added = next(a for a in it.window.activity_model.activities() if a.action == "Add node")
    assert added.state is ActivityState.SUCCEEDED


def test_import_a_oneclickvirt_file(qtbot, open_window, lab_docker, tmp_path):
    ssh = lab_docker.ssh
    source = tmp_path / "providers.yaml"
    source.write_text(
        "providers:\n"
        f"  - name: imported-docker\n    type: docker\n    host: {ssh.address}\n    port: 22\n"
        f"    username: {ssh.user}\n    password: {json.dumps(ssh.user_password)}\n"
        "  - name: broken\n    type: hyper-v\n    host: 10.77.255.1\n"
    )
    it = open_window([])
    trust_host_key(it.home.known_hosts, ssh.address, 22, ssh.host_key_line)
    it.window.actions_.import_file.trigger()

    chooser = find_dialog(qtbot, "importFileDialog")
    # what a user does: type the path into the file name field and press Open
    child(chooser, QLineEdit, "fileNameEdit").setText(str(source))
    chooser.accept()
    report = find_dialog(qtbot, "importReportDialog")
    summary = child(report, QLabel, "summaryLabel").text()
    assert summary == "providers.yaml: 1 added, 0 updated, 1 skipped."
    report.accept()

    assert [n.name for n in it.ws.nodes] == ["imported-docker"]
    node = it.ws.nodes[0]
    assert node.auth is AuthMethod.PASSWORD and node.username == ssh.user
    assert ssh.user_password not in it.home.config_file.read_text()
    # the password went to the keyring (here: this run's memory store) and logs the node in
    wait_health(qtbot, it, ["imported-docker"], "healthy")
    imported = next(a for a in it.window.activity_model.activities() if a.action == "Import")
    assert imported.message == "1 added, 0 updated, 1 skipped"


def test_reset_password_shows_a_password_that_works_and_logs_none(qtbot, open_window, lab_docker, containers):
    name = containers(DEBIAN)
    it = open_window([docker_node(lab_docker)])
    qtbot.waitUntil(lambda: it.row_of(name) is not None, timeout=30_000)
    it.select_rows([it.row_of(name)])
    assert it.window.actions_.reset_password.isEnabled()
    it.window.actions_.reset_password.trigger()

    asked = find_dialog(qtbot, "passwordDialog")
    assert name in child(asked, QLabel, "questionLabel").text()
    child(asked, QPushButton, "okButton").click()  # root, generated: the defaults
    shown = find_dialog(qtbot, "newPasswordDialog", timeout=60)
    password = child(shown, QLineEdit, "passwordField").text()
    assert len(password) >= 12

    shadow = lab_docker.docker_ok("exec", name, "getent", "shadow", "root").split(":")[1]
    assert crypt.crypt(password, shadow) == shadow  # the password shown is the one set
    child(shown, QPushButton, "closeButton").click()
    act = next(a for a in it.window.activity_model.activities() if a.action == "Reset password")
    assert act.state is ActivityState.SUCCEEDED and act.instance_name == name
    assert password not in act.message
    for log_file in it.home.logs_dir.glob("*.log*"):
        assert password not in log_file.read_text(errors="replace")


def test_a_typed_password_for_another_user(qtbot, open_window, lab_docker, containers):
    """The password dialog's own choices against a real container: user alice (created in it),
    a typed password confirmed; the shadow entry then holds exactly that password."""
    name = containers(DEBIAN)
    lab_docker.docker_ok("exec", name, "useradd", "-m", "alice")
    before = lab_docker.docker_ok("exec", name, "getent", "shadow", "alice").split(":")[1]
    it = open_window([docker_node(lab_docker)])
    qtbot.waitUntil(lambda: it.row_of(name) is not None, timeout=30_000)
    it.select_rows([it.row_of(name)])
    it.window.actions_.reset_password.trigger()
    asked = find_dialog(qtbot, "passwordDialog")
    child(asked, QLineEdit, "userEdit").setText("alice")
    child(asked, QRadioButton, "typeRadio").setChecked(True)
    typed = "Typed by hand 7"
    child(asked, QLineEdit, "passwordEdit").setText(typed)
    child(asked, QLineEdit, "confirmEdit").setText(typed + "x")
    ok = child(asked, QPushButton, "okButton")
    assert not ok.isEnabled()  # a mismatch never reaches the node
    child(asked, QLineEdit, "confirmEdit").setText(typed)
    assert ok.isEnabled()
    ok.click()
    qtbot.waitUntil(
        lambda: any(a.action == "Reset password" and a.state is ActivityState.SUCCEEDED
                    for a in it.window.activity_model.activities()),
        timeout=60_000,
    )  # fmt: skip
    shadow = lab_docker.docker_ok("exec", name, "getent", "shadow", "alice").split(":")[1]
    assert shadow != before and crypt.crypt(typed, shadow) == shadow
    root = lab_docker.docker_ok("exec", name, "getent", "shadow", "root").split(":")[1]
    assert crypt.crypt(typed, root) != root  # root was left alone
    assert "alice" in it.window.statusBar().currentMessage()
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "newPasswordDialog" and w.isVisible()]


def test_remove_a_node_asks_first(qtbot, open_window, lab_docker):
    it = open_window([docker_node(lab_docker), docker_node(lab_docker, name="second")])
    wait_health(qtbot, it, ["second"], "healthy")
    second = it.node_id("second")
    assert it.ws.pool.connected(second) is not None
    it.select_node(qtbot, "second")
    it.window.actions_.remove_node.trigger()
    box = message_box(qtbot)
    assert "second" in box.text()
    child(box, QPushButton, "noButton").click()
    qtbot.wait(200)
    assert "second" in [n.name for n in it.ws.nodes]

    it.window.actions_.remove_node.trigger()
    child(message_box(qtbot), QPushButton, "yesButton").click()
    qtbot.waitUntil(lambda: [n.name for n in it.ws.nodes] == ["lab-docker"], timeout=10_000)
    assert it.window.tree_model.node_indexes(second) == []
    assert "name: second" not in it.home.config_file.read_text()
    qtbot.waitUntil(lambda: it.ws.pool.connected(second) is None, timeout=5000)
    # the tree selection fell back to a node or "All nodes", and the table follows it
    assert it.window.proxy.scope() is None or second not in it.window.proxy.scope()


def test_cancel_an_action_that_waits_for_its_turn(qtbot, open_window, lab_docker, containers):
    first, second, third = containers(), containers(), containers()
    it = open_window([docker_node(lab_docker)])
    qtbot.waitUntil(lambda: all(it.row_of(n) is not None for n in (first, second, third)), timeout=30_000)
    batch = it.ws.run_instance_action(
        InstanceAction.STOP, [it.instance(first), it.instance(second), it.instance(third)]
    )
    queued = next(a for a in it.window.activity_model.activities() if a.instance_name == third)
    assert queued.state is ActivityState.QUEUED and queued.cancel is not None
    queued.cancel()  # what the activity log's "Cancel" does
    wait_future(qtbot, batch, timeout=120)
    assert queued.state is ActivityState.CANCELLED
    state = {n: json.loads(lab_docker.docker_ok("inspect", n))[0]["State"]["Status"] for n in (first, second, third)}
    assert state == {first: "exited", second: "exited", third: "running"}
    qtbot.waitUntil(lambda: it.instance(third).status is InstanceStatus.RUNNING, timeout=10_000)


def test_group_by_setting_is_read_from_the_config(qtbot, open_window, lab_docker):
    from ocv_desktop.store.config import Settings
    from tests.ui.window_fixtures import FAST_SETTINGS

    settings = Settings(
        health_interval=FAST_SETTINGS.health_interval,
        health_timeout=FAST_SETTINGS.health_timeout,
        group_by="tag",
    )
    it = open_window([docker_node(lab_docker, tags=("eu",))], settings=settings)
    assert it.window.tree_model.group_by == "tag"
    assert it.window.actions_.group_by_tag.isChecked()
    root = it.window.tree_model.all_index()
    assert it.window.tree_model.index(0, 0, root).data() == "eu (1)"
    run(qtbot, it.ws.set_group_by("platform"))
    assert "group_by: platform" in Path(it.home.config_file).read_text()


def test_unpinned_api_certificate_is_pinned_when_the_user_accepts_it(qtbot, open_window, lab_incus):
    node = incus_node(lab_incus, server_cert_fingerprint=None)
    it = open_window([node])
    node_id = it.node_id("lab-incus")
    idx = it.window.tree_model.node_indexes(node_id)[0]
    qtbot.waitUntil(lambda: idx.data(NodeTreeModel.NeedsTrustRole) is True, timeout=30_000)
    assert isinstance(it.ws.trust_needed[node_id], CertificateUnknown)

    it.window.badge_delegate.badgeClicked.emit(node_id)  # what a click on the badge does
    dialog = find_dialog(qtbot, "trustDialog")
    labels = " ".join(w.text() for w in dialog.findChildren(QLabel)).replace(":", "").lower()
    assert lab_incus.server_cert_fingerprint[:16] in labels
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: it.ws.node(node_id).server_cert_fingerprint is not None, timeout=10_000)
    assert it.ws.node(node_id).server_cert_fingerprint == lab_incus.server_cert_fingerprint
    assert lab_incus.server_cert_fingerprint in it.home.config_file.read_text()
    wait_health(qtbot, it, ["lab-incus"], "healthy")
    assert not idx.data(NodeTreeModel.NeedsTrustRole)


def test_trust_offers_the_ssh_host_key_of_an_api_node_too(qtbot, open_window, lab_incus):
    """Issue 12 item 2: an Incus node works over its API once the certificate is pinned, but its
    SSH host key (the terminal, the health check's service probe) must be offered as well."""
    node = incus_node(lab_incus, server_cert_fingerprint=None)
    node.trust = None  # nothing trusted: neither the certificate nor the host key
    it = open_window([node])
    node_id = it.node_id("lab-incus")
    idx = it.window.tree_model.node_indexes(node_id)[0]
    qtbot.waitUntil(lambda: idx.data(NodeTreeModel.NeedsTrustRole) is True, timeout=30_000)

    it.window.badge_delegate.badgeClicked.emit(node_id)
    offered = []
    for _ in range(2):  # one dialog after the other: the host key, then the certificate
        dialog = find_dialog(qtbot, "trustDialog")
        offered.append(" ".join(w.text() for w in dialog.findChildren(QLabel)))
        dialog.trust_button.click()
        qtbot.waitUntil(lambda d=dialog: not d.isVisible(), timeout=10_000)
    assert lab_incus.ssh.host_key_fingerprint in offered[0]
    assert lab_incus.server_cert_fingerprint[:16] in offered[1].replace(":", "").lower()
    qtbot.waitUntil(lambda: it.ws.node(node_id).server_cert_fingerprint is not None, timeout=10_000)
    assert lab_incus.ssh.host_key_line.split()[2] in it.home.known_hosts.read_text()
    assert it.ws.node(node_id).server_cert_fingerprint == lab_incus.server_cert_fingerprint
    wait_health(qtbot, it, ["lab-incus"], "healthy")
    assert not idx.data(NodeTreeModel.NeedsTrustRole)


def test_an_api_node_whose_ssh_host_key_is_untrusted_keeps_its_mark_and_its_listing(qtbot, open_window, lab_incus):
    """Issue 12 item 2: the certificate is pinned, so the node works over its API, but its SSH host
    key (which the terminal needs) was never trusted. The badge keeps its "!" (the health check's
    SSH step says why), the instance list still refreshes, and trusting the key clears the mark."""
    node = incus_node(lab_incus)  # the certificate's pin is in the node
    node.trust = None  # ... but known_hosts does not hold the host key
    it = open_window([node])
    node_id = it.node_id("lab-incus")
    idx = it.window.tree_model.node_indexes(node_id)[0]
    qtbot.waitUntil(lambda: isinstance(it.ws.trust_advised.get(node_id), HostKeyUnknown), timeout=30_000)
    assert idx.data(NodeTreeModel.NeedsTrustRole) is True
    assert node_id not in it.ws.trust_needed  # nothing blocks the node itself
    qtbot.waitUntil(lambda: it.ws.loaded(node_id), timeout=30_000)  # listed over the API all the same

    it.window.badge_delegate.badgeClicked.emit(node_id)
    dialog = find_dialog(qtbot, "trustDialog")
    assert lab_incus.ssh.host_key_fingerprint in " ".join(w.text() for w in dialog.findChildren(QLabel))
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: lab_incus.ssh.host_key_line.split()[2] in it.home.known_hosts.read_text(), timeout=10_000)
    qtbot.waitUntil(lambda: not idx.data(NodeTreeModel.NeedsTrustRole), timeout=30_000)
    wait_health(qtbot, it, ["lab-incus"], "healthy")
    assert node_id not in it.ws.trust_advised


def test_changed_host_key_is_replaced_only_after_a_second_confirmation(qtbot, open_window, lab_docker, lab_incus):
    node = docker_node(lab_docker)
    node.trust = None
    it = open_window([node])
    # known_hosts holds a different key for the docker host's address: the key "changed"
    impostor = lab_incus.ssh.host_key_line.split()[1:]
    trust_host_key(it.home.known_hosts, lab_docker.ssh.address, 22, " ".join(impostor))
    node_id = it.node_id("lab-docker")
    it.ws.check_now([node_id])
    qtbot.waitUntil(lambda: isinstance(it.ws.trust_needed.get(node_id), HostKeyChanged), timeout=30_000)

    it.select_node(qtbot, "lab-docker")
    assert it.window.actions_.trust_node.isEnabled()  # selecting the node enables "Review trust…"
    it.window.actions_.trust_node.trigger()
    find_dialog(qtbot, "trustDialog").trust_button.click()
    box = message_box(qtbot)  # the second confirmation
    child(box, QPushButton, "noButton").click()
    qtbot.wait(300)
    assert lab_docker.ssh.host_key_line.split()[2] not in it.home.known_hosts.read_text()

    it.window.actions_.trust_node.trigger()
    find_dialog(qtbot, "trustDialog").trust_button.click()
    child(message_box(qtbot), QPushButton, "yesButton").click()
    qtbot.waitUntil(lambda: lab_docker.ssh.host_key_line.split()[2] in it.home.known_hosts.read_text(), timeout=10_000)
    assert impostor[1] not in it.home.known_hosts.read_text()
    wait_health(qtbot, it, ["lab-docker"], "healthy")


def test_window_layout_is_remembered_in_the_home(qtbot, open_window):
    # a node nobody answers for (refused on loopback): the tree and table show, no server needed
    nobody = LabNode(NodeConfig(name="nobody", type=Platform.DOCKER, host="127.0.0.1", port=1))
    it = open_window([nobody])
    it.window.resize(760, 560)  # within the offscreen screen (restoreGeometry keeps windows on it)
    it.window.splitter.setSizes([250, 500])
    sizes = it.window.splitter.sizes()
    it.close(qtbot)
    assert (it.home.root / "window.ini").is_file()
    again = open_window([])  # the same home, so the same node
    assert (again.window.width(), again.window.height()) == (760, 560)
    assert again.window.splitter.sizes() == sizes


def test_edit_a_node_keeps_its_id_and_moves_it_in_the_tree(qtbot, open_window, lab_docker):
    it = open_window([docker_node(lab_docker)])
    node_id = it.node_id("lab-docker")
    it.window.actions_.group_by_tag.trigger()
    it.select_node(qtbot, "lab-docker")
    it.window.actions_.edit_node.trigger()
    editor = find_dialog(qtbot, "nodeEditor")
    assert child(editor, QLineEdit, "nameEdit").text() == "lab-docker"
    child(editor, QLineEdit, "tagsEdit").setText("eu, prod")
    child(editor, QPushButton, "okButton").click()
    qtbot.waitUntil(lambda: it.ws.node(node_id).tags == ("eu", "prod"), timeout=10_000)
    model = it.window.tree_model
    root = model.all_index()
    assert [model.index(r, 0, root).data() for r in range(model.rowCount(root))] == ["eu (1)", "prod (1)"]
    # the selection followed the node through the rebuilt tree
    assert model.node_id(it.window.node_tree.currentIndex()) == node_id
    wait_health(qtbot, it, ["lab-docker"], "healthy")


def test_nodes_changed_by_the_cli_show_in_the_open_window(qtbot, open_window, lab_docker):
    """The CLI and the window at once (issue 12 item 3): a node the real `ocv-desktop nodes add`
    saves appears in the open window, gets connected and checked; one the CLI removes goes."""
    from tests.cli_process import ocv

    it = open_window([docker_node(lab_docker)])
    ssh = lab_docker.ssh
    added = ocv(
        it.home,
        "nodes", "add", "--name", "from-cli", "--type", "docker", "--host", ssh.address,
        "--port", str(ssh.port), "--key", str(ssh.root_key),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    qtbot.waitUntil(lambda: "from-cli" in [n.name for n in it.ws.nodes], timeout=10_000)
    from_cli = it.node_id("from-cli")
    assert it.window.tree_model.node_indexes(from_cli) != []
    wait_health(qtbot, it, ["from-cli"], "healthy")

    # the window's own change and the CLI's, one after the other, both kept
    run(qtbot, it.ws.set_group_by("tag"))
    removed = ocv(it.home, "nodes", "remove", "lab-docker")
    assert removed.returncode == 0, removed.stderr
    qtbot.waitUntil(lambda: [n.name for n in it.ws.nodes] == ["from-cli"], timeout=10_000)
    assert "group_by: tag" in it.home.config_file.read_text()
    assert it.window.tree_model.node_indexes(from_cli) != []


def test_a_locked_keyring_is_shown_never_silent(qtbot, open_window, lab_docker, new_secret_service, monkeypatch):
    """Issue 12 item 6 in the window: gnome-keyring locked for real. A password typed into the node
    editor is kept for this run only, and the banner says so and why; removing a node whose
    credentials cannot be deleted says that they stayed, instead of "removed"."""
    from tests.integration.test_keyring_locked import Keyring

    service = new_secret_service()
    keyring = Keyring(service, service.use(monkeypatch))
    keyring.lock()
    it = open_window([docker_node(lab_docker)])
    assert "locked" in it.window.keyring_label.text()

    it.window.actions_.add_node.trigger()
    editor = find_dialog(qtbot, "nodeEditor")
    combo = child(editor, QComboBox, "platformCombo")
    combo.setCurrentIndex(combo.findData(Platform.DOCKER))
    child(editor, QLineEdit, "nameEdit").setText("with-password")
    child(editor, QLineEdit, "hostEdit").setText(lab_docker.ssh.address)
    auth = child(editor, QComboBox, "authCombo")
    auth.setCurrentIndex(auth.findData(AuthMethod.PASSWORD))
    child(editor, QLineEdit, "passwordEdit").setText("pw-typed-7")
    ok = child(editor, QPushButton, "okButton")
    qtbot.waitUntil(ok.isEnabled, timeout=5000)
    ok.click()
    qtbot.waitUntil(lambda: "with-password" in [n.name for n in it.ws.nodes], timeout=10_000)
    qtbot.waitUntil(it.window.banner.isVisible, timeout=5000)
    message = it.window.banner.message()
    assert "with-password" in message and "NOT saved" in message and "locked" in message

    it.select_node(qtbot, "lab-docker")
    it.window.actions_.remove_node.trigger()
    child(message_box(qtbot), QPushButton, "yesButton").click()
    qtbot.waitUntil(lambda: [n.name for n in it.ws.nodes] == ["with-password"], timeout=10_000)
    box = message_box(qtbot)
    assert box.windowTitle() == "The node was removed, but its credentials were not deleted"
    assert "locked" in box.text()
    box.accept()


def test_a_certificate_the_ca_file_refuses_is_never_offered_for_trust(qtbot, open_window, lab_incus, tmp_path):
    """Issue 12 item 5 in the window: with ca_file set, the node's certificate (self-signed, not
    from that CA) turns the node unhealthy with the CA's reason; no "!" to trust, no dialog."""
    from tests.integration.https_server import make_cert

    ca, _, _ = make_cert(tmp_path, "other-ca", ca=True)
    node = incus_node(
        lab_incus, server_cert_fingerprint=None, ca_file=str(ca.cert), execution_rule=ExecutionRule.API_ONLY
    )
    it = open_window([node])
    node_id = it.node_id("lab-incus")
    wait_health(qtbot, it, ["lab-incus"], "unhealthy")
    wait_future(qtbot, it.ws.review_trust(node_id))  # what a click on the badge does
    assert node_id not in it.ws.trust_needed
    assert not it.window.tree_model.node_indexes(node_id)[0].data(NodeTreeModel.NeedsTrustRole)
    assert "failed the check against the CA file" in it.ws.errors[node_id]
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "trustDialog" and w.isVisible()]
    assert it.ws.node(node_id).server_cert_fingerprint is None
