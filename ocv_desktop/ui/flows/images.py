"""The images panel: one per window, opened on the selected node (or raised when open)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import shiboken6

from ocv_desktop.ui.dialogs.images import ImagesPanel

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


async def show_images(window: MainWindow) -> None:
    panel: ImagesPanel | None = getattr(window, "images_panel", None)
    node_id = window.target_node_id()
    if panel is not None and shiboken6.isValid(panel) and panel.isVisible():
        if node_id is not None and (i := panel.node_combo.findData(node_id)) >= 0:
            panel.node_combo.setCurrentIndex(i)
        panel.raise_()
        panel.activateWindow()
        return
    panel = ImagesPanel(window, window.ws, node_id)
    window.images_panel = panel
    panel.load()
    # Not window-modal (run_dialog's open()): the table stays usable beside the panel.
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def finished(_code: int) -> None:
        if not closed.done():
            closed.set_result(None)

    panel.finished.connect(finished)
    panel.show()
    try:
        await closed
    finally:
        window.images_panel = None
        if shiboken6.isValid(panel):
            panel.close()
            panel.deleteLater()
