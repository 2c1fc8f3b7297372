"""Delete confirmation (every instance named with its node) and the password reset dialogs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QRadioButton, QTreeWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.core.models import Instance, InstanceStatus, InstanceType, NodeConfig, Platform
from ocv_desktop.ui.dialogs import password
from ocv_desktop.ui.dialogs.confirm import ConfirmDeleteDialog, confirm_delete
from ocv_desktop.ui.dialogs.password import (
    NewPasswordDialog,
    PasswordChoice,
    PasswordDialog,
    choose_password,
    show_new_password,
)
from tests.ui.test_dialogs_support import result, start, visible_window

NODES = {"n1": "docker-eu-1", "n2": "pve-东京"}


def instance(name: str, node: str, status: InstanceStatus) -> Instance:
    return Instance(id=f"id-{name}", name=name, node_id=node, status=status, raw_status=status.value)


def rows(dialog: ConfirmDeleteDialog) -> list[tuple[str, str, str]]:
    tree = dialog.findChild(QTreeWidget, "instanceList")
    return [tuple(tree.topLevelItem(i).text(c) for c in range(3)) for i in range(tree.topLevelItemCount())]  # type: ignore[misc]


def test_delete_names_every_instance_with_its_node_and_cancel_is_the_default(qloop: object, qtbot: QtBot) -> None:
    victims = [
        instance("web", "n1", InstanceStatus.RUNNING),
        instance("db", "n1", InstanceStatus.STOPPED),
        instance("虚拟机-101", "n2", InstanceStatus.RUNNING),
    ]
    task = start(confirm_delete(None, victims, NODES))
    dialog = visible_window(qtbot, ConfirmDeleteDialog)
    assert dialog.findChild(QLabel, "questionLabel").text() == "Delete these 3 instances?"
    assert rows(dialog) == [
        ("web", "docker-eu-1", "running"),
        ("db", "docker-eu-1", "stopped"),
        ("虚拟机-101", "pve-东京", "running"),
    ]
    check = dialog.findChild(QCheckBox, "stopFirstCheck")
    assert check.isVisible() and check.text() == "Stop the 2 running instances first" and not check.isChecked()
    assert dialog.findChild(QPushButton, "cancelButton").isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter never deletes
    assert result(qtbot, task) == (False, False)

    task = start(confirm_delete(None, victims, NODES))
    dialog = visible_window(qtbot, ConfirmDeleteDialog, exclude=(dialog,))
    dialog.findChild(QCheckBox, "stopFirstCheck").setChecked(True)
    qtbot.mouseClick(dialog.findChild(QPushButton, "deleteButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) == (True, True)


def test_delete_of_one_stopped_instance_has_no_stop_option(qloop: object, qtbot: QtBot) -> None:
    task = start(confirm_delete(None, [instance("db", "n1", InstanceStatus.STOPPED)], NODES))
    dialog = visible_window(qtbot, ConfirmDeleteDialog)
    assert dialog.findChild(QLabel, "questionLabel").text() == "Delete the instance db on docker-eu-1?"
    assert not dialog.findChild(QCheckBox, "stopFirstCheck").isVisible()
    qtbot.mouseClick(dialog.findChild(QPushButton, "deleteButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) == (True, False)


def test_password_dialog_generates_for_root_by_default(qloop: object, qtbot: QtBot) -> None:
    web = instance("web", "n1", InstanceStatus.RUNNING)
    task = start(choose_password(None, web, NodeConfig(name="docker-eu-1", type=Platform.DOCKER, host="h")))
    dialog = visible_window(qtbot, PasswordDialog)
    assert "web on docker-eu-1" in dialog.findChild(QLabel, "questionLabel").text()
    assert dialog.findChild(QLineEdit, "userEdit").text() == "root"
    assert not dialog.findChild(QLineEdit, "passwordEdit").isEnabled()  # generate is the default
    assert not dialog.findChild(QCheckBox, "allowRebootCheck").isVisible()  # not a Proxmox VM
    assert dialog.findChild(QPushButton, "okButton").isDefault()
    assert not dialog.findChild(QPushButton, "cancelButton").isDefault()
    qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) == PasswordChoice("root", None, False)


def test_a_typed_password_must_be_confirmed_and_a_mismatch_keeps_ok_disabled(qloop: object, qtbot: QtBot) -> None:
    web = instance("web", "n1", InstanceStatus.RUNNING)
    task = start(choose_password(None, web, NodeConfig(name="docker-eu-1", type=Platform.DOCKER, host="h")))
    dialog = visible_window(qtbot, PasswordDialog)
    ok = dialog.findChild(QPushButton, "okButton")
    problem = dialog.findChild(QLabel, "problemLabel")
    dialog.findChild(QLineEdit, "userEdit").setText("alice")
    dialog.findChild(QRadioButton, "typeRadio").setChecked(True)
    assert not ok.isEnabled() and not problem.isVisible()  # nothing typed yet: no red line
    dialog.findChild(QLineEdit, "passwordEdit").setText("Secret one 1")
    dialog.findChild(QLineEdit, "confirmEdit").setText("Secret one 2")
    assert not ok.isEnabled()
    assert problem.isVisible() and problem.text() == "The two passwords differ"
    qtbot.keyClick(dialog.findChild(QLineEdit, "confirmEdit"), Qt.Key.Key_Return)  # Enter does not bypass it
    assert dialog.isVisible() and not task.done()
    dialog.findChild(QLineEdit, "confirmEdit").setText("Secret one 1")
    assert ok.isEnabled() and not problem.isVisible()
    dialog.findChild(QLineEdit, "userEdit").setText("-rf")  # never an option on the node
    assert not ok.isEnabled() and "user name" in problem.text()
    dialog.findChild(QLineEdit, "userEdit").setText("alice")
    qtbot.keyClick(dialog.findChild(QLineEdit, "confirmEdit"), Qt.Key.Key_Return)  # Enter sets it, never cancels
    assert result(qtbot, task) == PasswordChoice("alice", "Secret one 1", False)


def test_a_proxmox_vm_offers_the_reboot_consent(qloop: object, qtbot: QtBot) -> None:
    vm = Instance(id="101", name="vm1", node_id="n2", status=InstanceStatus.RUNNING, raw_status="running",
                  type=InstanceType.VM)  # fmt: skip
    pve = NodeConfig(name="pve", type=Platform.PROXMOX, host="h")
    dialog = PasswordDialog(None, vm, pve)
    check = dialog.findChild(QCheckBox, "allowRebootCheck")
    assert check.isVisibleTo(dialog) and not check.isChecked()  # an explicit choice, off by default
    assert "cloud-init" in check.toolTip()
    check.setChecked(True)
    assert dialog.choice() == PasswordChoice("root", None, True)
    ct = Instance(id="102", name="ct1", node_id="n2", status=InstanceStatus.RUNNING, raw_status="running")
    assert not PasswordDialog(None, ct, pve).findChild(QCheckBox, "allowRebootCheck").isVisibleTo(dialog)
    dialog.deleteLater()


def test_new_password_is_shown_selectable_and_copy_puts_it_on_the_clipboard(qloop: object, qtbot: QtBot) -> None:
    secret = "vR7#kq2L m9$wXe4"
    task = start(show_new_password(None, instance("web", "n1", InstanceStatus.RUNNING), "docker-eu-1", secret))
    dialog = visible_window(qtbot, NewPasswordDialog)
    field = dialog.findChild(QLineEdit, "passwordField")
    assert field.text() == secret and field.isReadOnly() and field.echoMode() is QLineEdit.EchoMode.Normal
    assert field.selectedText() == secret  # ready for Ctrl+C
    assert "does not store this password anywhere" in dialog.findChild(QLabel, "notStoredLabel").text()
    QGuiApplication.clipboard().setText("something else")
    qtbot.mouseClick(dialog.findChild(QPushButton, "copyButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == secret
    # Marked concealed, so clipboard managers (Klipper, Windows history, macOS) do not keep it.
    mime = QGuiApplication.clipboard().mimeData()
    assert bytes(mime.data("x-kde-passwordManagerHint")) == b"secret"
    assert bytes(mime.data("ExcludeClipboardContentFromMonitorProcessing")) == (1).to_bytes(4, sys.byteorder)
    assert mime.hasFormat("application/x-nspasteboard-concealed-type")
    assert dialog.findChild(QLabel, "copiedLabel").text() == "Copied. The clipboard is cleared in 60 seconds."
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) is None


def test_clipboard_is_cleared_later_only_if_it_still_holds_the_password(qapp: object, qtbot: QtBot) -> None:
    clipboard = QGuiApplication.clipboard()
    password.copy_secret_to_clipboard("s3cret-1", clear_after=0.2)
    assert clipboard.text() == "s3cret-1"
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)

    password.copy_secret_to_clipboard("s3cret-2", clear_after=0.2)
    clipboard.setText("the user copied something else")
    qtbot.wait(500)
    assert clipboard.text() == "the user copied something else"


QUIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from ocv_desktop.ui.dialogs.password import copy_secret_to_clipboard

    app = QGuiApplication([])
    copy_secret_to_clipboard("s3cret-quit", clear_after=3600)  # far beyond the app's life
    assert app.clipboard().text() == "s3cret-quit"
    QTimer.singleShot(0, app.quit)
    app.exec()
    print(repr(app.clipboard().text()))
    """
)


def test_the_password_leaves_the_clipboard_when_the_app_quits() -> None:
    # A real application's quit (aboutToQuit), in its own process so the test session's app lives on.
    done = subprocess.run(
        [sys.executable, "-c", QUIT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "''"
