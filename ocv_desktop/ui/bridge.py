"""The Workspace: the thin Qt bridge over the headless session (DESIGN.md rule 6).

Widgets never await network I/O. They call the workspace, whose ``Session``
(services/session.py) runs the work as asyncio tasks on the qasync loop; the session's events come
back here and leave as Qt signals. The bridge adds only what needs Qt: the signals, ``tr`` (the
session's words, in the translation context ``Session``) and the trust dialogs,
opened non-modally under ``dialog_parent``. Everything else (``nodes``, ``refresh``,
``run_instance_action`` ...) is the session's, reached through attribute lookup.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from ocv_desktop.core.errors import HostKeyError
from ocv_desktop.services.activity import Activity
from ocv_desktop.services.session import InstanceAction, Session
from ocv_desktop.services.trust import TrustError
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore

__all__ = ["InstanceAction", "Workspace"]


class Workspace(QObject):
    nodesChanged = Signal()  # the configured nodes changed (added, edited, removed, imported)
    healthChanged = Signal(str)  # node id: a new health report arrived
    nodeStateChanged = Signal(str)  # node id: last error / needs-trust changed
    instancesChanged = Signal(str)  # node id: its instance list changed
    activityChanged = Signal(object)  # Activity: new, or its state/progress changed
    keyringStateChanged = Signal()
    settingsChanged = Signal()
    problem = Signal(str)  # something the user should see in the banner (config errors, bugs)

    def __init__(self, home: Home, secrets: SecretStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog_parent: QWidget | None = None  # the window; parent of trust dialogs
        self.session = Session(home, secrets, listener=_Relay(self), tr=self._tr, ask_trust=self._confirm_trust)

    def __getattr__(self, name: str) -> Any:
        if name == "session":  # not set yet: never look it up in itself
            raise AttributeError(name)
        return getattr(self.session, name)

    def _tr(self, text: str, disambiguation: str | None = None, n: int = -1) -> str:
        # the context lupdate gives the session's self.tr() strings (scripts/update-translations.sh)
        return QCoreApplication.translate("Session", text, disambiguation, n)

    async def _confirm_trust(self, question: TrustError) -> bool:
        from ocv_desktop.ui.dialogs.trust import confirm_certificate, confirm_host_key

        if isinstance(question, HostKeyError):
            return await confirm_host_key(self.dialog_parent, question)  # type: ignore[arg-type]
        return await confirm_certificate(self.dialog_parent, question)  # type: ignore[arg-type]


class _Relay:
    """The session's listener: each event leaves as the workspace's signal of the same meaning."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def nodes_changed(self) -> None:
        self.ws.nodesChanged.emit()

    def health_changed(self, node_id: str) -> None:
        self.ws.healthChanged.emit(node_id)

    def node_state_changed(self, node_id: str) -> None:
        self.ws.nodeStateChanged.emit(node_id)

    def instances_changed(self, node_id: str) -> None:
        self.ws.instancesChanged.emit(node_id)

    def activity_changed(self, activity: Activity) -> None:
        self.ws.activityChanged.emit(activity)

    def keyring_state_changed(self) -> None:
        self.ws.keyringStateChanged.emit()

    def settings_changed(self) -> None:
        self.ws.settingsChanged.emit()

    def problem(self, text: str) -> None:
        self.ws.problem.emit(text)
