"""Flows on nodes: add (also "this computer" from the welcome panel), edit, remove, import."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ocv_desktop.core.errors import OcvError, SecretStoreError
from ocv_desktop.core.models import HealthReport, NodeConfig, NodeSecrets, Platform
from ocv_desktop.ui.dialogs.base import ask_yes_no, show_error
from ocv_desktop.ui.dialogs.import_dialog import choose_import_file, show_import_report
from ocv_desktop.ui.dialogs.node_editor import Enroller, run_node_editor

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


def _taken_names(window: MainWindow, except_id: str | None = None) -> frozenset[str]:
    return frozenset(n.name for n in window.ws.nodes if n.id != except_id)


def _tester(window: MainWindow) -> Callable[[NodeConfig, NodeSecrets], asyncio.Future[HealthReport]]:
    """The editor's Test connection: Session.test_connection as a named task (a newer test
    replaces a running one; closing the window cancels it)."""
    return lambda node, secrets: window.ws.run_task("ui:test-connection", window.ws.test_connection(node, secrets))


def _enroller(window: MainWindow) -> Enroller:
    """The editor's enrolment: Session.enroll as a named task (one at a time per dialog)."""
    return lambda node, secrets, token, accept: window.ws.run_task(
        "ui:enroll", window.ws.enroll(node, secrets, token=token, accept_fingerprint=accept)
    )


async def add_node(window: MainWindow, local: Platform | None = None, endpoint: str | None = None) -> None:
    entered = await run_node_editor(
        window,
        taken_names=_taken_names(window),
        local=local,
        local_endpoint=endpoint,
        tester=_tester(window),
        enroller=_enroller(window),
    )
    if entered is not None:
        failed = QCoreApplication.translate("MainWindow", "The node could not be added")
        await _save(window, window.ws.add_node(*entered), failed, entered[1])


async def edit_node(window: MainWindow, node: NodeConfig) -> None:
    entered = await run_node_editor(
        window,
        existing=node,
        taken_names=_taken_names(window, node.id),
        tester=_tester(window),
        enroller=_enroller(window),
    )
    if entered is not None:
        failed = QCoreApplication.translate("MainWindow", "The node could not be saved")
        await _save(window, window.ws.update_node(*entered), failed, entered[1])


async def _save(window: MainWindow, change: Awaitable[NodeConfig], failed: str, secrets: NodeSecrets | None) -> None:
    try:
        node = await change
    except OcvError as exc:
        await show_error(window, failed, exc)
        return
    _say_if_secrets_unsaved(window, [node.name], secrets)


def _say_if_secrets_unsaved(window: MainWindow, names: list[str], secrets: NodeSecrets | None) -> None:
    """Credentials typed (or imported) while the keyring is locked or absent are kept for this
    run only: say so in the banner, never silently (the status bar alone is easy to miss)."""
    store = window.ws.secrets
    if store.persistent or not names or (secrets is not None and not secrets.values()):
        return
    window.banner.show_message(
        QCoreApplication.translate("MainWindow", "The credentials of {nodes} were NOT saved: {why}").format(
            nodes=", ".join(names), why=store.unsaved_because()
        )
    )


async def remove_node(window: MainWindow, node: NodeConfig) -> None:
    sure = await ask_yes_no(
        window,
        QCoreApplication.translate("MainWindow", "Remove node"),
        QCoreApplication.translate(
            "MainWindow",
            "Remove {node} from ocv-desktop? Its saved credentials are deleted from the keyring. "
            "Nothing on the node itself is changed.",
        ).format(node=node.name),
        yes=QCoreApplication.translate("MainWindow", "Remove"),
        no=QCoreApplication.translate("MainWindow", "Cancel"),
        destructive=True,
    )
    if not sure:
        return
    try:
        await window.ws.remove_node(node.id)
    except SecretStoreError as exc:  # the node is gone, its credentials stayed in the keyring
        title = QCoreApplication.translate("MainWindow", "The node was removed, but its credentials were not deleted")
        await show_error(window, title, exc)
    except OcvError as exc:
        await show_error(window, QCoreApplication.translate("MainWindow", "The node could not be removed"), exc)


async def import_file(window: MainWindow) -> None:
    path = await choose_import_file(window)
    if path is None:
        return
    try:
        report = await window.ws.import_oneclickvirt(path)
    except OcvError as exc:
        await show_error(window, QCoreApplication.translate("MainWindow", "The file could not be imported"), exc)
        return
    _say_if_secrets_unsaved(window, list(report.unsaved_secrets), None)
    await show_import_report(window, report)
