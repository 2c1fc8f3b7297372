"""Resetting an instance's root password: ask first, then show the new password once.

The new password exists only in this dialog (DESIGN.md rule 3: it is never written to the config,
the keyring or a log). It is selectable and has a Copy button; a copied password is cleared from
the clipboard after ``CLIPBOARD_CLEAR_SECONDS`` unless the clipboard holds something else by then
(then the user copied something new, which we must not wipe).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import Instance
from ocv_desktop.ui.dialogs.base import ask_yes_no, run_and_dispose
from ocv_desktop.ui.dialogs.widgets import FittingDialog, text_label

CLIPBOARD_CLEAR_SECONDS = 60.0


# Hints that keep a secret out of clipboard managers and histories (the formats KeePassXC sets):
# KDE Klipper and other freedesktop managers, Windows clipboard history/cloud sync, macOS pasteboard
# managers (nspasteboard.org). Each is ignored where it means nothing.
_CONCEALED_FORMATS: dict[str, bytes] = {
    "x-kde-passwordManagerHint": b"secret",
    "ExcludeClipboardContentFromMonitorProcessing": (1).to_bytes(4, sys.byteorder),
    "CanIncludeInClipboardHistory": (0).to_bytes(4, sys.byteorder),
    "CanUploadToCloudClipboard": (0).to_bytes(4, sys.byteorder),
    "application/x-nspasteboard-concealed-type": b"secret",
}

# Secrets this process put on the clipboard and has not taken off yet: cleared when the app quits.
_on_clipboard: set[str] = set()


def _clear_if_unchanged(secret: str) -> None:
    _on_clipboard.discard(secret)
    board = QGuiApplication.clipboard()
    if board.text() == secret:
        board.clear()


def _clear_all_on_quit() -> None:
    for secret in list(_on_clipboard):
        _clear_if_unchanged(secret)


def copy_secret_to_clipboard(secret: str, clear_after: float | None = None) -> None:
    """Put ``secret`` on the clipboard, marked concealed for clipboard managers, and take it off
    again after ``clear_after`` seconds (default ``CLIPBOARD_CLEAR_SECONDS``) or when the app
    quits, whichever comes first, if it is still there. The timer belongs to the application, so
    closing the dialog does not cancel it."""
    mime = QMimeData()
    mime.setText(secret)
    for fmt, value in _CONCEALED_FORMATS.items():
        mime.setData(fmt, QByteArray(value))
    QGuiApplication.clipboard().setMimeData(mime)
    delay = CLIPBOARD_CLEAR_SECONDS if clear_after is None else clear_after
    app = QCoreApplication.instance()
    if app is None:  # no application, no clipboard to clear
        return
    if not app.property("ocvClearsSecretsOnQuit"):
        # Once per application: the set says what to clear when it quits.
        app.aboutToQuit.connect(_clear_all_on_quit)
        app.setProperty("ocvClearsSecretsOnQuit", True)
    _on_clipboard.add(secret)
    QTimer.singleShot(int(delay * 1000), app, lambda: _clear_if_unchanged(secret))


class NewPasswordDialog(FittingDialog):
    def __init__(
        self,
        parent: QWidget | None,
        instance: Instance,
        node_name: str,
        password: str,
        clear_after: float = CLIPBOARD_CLEAR_SECONDS,
    ) -> None:
        super().__init__(parent)
        self.clear_after = clear_after  # settings.clipboard_clear_seconds
        self.setObjectName("newPasswordDialog")
        self.setWindowTitle(self.tr("New root password"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                self.tr("The root password of {instance} on {node} is now:").format(
                    instance=instance.name, node=node_name
                ),
                bold=True,
            )
        )
        row = QHBoxLayout()
        self.password_field = QLineEdit(password, objectName="passwordField")
        self.password_field.setReadOnly(True)
        self.password_field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.password_field.setMinimumWidth(self.password_field.fontMetrics().horizontalAdvance(password) + 24)
        self.copy_button = QPushButton(self.tr("Copy"), objectName="copyButton")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self._copy)
        row.addWidget(self.password_field, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.copied_label = text_label("", object_name="copiedLabel")
        self.copied_label.hide()
        layout.addWidget(self.copied_label)
        layout.addWidget(
            text_label(
                self.tr(
                    "ocv-desktop does not store this password anywhere and forgets it when you close this "
                    "window. Save it in your password manager now."
                ),
                object_name="notStoredLabel",
            )
        )
        buttons = QDialogButtonBox()
        close = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        close.setObjectName("closeButton")
        close.clicked.connect(self.accept)
        close.setDefault(True)
        layout.addWidget(buttons)
        self.password_field.selectAll()
        self.initial_focus = self.password_field

    def _copy(self) -> None:
        copy_secret_to_clipboard(self.password_field.text(), self.clear_after)
        self.copied_label.setText(
            self.tr("Copied. The clipboard is cleared in {seconds} seconds.").format(
                seconds=round(self.clear_after)
            )
        )
        self.copied_label.show()


async def confirm_reset_password(parent: QWidget | None, instance: Instance, node_name: str) -> bool:
    return await ask_yes_no(
        parent,
        QCoreApplication.translate("PasswordDialog", "Reset root password"),
        QCoreApplication.translate(
            "PasswordDialog",
            "Set a new random root password for {instance} on {node}?\n\n"
            "The current password stops working. The new one is shown once and not saved anywhere.",
        ).format(instance=instance.name, node=node_name),
        yes=QCoreApplication.translate("PasswordDialog", "Reset password"),
        no=QCoreApplication.translate("PasswordDialog", "Cancel"),
        destructive=True,
    )


async def show_new_password(
    parent: QWidget | None,
    instance: Instance,
    node_name: str,
    password: str,
    clear_after: float = CLIPBOARD_CLEAR_SECONDS,
) -> None:
    """The password, selectable, with a Copy button (clipboard cleared after ``clear_after`` s if unchanged)."""
    await run_and_dispose(NewPasswordDialog(parent, instance, node_name, password, clear_after))
