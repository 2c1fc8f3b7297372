"""LXD/Incus enrolment in the node dialog (issue 14, item 4) against the lab's real incusd: a
fresh node is enrolled with a trust token (the server certificate shown, then pinned), saved with
its client certificate and pin, and then lists its instances through the API only; and over SSH
with the node's own login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox

from ocv_desktop.core.models import AuthMethod, ExecutionRule, Platform
from ocv_desktop.transport.known_hosts import trust_host_key
from ocv_desktop.transport.tls import format_fingerprint
from tests.ui.window_fixtures import child, find_dialog, run

pytestmark = [pytest.mark.lab]


def trusted(host) -> set[str]:
    return {c["fingerprint"] for c in json.loads(host.cli_ok("config", "trust", "list", "--format", "json"))}


def test_enrol_with_a_trust_token_then_list_over_the_api(qtbot, open_window, lab_incus):
    host = lab_incus
    it = open_window([])
    before = trusted(host)
    it.window.actions_.add_node.trigger()
    editor = find_dialog(qtbot, "nodeEditor")
    combo = child(editor, QComboBox, "platformCombo")
    combo.setCurrentIndex(combo.findData(Platform.INCUS))
    child(editor, QLineEdit, "nameEdit").setText("enrolled")
    child(editor, QLineEdit, "hostEdit").setText(host.ssh.address)
    child(editor, QLineEdit, "userEdit").setText(host.ssh.user)
    auth = child(editor, QComboBox, "authCombo")
    auth.setCurrentIndex(auth.findData(AuthMethod.PASSWORD))
    rule = child(editor, QComboBox, "ruleCombo")
    rule.setCurrentIndex(rule.findData(ExecutionRule.AUTO))
    token_button = child(editor, QPushButton, "enrolTokenButton")
    assert token_button.isVisible()
    assert not token_button.isEnabled() and "token" in token_button.toolTip()  # nothing pasted yet
    child(editor, QLineEdit, "trustTokenEdit").setText(host.trust_token("ocv-ui-enrol"))
    qtbot.waitUntil(token_button.isEnabled, timeout=5000)
    status = child(editor, QLabel, "enrolStatus")

    token_button.click()
    pin_button = child(editor, QPushButton, "enrolPinButton")
    qtbot.waitUntil(pin_button.isVisible, timeout=60_000)
    # first contact: the server's own fingerprint is shown to compare, nothing is trusted yet
    shown = child(editor, QLabel, "enrolFingerprint").text().replace("\n", ":")
    assert shown == format_fingerprint(host.server_cert_fingerprint), shown
    assert "First contact" in status.text()
    assert trusted(host) == before

    pin_button.click()
    qtbot.waitUntil(lambda: "Enrolled" in status.text() or "failed" in status.text(), timeout=60_000)
    assert "Enrolled" in status.text(), status.text()
    added = trusted(host) - before
    try:
        assert len(added) == 1
        cert = child(editor, QLineEdit, "clientCertEdit").text()
        assert Path(cert).parent == it.home.certs_dir
        child(editor, QPushButton, "okButton").click()
        qtbot.waitUntil(lambda: any(n.name == "enrolled" for n in it.ws.nodes), timeout=10_000)
        node = next(n for n in it.ws.nodes if n.name == "enrolled")
        assert node.server_cert_fingerprint == host.server_cert_fingerprint
        assert node.client_cert == cert and node.api_endpoint == f"https://{host.https_address}"
        saved = it.home.config_file.read_text()
        assert host.server_cert_fingerprint in saved and cert in saved

        # the saved node lists its instances through the API alone
        api_only = node.replace(execution_rule=ExecutionRule.API_ONLY)
        run(qtbot, it.ws.update_node(api_only))
        it.refresh(qtbot, "enrolled")
        listed = sorted(i.name for i in it.ws.instances_of(node.id))
        on_server = sorted(i["name"] for i in json.loads(host.cli_ok("list", "--format", "json")))
        assert listed == on_server
    finally:
        for fp in added:
            host.cli("config", "trust", "remove", fp)


def test_enrol_over_ssh_with_the_nodes_ssh_login(qtbot, open_window, lab_incus):
    """The node's SSH login (root with a key, host key trusted) adds the certificate with the
    node's own incus; the pin is shown first, as with a token."""
    host = lab_incus
    it = open_window([])
    trust_host_key(it.home.known_hosts, host.ssh.address, host.ssh.port, host.ssh.host_key_line)
    before = trusted(host)
    it.window.actions_.add_node.trigger()
    editor = find_dialog(qtbot, "nodeEditor")
    combo = child(editor, QComboBox, "platformCombo")
    combo.setCurrentIndex(combo.findData(Platform.INCUS))
    child(editor, QLineEdit, "nameEdit").setText("over-ssh")
    child(editor, QLineEdit, "hostEdit").setText(host.ssh.address)
    child(editor, QSpinBox, "portSpin").setValue(host.ssh.port)
    child(editor, QLineEdit, "userEdit").setText("root")
    auth = child(editor, QComboBox, "authCombo")
    auth.setCurrentIndex(auth.findData(AuthMethod.KEY))
    child(editor, QLineEdit, "keyPathEdit").setText(str(host.ssh.root_key))
    ssh_button = child(editor, QPushButton, "enrolSshButton")
    qtbot.waitUntil(ssh_button.isEnabled, timeout=5000)
    status = child(editor, QLabel, "enrolStatus")
    ssh_button.click()
    pin_button = child(editor, QPushButton, "enrolPinButton")
    qtbot.waitUntil(pin_button.isVisible, timeout=60_000)
    pin_button.click()
    qtbot.waitUntil(lambda: "Enrolled" in status.text() or "failed" in status.text(), timeout=60_000)
    added = trusted(host) - before
    try:
        assert "Enrolled" in status.text() and "over SSH" in status.text(), status.text()
        assert len(added) == 1
    finally:
        for fp in added:
            host.cli("config", "trust", "remove", fp)
    child(editor, QPushButton, "cancelButton").click()
    assert it.ws.nodes == []  # nothing saved without Save
