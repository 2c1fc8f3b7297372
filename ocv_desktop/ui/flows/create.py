"""Create an instance: the dialog (ui/dialogs/create_instance.py) does the work while it is open;
afterwards the new row is shown and selected in the table."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.create_instance import CreateInstanceDialog

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow

SELECT_WAIT = 5.0  # seconds: the table shows the cached row within a few loop turns


async def create_instance(window: MainWindow) -> None:
    dialog = CreateInstanceDialog(window, window.ws, window.target_node_id())
    await run_and_dispose(dialog)
    created = dialog.created  # deleted later: still readable in this turn of the loop
    if created is None:
        return
    if window.select_instance(created.node_id, created.id):
        return
    # The table adds the row when its model takes the node's new list: select it then.
    shown = asyncio.Event()

    def rows_changed(*_: object) -> None:
        if window.select_instance(created.node_id, created.id):
            shown.set()

    signals = (window.proxy.rowsInserted, window.proxy.modelReset, window.proxy.layoutChanged)
    for signal in signals:
        signal.connect(rows_changed)
    try:
        async with asyncio.timeout(SELECT_WAIT):
            await shown.wait()
    except TimeoutError:
        pass  # filtered out by the user's filter text: nothing to select
    finally:
        for signal in signals:
            signal.disconnect(rows_changed)
