"""Flows on selected instances: reset the root password, delete (power actions need no dialog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocv_desktop.core.models import Instance
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui.dialogs.confirm import confirm_delete
from ocv_desktop.ui.dialogs.password import confirm_reset_password, show_new_password

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


async def reset_password(window: MainWindow, inst: Instance) -> None:
    node = window.ws.node(inst.node_id)
    if node is None or not await confirm_reset_password(window, inst, node.name):
        return
    password = await window.ws.reset_password(inst)
    if password is not None:
        await show_new_password(window, inst, node.name, password, window.ws.settings.clipboard_clear_seconds)


async def delete(window: MainWindow) -> None:
    insts = window.selected_instances()
    if not insts:
        return
    confirmed, force = await confirm_delete(window, insts, window.ws.node_names())
    if confirmed:
        await window.ws.run_instance_action(InstanceAction.DELETE, insts, force=force)
