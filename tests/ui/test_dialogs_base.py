"""ui/dialogs/base.py: awaitable dialogs on the qasync loop, and how errors are shown."""

from __future__ import annotations

import asyncio
import sys

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.core.errors import ConnectError, OcvError
from ocv_desktop.ui.dialogs.base import ask_yes_no, error_box, run_dialog, show_error, show_info
from tests.ui.test_dialogs_support import result, start, visible_window


def test_run_dialog_returns_the_result_and_the_loop_keeps_running(qloop: object, qtbot: QtBot) -> None:
    ticks = 0

    async def heartbeat() -> None:  # another task on the same loop, like a health check
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = start(heartbeat())
    dialog = QDialog()
    qtbot.addWidget(dialog)
    task = start(run_dialog(dialog))
    qtbot.waitUntil(dialog.isVisible)
    seen = ticks
    qtbot.waitUntil(lambda: ticks >= seen + 5, timeout=2000)  # no nested, blocking exec()
    assert not task.done()
    dialog.accept()
    assert result(qtbot, task) == QDialog.DialogCode.Accepted
    beat.cancel()


def test_run_dialog_rejected_and_destroyed(qloop: object, qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    task = start(run_dialog(dialog))
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) == QDialog.DialogCode.Rejected

    parent = QWidget()
    child = QDialog(parent)
    task = start(run_dialog(child))
    qtbot.waitUntil(child.isVisible)
    parent.deleteLater()  # the window that owned the dialog goes away
    assert result(qtbot, task) == QDialog.DialogCode.Rejected


def test_cancelling_the_waiting_task_closes_the_dialog(qloop: object, qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    task = start(run_dialog(dialog))
    qtbot.waitUntil(dialog.isVisible)
    task.cancel()
    qtbot.waitUntil(task.done)
    assert task.cancelled()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_ask_yes_no_buttons_escape_and_default(qloop: object, qtbot: QtBot) -> None:
    task = start(ask_yes_no(None, "Remove node", "Remove web-1?", yes="Remove", no="Keep"))
    box = visible_window(qtbot, QMessageBox)
    assert box.text() == "Remove web-1?"
    assert box.findChild(QPushButton, "yesButton").text() == "Remove"
    assert box.defaultButton().text() == "Remove"  # not destructive: the yes answer is the default
    qtbot.mouseClick(box.findChild(QPushButton, "yesButton"), Qt.MouseButton.LeftButton)
    assert result(qtbot, task) is True

    task = start(ask_yes_no(None, "Remove node", "Remove web-1?", yes="Remove", no="Keep"))
    box = visible_window(qtbot, QMessageBox, exclude=(box,))
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert result(qtbot, task) is False

    task = start(ask_yes_no(None, "Delete", "Delete it?", yes="Delete", no="Cancel", destructive=True))
    box = visible_window(qtbot, QMessageBox, exclude=(box,))
    assert box.icon() is QMessageBox.Icon.Warning
    assert box.defaultButton().text() == "Cancel"  # Enter never destroys anything
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert result(qtbot, task) is False


def test_expected_error_shows_message_and_hint_without_details(qapp: object) -> None:
    error = ConnectError("cannot connect to root@10.0.0.5:22: connection refused", hint="is sshd running?")
    box = error_box(None, "Refresh failed", error)
    assert box.text() == "cannot connect to root@10.0.0.5:22: connection refused"
    assert box.informativeText() == "is sshd running?"
    assert box.detailedText() == ""
    assert box.textFormat() is Qt.TextFormat.PlainText  # "<...>" in a message is never HTML
    box.deleteLater()


def test_long_expected_error_continues_in_the_details(qapp: object) -> None:
    message = "\n".join(f"config.yaml:{n}: nodes[{n}].host: must not be empty" for n in range(40))
    box = error_box(None, "Config", OcvError(message))
    assert box.text().count("\n") == 25
    assert "15 more lines" in box.text()
    assert box.detailedText() == message
    box.deleteLater()


def test_unexpected_error_says_so_and_hides_the_traceback_in_details(qapp: object) -> None:
    try:
        {}["node"]  # a real bug with a real traceback
    except KeyError as e:
        error = e
    box = error_box(None, "Refresh failed", error)
    assert box.text().startswith("An unexpected error occurred")
    assert "KeyError" in box.text()
    assert "Traceback" not in box.text() and "Traceback" not in box.informativeText()
    assert box.detailedText().startswith("Traceback (most recent call last)")
    assert "in test_unexpected_error_says_so_and_hides_the_traceback_in_details" in box.detailedText()
    box.deleteLater()


def test_show_error_and_show_info_wait_for_the_user(qloop: object, qtbot: QtBot) -> None:
    task = start(show_error(None, "Start failed", ConnectError("node is down")))
    box = visible_window(qtbot, QMessageBox)
    assert box.windowTitle() == "Start failed"
    assert box.text() == "node is down"
    assert not task.done()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert result(qtbot, task) is None

    task = start(show_info(None, "Import", "3 nodes imported"))
    box = visible_window(qtbot, QMessageBox, exclude=(box,))
    assert box.text() == "3 nodes imported"
    assert box.icon() is QMessageBox.Icon.Information
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert result(qtbot, task) is None


def test_pyside_keeps_its_references_to_none_and_true(qapp: object) -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a void method and
    to True on every signal emit; None/True reach zero after a few thousand calls and the process
    aborts ("Fatal Python error: none_dealloc"). pyproject.toml keeps Python 3.11 on PySide6 < 6.12;
    this catches the bug if a later version brings it back. (On 3.12+ None and True are immortal.)"""

    class Emitter(QObject):
        changed = Signal()

    label, emitter = QLabel(), Emitter()
    calls = 500
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(calls):
        label.setText("x")  # a void method
        emitter.changed.emit()  # returns a bool
    assert abs(sys.getrefcount(None) - none_before) < calls // 10
    assert abs(sys.getrefcount(True) - true_before) < calls // 10
