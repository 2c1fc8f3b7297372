"""The node editor: the same rules and messages as config.yaml, secrets kept out of the node,
fields per platform, keyboard use, and a result that round-trips through the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from ocv_desktop.core.errors import ConfigError
from ocv_desktop.core.models import AuthMethod, ExecutionRule, NodeConfig, NodeSecrets, Platform
from ocv_desktop.store.config import AppConfig, dump_config, load_config, save_config, validate_node
from ocv_desktop.ui.dialogs.node_editor import NodeEditorDialog, run_node_editor
from tests.ui.test_dialogs_support import result, start, visible_window


def editor(qtbot: QtBot, **kwargs: object) -> NodeEditorDialog:
    dialog = NodeEditorDialog(None, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Replace the field's text by typing, as a user does (so textEdited fires). QTest only types
    ASCII; other characters arrive as key events carrying their text, as from a keyboard layout."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    for char in text:
        if char.isascii():
            qtbot.keyClicks(edit, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(edit, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char))


def choose(combo: object, value: object) -> None:
    combo.setCurrentIndex(combo.findData(value))  # type: ignore[attr-defined]


def error_text(dialog: NodeEditorDialog, row: str) -> str:
    label = dialog.findChild(QLabel, f"{row}Error")
    assert label is not None
    return label.text() if label.isVisible() else ""


def yaml_problem(tmp_path: Path, field: str, value: str) -> str:
    """What config.yaml says about the same value (the loader's message for that field)."""
    fields = {"name": "n", "type": "proxmox", "host": "h", field: value}
    path = tmp_path / "config.yaml"
    path.write_text(
        "version: 1\nnodes:\n  - " + "\n    ".join(f'{k}: "{v}"' for k, v in fields.items()) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    line = next(line for line in str(info.value).splitlines() if f".{field}:" in line)
    return line.split(f".{field}: ", 1)[1]


def test_new_docker_node_round_trips_through_the_config_file(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = editor(qtbot)
    assert not dialog.ok_button.isEnabled()
    assert dialog.findChild(QLabel, "problemsLabel").text() == "Still needed: Name, Host"
    type_into(qtbot, dialog.name_edit, "web-1 (东京)")
    type_into(qtbot, dialog.host_edit, "10.0.0.5")
    dialog.port_spin.setValue(2222)
    type_into(qtbot, dialog.user_edit, "admin")
    dialog.sudo_check.setChecked(True)
    type_into(qtbot, dialog.tags_edit, "prod, eu-west，东京")  # ASCII and full-width commas
    dialog.notes_edit.setPlainText("rack 4\nshelf 2")
    assert dialog.ok_button.isEnabled(), dialog.problems()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted

    node = dialog.node()
    assert (node.name, node.type, node.host, node.port, node.username) == (
        "web-1 (东京)",
        Platform.DOCKER,
        "10.0.0.5",
        2222,
        "admin",
    )
    assert node.use_sudo and node.tags == ("prod", "eu-west", "东京") and node.notes == "rack 4\nshelf 2"
    assert node.api_endpoint is None and node.auth is AuthMethod.AGENT
    assert dialog.secrets() == NodeSecrets()
    path = tmp_path / "config.yaml"
    save_config(path, AppConfig(nodes=(node,)))
    assert load_config(path).nodes == (node,)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("pve.example.com:22", "must not contain a port; put the SSH port in `port:`"),
        ("[2001:db8::1]", "write IPv6 addresses without brackets"),
        ("bad host", "'bad host' is not a host name or IP address"),
    ],
)
def test_host_messages_are_the_config_files(qtbot: QtBot, tmp_path: Path, host: str, expected: str) -> None:
    dialog = editor(qtbot)
    type_into(qtbot, dialog.name_edit, "n")
    type_into(qtbot, dialog.host_edit, host)
    shown = error_text(dialog, "host")
    assert shown == expected
    assert shown == dict(validate_node(NodeConfig(name="n", type=Platform.DOCKER, host=host)))["host"]
    assert shown == yaml_problem(tmp_path, "host", host)
    assert not dialog.ok_button.isEnabled()


def test_proxmox_token_id_with_the_secret_in_it_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = editor(qtbot)
    choose(dialog.platform_combo, Platform.PROXMOX)
    type_into(qtbot, dialog.name_edit, "pve")
    type_into(qtbot, dialog.host_edit, "pve.lan")
    type_into(qtbot, dialog.token_id_edit, "root@pam!ocv=0b3c")
    assert error_text(dialog, "api_token_id") == yaml_problem(tmp_path, "api_token_id", "root@pam!ocv=0b3c")
    assert "keyring" in error_text(dialog, "api_token_id")
    type_into(qtbot, dialog.token_id_edit, "root@pam")
    assert error_text(dialog, "api_token_id") == "must look like USER@REALM!TOKENID (for example root@pam!ocv)"
    type_into(qtbot, dialog.token_id_edit, "root@pam!ocv")
    assert error_text(dialog, "api_token_id") == ""
    assert dialog.ok_button.isEnabled()


def test_name_must_be_unique_and_the_own_name_is_fine_when_editing(qtbot: QtBot) -> None:
    dialog = editor(qtbot, taken_names=frozenset({"web-1", "db"}))
    type_into(qtbot, dialog.host_edit, "h")
    type_into(qtbot, dialog.name_edit, "web-1")
    assert error_text(dialog, "name") == "a node named 'web-1' already exists"
    assert not dialog.ok_button.isEnabled()

    existing = NodeConfig(name="web-1", type=Platform.DOCKER, host="h")
    dialog = editor(qtbot, existing=existing, taken_names=frozenset({"web-1", "db"}))
    assert dialog.ok_button.isEnabled(), dialog.problems()
    type_into(qtbot, dialog.name_edit, "db")
    assert error_text(dialog, "name") == "a node named 'db' already exists"


def test_lxd_and_docker_rules_from_the_config(qtbot: QtBot) -> None:
    dialog = editor(qtbot)
    type_into(qtbot, dialog.name_edit, "lxd")
    type_into(qtbot, dialog.host_edit, "lxd.lan")
    choose(dialog.platform_combo, Platform.LXD)
    type_into(qtbot, dialog.cert_edit, "/etc/ocv/client.crt")
    assert error_text(dialog, "client_key") == "client_cert and client_key go together"
    type_into(qtbot, dialog.cert_key_edit, "/etc/ocv/client.key")
    assert dialog.ok_button.isEnabled()

    choose(dialog.platform_combo, Platform.DOCKER)
    choose(dialog.rule_combo, ExecutionRule.API_ONLY)
    assert error_text(dialog, "execution_rule") == "docker nodes have no API; use auto or ssh_only"
    assert not dialog.ok_button.isEnabled()


def test_fields_follow_the_platform_and_hidden_values_are_dropped(qtbot: QtBot) -> None:
    dialog = editor(qtbot)
    assert not dialog.api_group.isVisible()  # Docker has no API
    choose(dialog.platform_combo, Platform.PROXMOX)
    assert dialog.api_group.isVisible() and dialog.token_id_edit.isVisible() and dialog.pve_node_edit.isVisible()
    assert not dialog.cert_edit.isVisible()
    choose(dialog.pve_login_combo, "password")
    assert dialog.api_user_edit.isVisible() and not dialog.token_id_edit.isVisible()
    choose(dialog.platform_combo, Platform.INCUS)
    assert dialog.cert_edit.isVisible() and not dialog.pve_node_edit.isVisible()
    assert dialog.findChild(QLabel, "enrolNote").isVisible()

    type_into(qtbot, dialog.name_edit, "n")
    type_into(qtbot, dialog.host_edit, "h")
    choose(dialog.platform_combo, Platform.PROXMOX)
    choose(dialog.pve_login_combo, "token")
    type_into(qtbot, dialog.token_id_edit, "root@pam!ocv")
    type_into(qtbot, dialog.pve_node_edit, "pve1")
    choose(dialog.platform_combo, Platform.DOCKER)  # changed their mind
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    node = dialog.node()
    assert node.type is Platform.DOCKER
    assert (node.api_token_id, node.proxmox_node, node.api_endpoint) == (None, None, None)


def test_auth_fields_and_secrets_never_in_the_node(qtbot: QtBot) -> None:
    dialog = editor(qtbot)
    for edit in (dialog.password_edit, dialog.passphrase_edit, dialog.token_secret_edit, dialog.api_password_edit):
        assert edit.echoMode() is QLineEdit.EchoMode.Password
    assert not dialog.password_edit.isVisible() and not dialog.key_edit.isVisible()
    choose(dialog.auth_combo, AuthMethod.KEY)
    assert dialog.key_edit.isVisible() and dialog.passphrase_edit.isVisible()
    type_into(qtbot, dialog.name_edit, "pve")
    type_into(qtbot, dialog.host_edit, "pve.lan")
    # Not typed into yet: no red text under the empty field, but the line above the buttons says
    # what is missing, and OK stays disabled with the config file's own message.
    assert error_text(dialog, "key_path") == ""
    assert dialog.findChild(QLabel, "problemsLabel").text() == "Still needed: Key file"
    assert ("key_path", "auth: key needs key_path (the private key file)") in dialog.problems()
    type_into(qtbot, dialog.key_edit, "~/.ssh/id_ed25519")
    type_into(qtbot, dialog.passphrase_edit, " pass phrase with spaces ")
    choose(dialog.platform_combo, Platform.PROXMOX)
    type_into(qtbot, dialog.token_id_edit, "root@pam!ocv")
    type_into(qtbot, dialog.token_secret_edit, "8f2c1d9e-token-secret")
    type_into(qtbot, dialog.api_password_edit, "not-used-with-a-token")  # hidden field: ignored
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    secrets = dialog.secrets()
    assert secrets == NodeSecrets(key_passphrase=" pass phrase with spaces ", api_token_secret="8f2c1d9e-token-secret")
    node = dialog.node()
    assert node.key_path == "~/.ssh/id_ed25519" and node.api_token_id == "root@pam!ocv"
    written = dump_config(AppConfig(nodes=(node,))) + repr(node)
    for secret in (" pass phrase with spaces ", "8f2c1d9e-token-secret", "not-used-with-a-token"):
        assert secret.strip() not in written


def test_editing_keeps_secrets_unless_typed_and_the_pin_while_the_address_stays(qtbot: QtBot) -> None:
    existing = NodeConfig(
        name="incus-1",
        type=Platform.INCUS,
        host="10.0.0.7",
        auth=AuthMethod.PASSWORD,
        api_endpoint="https://10.0.0.7:8443",
        client_cert="/c.crt",
        client_key="/c.key",
        server_cert_fingerprint="ab" * 32,
    )
    dialog = editor(qtbot, existing=existing)
    assert dialog.windowTitle() == "Edit node incus-1"
    assert dialog.ok_button.text() == "Save"
    assert dialog.password_edit.text() == "" and dialog.password_edit.placeholderText() == "empty: keep the saved one"
    assert dialog.findChild(QLabel, "pinLabel").text().startswith("AB:AB:")
    dialog.notes_edit.setPlainText("moved to rack 5")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.node() == existing.replace(notes="moved to rack 5")  # same id, pin kept
    assert dialog.secrets() == NodeSecrets()  # nothing typed: keep what the keyring has

    dialog = editor(qtbot, existing=existing)
    type_into(qtbot, dialog.password_edit, "n3w")
    type_into(qtbot, dialog.endpoint_edit, "https://10.0.0.8:8443")  # another server: the old pin is wrong
    assert not dialog.findChild(QLabel, "pinLabel").isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.node().server_cert_fingerprint is None
    assert dialog.secrets() == NodeSecrets(ssh_password="n3w")


def test_this_computer_from_the_welcome_panel(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = editor(
        qtbot, local=Platform.INCUS, local_endpoint="unix:///var/lib/incus/unix.socket", taken_names=frozenset()
    )
    assert dialog.local_check.isChecked() and not dialog.ssh_group.isVisible()
    assert dialog.ok_button.isEnabled(), dialog.problems()  # a name is proposed, nothing else is needed
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter = OK when valid
    assert dialog.result() == QDialog.DialogCode.Accepted
    node = dialog.node()
    assert (node.local, node.type, node.host, node.api_endpoint) == (
        True,
        Platform.INCUS,
        "localhost",
        "unix:///var/lib/incus/unix.socket",
    )
    path = tmp_path / "config.yaml"
    save_config(path, AppConfig(nodes=(node,)))
    assert load_config(path).nodes == (node,)


def test_keyboard_enter_needs_a_valid_node_and_escape_cancels(qtbot: QtBot) -> None:
    dialog = editor(qtbot)
    type_into(qtbot, dialog.name_edit, "n")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    with pytest.raises(RuntimeError):
        dialog.node()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected

    dialog = editor(qtbot)
    dialog.name_edit.setFocus()
    order = [dialog.focusWidget()]
    for _ in range(4):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        order.append(dialog.focusWidget())
    assert order[:3] == [dialog.name_edit, dialog.platform_combo, dialog.local_check]


def test_run_node_editor_on_the_qasync_loop(qloop: object, qtbot: QtBot) -> None:
    task = start(run_node_editor(None, taken_names=frozenset({"a"})))
    dialog = visible_window(qtbot, NodeEditorDialog)
    type_into(qtbot, dialog.name_edit, "b")
    type_into(qtbot, dialog.host_edit, "b.lan")
    choose(dialog.auth_combo, AuthMethod.PASSWORD)
    type_into(qtbot, dialog.password_edit, "pw")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    node, secrets = result(qtbot, task)
    assert (node.name, node.auth) == ("b", AuthMethod.PASSWORD)
    assert secrets == NodeSecrets(ssh_password="pw")

    task = start(run_node_editor(None))
    dialog = visible_window(qtbot, NodeEditorDialog, exclude=(dialog,))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) is None
