"""Setting an instance's password: ask which user and which password, then show a generated one once.

``PasswordDialog`` is what the CLI's ``reset-password`` options are in the window: the user
(default root), a generated password or one typed twice, and for a Proxmox VM the consent to a
reboot (``--allow-reboot``: without the guest agent the password goes through cloud-init).

The new password exists only in this dialog (DESIGN.md rule 3: it is never written to the config,
the keyring or a log). It is selectable and has a Copy button; a copied password is cleared from
the clipboard after ``CLIPBOARD_CLEAR_SECONDS`` unless the clipboard holds something else by then
(then the user copied something new, which we must not wipe).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QCoreApplication, QMimeData, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import Instance, InstanceType, NodeConfig, Platform
from ocv_desktop.providers.base import USER_NAME_RE
from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.widgets import FittingDialog, error_colour, fit_height, set_text_colour, text_label

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
        *,
        user: str = "root",
    ) -> None:
        super().__init__(parent)
        self.clear_after = clear_after  # settings.clipboard_clear_seconds
        self.setObjectName("newPasswordDialog")
        self.setWindowTitle(self.tr("New password"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                self.tr("The password of {user} in {instance} on {node} is now:").format(
                    user=user, instance=instance.name, node=node_name
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
        # wide enough for the sentences to wrap into a few lines, not a narrow column
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)

    def _copy(self) -> None:
        copy_secret_to_clipboard(self.password_field.text(), self.clear_after)
        self.copied_label.setText(
            self.tr("Copied. The clipboard is cleared in {seconds} seconds.").format(seconds=round(self.clear_after))
        )
        self.copied_label.show()
        fit_height(self)  # the new line must not push the rest (or the password box) out of the window


@dataclass(frozen=True)
class PasswordChoice:
    user: str
    password: str | None  # None: generate one (shown after the reset)
    allow_reboot: bool = False


class PasswordDialog(FittingDialog):
    """Which user, which password, and (Proxmox VM) whether a reboot is allowed. OK stays
    disabled until the choice is complete: a valid user name, and a typed password confirmed."""

    def __init__(self, parent: QWidget | None, instance: Instance, node: NodeConfig) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(self.tr("Set password"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                self.tr(
                    "Set a new password in {instance} on {node}. The user's current password stops working."
                ).format(instance=instance.name, node=node.name),
                object_name="questionLabel",
                bold=True,
            )
        )
        # one form, so the user and password fields line up; the two choices span both columns
        form = QFormLayout()
        self.user_edit = QLineEdit("root", objectName="userEdit")
        form.addRow(self.tr("&User:"), self.user_edit)
        self.generate_radio = QRadioButton(
            self.tr("&Generate a strong password (shown once, after it is set)"), objectName="generateRadio"
        )
        self.type_radio = QRadioButton(self.tr("T&ype my own password"), objectName="typeRadio")
        self.generate_radio.setChecked(True)
        form.addRow(self.generate_radio)
        form.addRow(self.type_radio)
        self.password_edit = QLineEdit(objectName="passwordEdit")
        self.confirm_edit = QLineEdit(objectName="confirmEdit")
        for edit in (self.password_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&Password:"), self.password_edit)
        form.addRow(self.tr("&Confirm:"), self.confirm_edit)
        layout.addLayout(form)
        self.problem_label = text_label("", object_name="problemLabel")
        set_text_colour(self.problem_label, error_colour(self))
        self.problem_label.hide()
        layout.addWidget(self.problem_label)
        self.reboot_check = QCheckBox(
            self.tr("Allow a reboot if the VM has no guest agent"), objectName="allowRebootCheck"
        )
        self.reboot_check.setToolTip(
            self.tr(
                "Without the QEMU guest agent the password is set through cloud-init, which applies it "
                "when the VM boots: the VM is rebooted. Unchecked, such a VM is left alone and you are told why."
            )
        )
        # Only a Proxmox VM can need it (the CLI's --allow-reboot); containers set it live.
        self._may_reboot = node.type is Platform.PROXMOX and instance.type is InstanceType.VM
        self.reboot_check.setVisible(self._may_reboot)
        layout.addWidget(self.reboot_check)
        self.buttons = QDialogButtonBox()
        cancel = self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.ok_button = self.buttons.addButton(self.tr("Set password"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("okButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # Enter sets the password (the dialog names the instance and what changes; it is the
        # confirmation). Made default once the box is in the dialog, else QDialog picks Cancel.
        self.ok_button.setDefault(True)
        for edit in (self.user_edit, self.password_edit, self.confirm_edit):
            edit.textChanged.connect(self._update)
        self.type_radio.toggled.connect(self._update)
        self._update()
        self.initial_focus = self.user_edit

    def choice(self) -> PasswordChoice:
        typed = self.password_edit.text() if self.type_radio.isChecked() else None
        return PasswordChoice(self.user_edit.text().strip(), typed, self._may_reboot and self.reboot_check.isChecked())

    def problem(self) -> str:
        """Why OK is disabled ("" when it is not)."""
        return self._problem()[0]

    def _problem(self) -> tuple[str, bool]:
        """(why OK is disabled, whether to say it now): a half-typed password pair is not yet
        worth a red line; a mismatch is, once the confirmation has been typed."""
        if not USER_NAME_RE.fullmatch(self.user_edit.text().strip()):
            return self.tr("Enter a valid user name (lower case letters, digits, _ . -)"), True
        if not self.type_radio.isChecked():
            return "", False
        if not self.password_edit.text():
            return self.tr("Type the new password twice"), False
        if self.password_edit.text() != self.confirm_edit.text():
            return self.tr("The two passwords differ"), bool(self.confirm_edit.text())
        return "", False

    def _update(self) -> None:
        typing = self.type_radio.isChecked()
        self.password_edit.setEnabled(typing)
        self.confirm_edit.setEnabled(typing)
        problem, say_now = self._problem()
        self.ok_button.setEnabled(not problem)
        self.ok_button.setToolTip(problem)
        self.problem_label.setText(problem if say_now else "")
        self.problem_label.setVisible(bool(problem and say_now))
        fit_height(self)

    def accept(self) -> None:
        if self.problem():
            return
        super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # With OK disabled, QDialog hands Enter to the next auto-default button: Cancel. Typing a
        # password and pressing Enter must not throw the dialog away; it does nothing instead.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.problem():
            event.accept()
            return
        super().keyPressEvent(event)


async def choose_password(parent: QWidget | None, instance: Instance, node: NodeConfig) -> PasswordChoice | None:
    """The password dialog; the choice, or None when cancelled."""
    dialog = PasswordDialog(parent, instance, node)
    if await run_and_dispose(dialog) != QDialog.DialogCode.Accepted:
        return None
    return dialog.choice()


async def show_new_password(
    parent: QWidget | None,
    instance: Instance,
    node_name: str,
    password: str,
    clear_after: float = CLIPBOARD_CLEAR_SECONDS,
    *,
    user: str = "root",
) -> None:
    """The password, selectable, with a Copy button (clipboard cleared after ``clear_after`` s if unchanged)."""
    await run_and_dispose(NewPasswordDialog(parent, instance, node_name, password, clear_after, user=user))
