"""Flows on selected instances: reset the root password, delete (power actions need no dialog)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ocv_desktop.core.models import Instance
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui.dialogs.confirm import confirm_delete
from ocv_desktop.ui.dialogs.password import choose_password, show_new_password

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


async def reset_password(window: MainWindow, inst: Instance) -> None:
    node = window.ws.node(inst.node_id)
    if node is None:
        return
    choice = await choose_password(window, inst, node)
    if choice is None:
        return
    password = await window.ws.reset_password(
        inst, username=choice.user, password=choice.password, allow_reboot=choice.allow_reboot
    )
    if password is None:  # failed: the activity panel says why
        return
    if choice.password is None:  # generated: shown once
        clear_after = window.ws.settings.clipboard_clear_seconds
        await show_new_password(window, inst, node.name, password, clear_after, user=choice.user)
    else:
        window.statusBar().showMessage(
            QCoreApplication.translate("MainWindow", "The password of {user} in {instance} was set.").format(
                user=choice.user, instance=inst.name
            ),
            10_000,
        )


async def delete(window: MainWindow) -> None:
    insts = window.selected_instances()
    if not insts:
        return
    confirmed, force = await confirm_delete(window, insts, window.ws.node_names())
    if confirmed:
        await window.ws.run_instance_action(InstanceAction.DELETE, insts, force=force)
