"""Help -> About (``aboutDialog``): the version, Qt and PySide versions, the keyring backend in
use, the home folder, and a link that opens the log folder (what a bug report needs)."""

from __future__ import annotations

import html
from typing import Any

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ocv_desktop import __version__
from ocv_desktop.ui.dialogs.widgets import FittingDialog, text_label

LOG_FILE = "ocv-desktop.log"  # ui/main.py writes it in the home's logs folder


class AboutDialog(FittingDialog):
    def __init__(self, parent: QWidget | None, workspace: Any) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About ocv-desktop"))
        store = workspace.secrets
        keyring = (
            store.backend_name
            if store.persistent
            else self.tr("none: credentials kept for this run only ({reason})").format(reason=store.reason)
        )
        log_file = workspace.home.logs_dir / LOG_FILE
        self.log_link = QLabel(objectName="logLink")
        self.log_link.setTextFormat(Qt.TextFormat.RichText)
        href = html.escape(QUrl.fromLocalFile(str(log_file)).toString(), quote=True)
        self.log_link.setText(f'<a href="{href}">{html.escape(str(log_file))}</a>')
        self.log_link.setToolTip(self.tr("Open the log folder"))
        self.log_link.linkActivated.connect(
            lambda _url: QDesktopServices.openUrl(QUrl.fromLocalFile(str(workspace.home.logs_dir)))
        )
        form = QFormLayout()
        for label, value, name in (
            (self.tr("Version:"), __version__, "versionLabel"),
            (self.tr("Qt / PySide:"), f"{qVersion()} / {PYSIDE_VERSION}", "qtVersionLabel"),
            (self.tr("Keyring:"), keyring, "keyringLabel"),
            (self.tr("Home folder:"), str(workspace.home.root), "homeLabel"),
        ):
            shown = text_label(value, object_name=name)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, shown)
        form.addRow(self.tr("Log file:"), self.log_link)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(self.tr("ocv-desktop manages Docker, LXD, Incus and Proxmox VE nodes."), bold=True))
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
