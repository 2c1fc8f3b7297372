"""The main window — a STUB: an empty node tree and instance table in a splitter.

The real window (issue 8) replaces this class; keep the object names ``nodeTree`` and
``instanceTable`` and the ``closed`` signal, which ``ui/main.py`` and the tests rely on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QTableView, QTreeView, QWidget

from ocv_desktop.core.config import AppConfig


class MainWindow(QMainWindow):
    closed = Signal()  # emitted once the window has closed; ui/main.py then ends the app

    def __init__(self, config: AppConfig, secrets_status: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("ocv-desktop"))
        self.resize(1100, 650)

        self.node_tree = QTreeView(objectName="nodeTree")
        self.node_tree.setHeaderHidden(True)
        self.instance_table = QTableView(objectName="instanceTable")

        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        splitter.addWidget(self.node_tree)
        splitter.addWidget(self.instance_table)
        splitter.setStretchFactor(1, 3)
        self.setCentralWidget(splitter)

        self.statusBar().showMessage(
            self.tr("{count} nodes configured · {secrets}").format(count=len(config.nodes), secrets=secrets_status)
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
