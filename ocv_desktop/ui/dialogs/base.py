"""Awaitable dialogs for code running on the qasync loop.

``QDialog.exec()`` and the static ``QMessageBox`` helpers start a nested Qt event loop; inside a
coroutine that re-enters the asyncio loop while a task is executing and fails ("Cannot enter into
task ... while another task ... is being executed", qasync #59/#174). So every dialog here is
opened with ``open()`` (window-modal, returns at once) and the coroutine awaits a future that the
dialog's ``finished`` signal resolves. The rest of the app keeps running meanwhile.

Errors: an ``OcvError`` is an expected failure whose message is a complete sentence, so it is
shown as it is (with its hint). Anything else is a bug: the user sees "unexpected error" and the
traceback sits in the collapsed details, ready to be copied into a bug report.
"""

from __future__ import annotations

import asyncio
import logging
import traceback

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QWidget

from ocv_desktop.core.errors import OcvError
from ocv_desktop.ui.errors import localize

log = logging.getLogger(__name__)

MAX_ERROR_LINES = 25  # longer messages (e.g. every problem of a config file) continue in the details


async def run_dialog(dialog: QDialog) -> int:
    """``open()`` the dialog (window-modal when it has a parent) and wait for its result code.

    If the dialog is destroyed before it finishes (its parent window was closed), the result is
    ``Rejected``. If the awaiting task is cancelled, the dialog is rejected and closed.
    """
    loop = asyncio.get_running_loop()
    result: asyncio.Future[int] = loop.create_future()

    def finished(code: int) -> None:
        if not result.done():
            result.set_result(code)

    def destroyed() -> None:
        if not result.done():
            result.set_result(QDialog.DialogCode.Rejected.value)

    dialog.finished.connect(finished)
    dialog.destroyed.connect(destroyed)
    dialog.open()
    try:
        return await result
    except asyncio.CancelledError:
        if shiboken6.isValid(dialog) and dialog.isVisible():
            dialog.reject()
        raise
    finally:
        if shiboken6.isValid(dialog):
            dialog.finished.disconnect(finished)
            dialog.destroyed.disconnect(destroyed)


async def run_and_dispose(dialog: QDialog) -> int:
    """``run_dialog`` for a dialog made just for this question: deleted afterwards."""
    try:
        return await run_dialog(dialog)
    finally:
        if shiboken6.isValid(dialog):
            dialog.deleteLater()


def _message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages may contain "<" (argv, XML): never render as HTML
    box.setText(text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box


def question_box(
    parent: QWidget | None, title: str, text: str, *, yes: str, no: str, destructive: bool = False
) -> tuple[QMessageBox, QPushButton]:
    """The message box ``ask_yes_no`` shows, and its "yes" button."""
    box = _message_box(parent, QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question, title, text)
    yes_role = QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    yes_button = box.addButton(yes, yes_role)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    yes_button.setObjectName("yesButton")
    no_button.setObjectName("noButton")
    box.setDefaultButton(no_button if destructive else yes_button)
    box.setEscapeButton(no_button)
    return box, yes_button


async def ask_yes_no(
    parent: QWidget | None, title: str, text: str, *, yes: str, no: str, destructive: bool = False
) -> bool:
    """A question with two buttons labelled by what they do. ``destructive``: a warning icon, and
    the safe answer is the default, so Enter never destroys anything. Esc always answers ``no``."""
    box, yes_button = question_box(parent, title, text, yes=yes, no=no, destructive=destructive)
    await run_and_dispose(box)
    # deleteLater() takes effect when this turn of the loop ends: the box is still readable here.
    return shiboken6.isValid(box) and box.clickedButton() is yes_button


def error_box(parent: QWidget | None, title: str, error: BaseException) -> QMessageBox:
    """The message box ``show_error`` shows (built separately so tests can look at it)."""
    if isinstance(error, OcvError):
        lines = localize(error.message).splitlines() or [""]
        box = _message_box(parent, QMessageBox.Icon.Warning, title, "\n".join(lines[:MAX_ERROR_LINES]))
        if len(lines) > MAX_ERROR_LINES:
            box.setText(
                box.text()
                + "\n"
                + QCoreApplication.translate("Dialogs", "… and {count} more lines (see the details)").format(
                    count=len(lines) - MAX_ERROR_LINES
                )
            )
            box.setDetailedText(error.message)
        if error.hint:
            box.setInformativeText(localize(error.hint))
    else:
        box = _message_box(
            parent,
            QMessageBox.Icon.Critical,
            title,
            QCoreApplication.translate("Dialogs", "An unexpected error occurred: {error}").format(
                error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            ),
        )
        box.setInformativeText(
            QCoreApplication.translate(
                "Dialogs", "This is a bug in ocv-desktop. The details below help the developers to fix it."
            )
        )
        box.setDetailedText("".join(traceback.format_exception(error)))
    box.setObjectName("errorBox")
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


async def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    if not isinstance(error, OcvError):
        log.error("unexpected error shown to the user (%s)", title, exc_info=error)
    await run_and_dispose(error_box(parent, title, error))


async def show_info(parent: QWidget | None, title: str, text: str) -> None:
    box = _message_box(parent, QMessageBox.Icon.Information, title, text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    await run_and_dispose(box)
