"""The node editor's Test connection button (issue 14, item 4) against the lab's sshd: a wrong
password is reported in the dialog, nothing is saved, and the right one then passes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox

from ocv_desktop.core.models import AuthMethod, Platform
from ocv_desktop.transport.known_hosts import trust_host_key
from tests.ui.window_fixtures import child, find_dialog

pytestmark = [pytest.mark.lab]


def test_a_wrong_password_is_reported_without_saving(qtbot, open_window, lab_docker):
    ssh = lab_docker.ssh
    it = open_window([])
    trust_host_key(it.home.known_hosts, ssh.address, 22, ssh.host_key_line)
    before = it.home.config_file.read_text()
    it.window.actions_.add_node.trigger()
    editor = find_dialog(qtbot, "nodeEditor")
    combo = child(editor, QComboBox, "platformCombo")
    combo.setCurrentIndex(combo.findData(Platform.DOCKER))
    child(editor, QLineEdit, "nameEdit").setText("tested")
    child(editor, QLineEdit, "hostEdit").setText(ssh.address)
    child(editor, QSpinBox, "portSpin").setValue(22)
    child(editor, QLineEdit, "userEdit").setText(ssh.user)
    auth = child(editor, QComboBox, "authCombo")
    auth.setCurrentIndex(auth.findData(AuthMethod.PASSWORD))
    password = child(editor, QLineEdit, "passwordEdit")
    password.setText(ssh.user_password + "-wrong")
    test = child(editor, QPushButton, "testConnectionButton")
    results = child(editor, QLabel, "testResults")
    qtbot.waitUntil(test.isEnabled, timeout=5000)

    test.click()
    qtbot.waitUntil(lambda: "SSH:" in results.text(), timeout=60_000)
    assert "SSH: FAILED" in results.text(), results.text()
    assert editor.isVisible()  # the test closes nothing and saves nothing
    assert it.ws.nodes == []
    assert it.home.config_file.read_text() == before

    password.setText(ssh.user_password)
    qtbot.waitUntil(test.isEnabled, timeout=5000)
    test.click()
    qtbot.waitUntil(lambda: "SSH: OK" in results.text() or "FAILED" in results.text(), timeout=60_000)
    assert "SSH: OK" in results.text(), results.text()
    assert it.ws.nodes == []
    child(editor, QPushButton, "cancelButton").click()
    assert it.home.config_file.read_text() == before
