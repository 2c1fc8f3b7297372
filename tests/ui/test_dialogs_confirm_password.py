"""Delete confirmation (every instance named with its node) and the password reset dialogs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QMessageBox, QPushButton, QTreeWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.core.models import Instance, InstanceStatus
from ocv_desktop.ui.dialogs import password
from ocv_desktop.ui.dialogs.confirm import ConfirmDeleteDialog, confirm_delete
from ocv_desktop.ui.dialogs.password import NewPasswordDialog, confirm_reset_password, show_new_password
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


def test_confirm_reset_password_names_instance_and_node(qloop: object, qtbot: QtBot) -> None:
    web = instance("web", "n1", InstanceStatus.RUNNING)
    task = start(confirm_reset_password(None, web, "docker-eu-1"))
    box = visible_window(qtbot, QMessageBox)
    assert box.text().startswith("Set a new random root password for web on docker-eu-1?")
    assert box.defaultButton().text() == "Cancel"
    qtbot.mouseClick(box.findChild(QPushButton, "yesButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True


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
