"""Opening the instance details (``instanceDetails`` dock): a double-click or Enter on an instance
row (the table's ``activated``), or the ``actionInstanceDetails`` action in the Instance menu and
the table's context menu. While the dock is open it follows the selection: selecting another
single instance shows that one.

Kept out of app_window.py (which only creates this controller and adds ``action`` to its menus)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ocv_desktop.core.models import Instance
from ocv_desktop.ui.widgets.instance_details import InstanceDetails

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow

DOCK_WIDTH = 390


class DetailsController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dock: InstanceDetails | None = None
        self.action = QAction(self.tr("Instance &details"), window)
        self.action.setObjectName("actionInstanceDetails")
        self.action.setShortcut(QKeySequence("Alt+Return"))
        tip = self.tr("Show the configuration, usage, log, ports and snapshots of the selected instance")
        self.action.setStatusTip(tip)
        self.action.setToolTip(f"{tip} ({self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        window.addAction(self.action)
        self.action.triggered.connect(self.open_selected)
        window.instance_table.activated.connect(self._activated)
        window.instance_table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def _single(self) -> Instance | None:
        insts = self.window.selected_instances()
        return insts[0] if len(insts) == 1 else None

    def _activated(self, index: QModelIndex) -> None:
        inst = self.window.proxy.instances([index.row()])
        if inst:
            self.show(inst[0])

    def open_selected(self) -> None:
        inst = self._single()
        if inst is not None:
            self.show(inst)

    def _selection_changed(self, *_: Any) -> None:
        inst = self._single()
        self.action.setEnabled(inst is not None)
        dock = self.dock if self.dock is not None and shiboken6.isValid(self.dock) else None
        if inst is not None and dock is not None and dock.isVisible() and dock.instance != inst:
            dock.show_instance(inst)

    def show(self, inst: Instance) -> InstanceDetails:
        """Open (or raise) the dock on ``inst``."""
        if self.dock is None or not shiboken6.isValid(self.dock):
            self.dock = InstanceDetails(self.window.ws, self.window)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            # wide enough for the snapshot list, narrow enough to leave the table most columns
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.dock.show_instance(inst)
        self.dock.show()
        self.dock.raise_()
        return self.dock
