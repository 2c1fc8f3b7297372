"""Open the node details view (ui/dialogs/node_details.py): one per node, raised when open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from ocv_desktop.ui.dialogs.node_details import NodeDetailsDialog

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


def show_node_details(window: MainWindow, node_id: str) -> NodeDetailsDialog:
    for open_one in window.findChildren(NodeDetailsDialog):
        if open_one.node_id == node_id and open_one.isVisible():
            open_one.raise_()
            open_one.activateWindow()
            return open_one
    dialog = NodeDetailsDialog(window, window.ws, node_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()  # not modal: the window stays usable beside it
    dialog.start_backfill()
    return dialog
