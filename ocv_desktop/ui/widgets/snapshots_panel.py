"""The Snapshots tab of the instance details (``snapshotsPanel``, issue 16): the instance's
snapshots (name, created, description, stateful) with take / restore / delete.

Everything goes through the session (``list_snapshots``, ``snapshot_action``, ``commit_instance``),
run as named tasks; each mutation gets its row in the activity panel from the session. Restore and
delete ask first and say what is lost. A platform without snapshots (Docker) says so plainly and
offers "Commit to image…" as its own action, never disguised as a snapshot.
"""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import Instance, Snapshot
from ocv_desktop.providers.base import Provider, provider_class
from ocv_desktop.services.session import SnapshotAction
from ocv_desktop.ui.dialogs.base import ask_yes_no
from ocv_desktop.ui.dialogs.snapshot import ask_image_ref, ask_snapshot
from ocv_desktop.ui.dialogs.widgets import error_colour, set_text_colour, text_label

SnapshotRole = Qt.ItemDataRole.UserRole + 1


class SnapshotsPanel(QWidget):
    NAME, CREATED, DESCRIPTION, STATEFUL = range(4)

    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("snapshotsPanel")
        self.ws = workspace
        self.instance: Instance | None = None
        self.snapshots: list[Snapshot] = []
        self._busy: asyncio.Future[Any] | None = None
        self._listed_for: tuple[str, str] | None = None  # the instance the table shows

        self._build_widgets()
        self._build_layout()
        self.refresh_button.clicked.connect(self.load)
        self.create_button.clicked.connect(self._create)
        self.restore_button.clicked.connect(lambda: self._mutate(SnapshotAction.RESTORE))
        self.delete_button.clicked.connect(lambda: self._mutate(SnapshotAction.DELETE))
        self.commit_button.clicked.connect(self._commit)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def _build_widgets(self) -> None:
        self.list = QTreeWidget(objectName="snapshotTable")
        self.list.setHeaderLabels([self.tr("Name"), self.tr("Created"), self.tr("Description"), self.tr("Stateful")])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.CREATED, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(self.DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.STATEFUL, QHeaderView.ResizeMode.ResizeToContents)
        self.refresh_button = QPushButton(self.tr("Refresh"), objectName="refreshSnapshotsButton")
        self.create_button = QPushButton(self.tr("Take snapshot…"), objectName="createSnapshotButton")
        self.restore_button = QPushButton(self.tr("Restore…"), objectName="restoreSnapshotButton")
        self.delete_button = QPushButton(self.tr("Delete…"), objectName="deleteSnapshotButton")
        self.status = text_label("", object_name="snapshotStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # the page of a platform without snapshots: the plain message and the commit action
        self.message = text_label("", object_name="snapshotMessage")
        self.commit_button = QPushButton(self.tr("Commit to image…"), objectName="commitButton")
        self.commit_button.setToolTip(self.tr("Save the container's filesystem as a new image (not a snapshot)"))

    def _build_layout(self) -> None:
        snapshots_page = QWidget()
        page = QVBoxLayout(snapshots_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        for button in (self.create_button, self.restore_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        page.addLayout(buttons)
        none_page = QWidget()
        none = QVBoxLayout(none_page)
        none.setContentsMargins(0, 0, 0, 0)
        none.addWidget(self.message)
        commit_row = QHBoxLayout()
        commit_row.addWidget(self.commit_button)
        commit_row.addStretch(1)
        none.addLayout(commit_row)
        none.addStretch(1)
        self.pages = QStackedWidget(objectName="snapshotPages")
        self.pages.addWidget(snapshots_page)
        self.pages.addWidget(none_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)

    # --- state ---------------------------------------------------------------------------------

    def _provider(self) -> type[Provider] | None:
        node = self.ws.node(self.instance.node_id) if self.instance is not None else None
        if node is None:
            return None
        try:
            return provider_class(node.type)
        except OcvError:
            return None

    def set_instance(self, inst: Instance | None) -> None:
        """Show this instance (None: nothing). A different instance empties the list until the
        next ``load``; the same one (a refreshed listing) keeps it."""
        same = inst is not None and self.instance is not None and inst.key == self.instance.key
        self.instance = inst
        if not same:
            self._listed_for = None
            self.snapshots = []
            self.list.clear()
            self._say("")
        provider = self._provider()
        if inst is not None and provider is not None and not provider.has_snapshots:
            self.message.setText(self._no_snapshots_text(provider))
            self.commit_button.setVisible(self._can_commit(provider))
            self.pages.setCurrentIndex(1)
        else:
            self.pages.setCurrentIndex(0)
        self._update_buttons()

    def _no_snapshots_text(self, provider: type[Provider]) -> str:
        if self._can_commit(provider):
            return self.tr(
                "Docker has no snapshots. To keep a container's filesystem, commit it to an image "
                "(volumes are not included, and the container cannot be rolled back to it)."
            )
        return self.tr("{platform} nodes have no snapshots.").format(platform=provider.type.value)

    @staticmethod
    def _can_commit(provider: type[Provider]) -> bool:
        return provider.commit_instance is not Provider.commit_instance

    def needs_load(self) -> bool:
        """Whether the shown instance has snapshots that were not listed yet."""
        provider = self._provider()
        return (
            self.instance is not None
            and provider is not None
            and provider.has_snapshots
            and self._listed_for != self.instance.key
            and self._busy is None
        )

    def selected(self) -> Snapshot | None:
        items = self.list.selectedItems()
        return items[0].data(self.NAME, SnapshotRole) if items else None

    def select(self, name: str) -> bool:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item is not None and item.text(self.NAME) == name:
                self.list.setCurrentItem(item)
                return True
        return False

    def _update_buttons(self) -> None:
        idle = self._busy is None and self.instance is not None
        self.refresh_button.setEnabled(idle)
        self.create_button.setEnabled(idle)
        self.restore_button.setEnabled(idle and self.selected() is not None)
        self.delete_button.setEnabled(idle and self.selected() is not None)
        self.commit_button.setEnabled(idle)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        set_text_colour(self.status, error_colour(self) if error else self.palette().windowText().color())

    def _start(self, name: str, coro: Any) -> asyncio.Future[Any]:
        self._busy = self.ws.run_task(name, self._guarded(coro))
        self._update_buttons()
        return self._busy

    async def _guarded(self, coro: Any) -> None:
        try:
            await coro
        finally:
            if shiboken6.isValid(self):
                self._busy = None
                self._update_buttons()
                if self.isVisible() and self.needs_load() and not self.ws.closing:
                    # another instance was chosen while this work ran: list that one now
                    self.load()

    # --- listing -------------------------------------------------------------------------------

    def load(self, *_: Any) -> asyncio.Future[Any] | None:
        inst = self.instance
        if inst is None or self._busy is not None:
            return None
        provider = self._provider()
        if provider is not None and not provider.has_snapshots:
            return None
        self._say(self.tr("Listing the snapshots…"))
        return self._start(f"ui:snapshots:{inst.node_id}:{inst.id}", self._load(inst))

    async def _load(self, inst: Instance) -> None:
        try:
            snapshots = await self.ws.list_snapshots(inst)
        except OcvError as exc:
            if shiboken6.isValid(self) and self.instance is not None and self.instance.key == inst.key:
                self._say(self.tr("The snapshots could not be listed: {error}").format(error=exc), error=True)
            return
        if not shiboken6.isValid(self) or self.instance is None or self.instance.key != inst.key:
            return
        self._show(snapshots)
        self._listed_for = inst.key
        self._say(self.tr("%n snapshot(s)", "", len(snapshots)))

    def _show(self, snapshots: list[Snapshot]) -> None:
        chosen = self.selected()
        self.snapshots = snapshots
        self.list.clear()
        yes, no = self.tr("yes"), self.tr("no")
        for snap in snapshots:
            created = snap.created.astimezone().strftime("%Y-%m-%d %H:%M") if snap.created else ""
            item = QTreeWidgetItem([snap.name, created, snap.description, yes if snap.stateful else no])
            item.setData(self.NAME, SnapshotRole, snap)
            item.setToolTip(self.DESCRIPTION, snap.description)
            self.list.addTopLevelItem(item)
        if chosen is not None:
            self.select(chosen.name)
        self._update_buttons()

    # --- take, restore, delete -----------------------------------------------------------------

    def _create(self) -> None:
        if self.instance is not None and self._busy is None:
            self._start("ui:snapshot-create", self._run_create(self.instance))

    async def _run_create(self, inst: Instance) -> None:
        provider = self._provider()
        if provider is None:
            return
        answer = await ask_snapshot(self, inst, provider)
        if answer is None:
            return
        name, description, stateful = answer
        self._say(self.tr("Taking snapshot {name}…").format(name=name))
        if await self.ws.snapshot_action(
            SnapshotAction.CREATE, inst, name, description=description, stateful=stateful
        ):
            await self._after(inst, self.tr("Snapshot {name} taken.").format(name=name), select=name)
        else:
            self._failed(self.tr("The snapshot could not be taken"), inst, name)

    def _mutate(self, action: SnapshotAction) -> None:
        snap = self.selected()
        if self.instance is not None and snap is not None and self._busy is None:
            self._start(f"ui:snapshot-{action.value}", self._run_mutation(action, self.instance, snap))

    async def _run_mutation(self, action: SnapshotAction, inst: Instance, snap: Snapshot) -> None:
        if action is SnapshotAction.RESTORE:
            sure = await ask_yes_no(
                self,
                self.tr("Restore snapshot"),
                self.tr(
                    "Roll {instance} back to snapshot {snapshot}?\n\n"
                    "All changes made to {instance} since {snapshot} are lost."
                ).format(instance=inst.name, snapshot=snap.name),
                yes=self.tr("Restore"),
                no=self.tr("Cancel"),
                destructive=True,
            )
            busy, done, failed = (
                self.tr("Restoring {name}…"),
                self.tr("Restored to {name}."),
                self.tr("The snapshot could not be restored"),
            )
        else:
            sure = await ask_yes_no(
                self,
                self.tr("Delete snapshot"),
                self.tr(
                    "Delete snapshot {snapshot} of {instance}?\n\n"
                    "The state it holds is lost: {instance} can no longer be rolled back to it."
                ).format(instance=inst.name, snapshot=snap.name),
                yes=self.tr("Delete"),
                no=self.tr("Cancel"),
                destructive=True,
            )
            busy, done, failed = (
                self.tr("Deleting {name}…"),
                self.tr("Snapshot {name} deleted."),
                self.tr("The snapshot could not be deleted"),
            )
        if not sure:
            return
        self._say(busy.format(name=snap.name))
        if await self.ws.snapshot_action(action, inst, snap.name):
            await self._after(inst, done.format(name=snap.name))
        else:
            self._failed(failed, inst, snap.name)

    def _failed(self, what: str, inst: Instance, snapshot: str) -> None:
        """The session's activity row holds the node's words (``snapshot_action`` says only
        whether it worked): show them here too, without a traceback."""
        if not shiboken6.isValid(self):
            return
        label = f"{inst.name} @ {snapshot}"  # how the session names the row
        model = getattr(self.window(), "activity_model", None)
        rows = [a for a in (model.activities() if model is not None else ()) if a.instance_name == label]
        why = rows[0].message if rows else ""  # newest first
        self._say(f"{what}: {why}" if why else what, error=True)

    async def _after(self, inst: Instance, message: str, *, select: str | None = None) -> None:
        if not shiboken6.isValid(self):
            return
        await self._load(inst)
        if shiboken6.isValid(self):
            self._say(message)
            if select:
                self.select(select)

    # --- Docker: commit to image ---------------------------------------------------------------

    def _commit(self) -> None:
        if self.instance is not None and self._busy is None:
            self._start("ui:commit-image", self._run_commit(self.instance))

    async def _run_commit(self, inst: Instance) -> None:
        ref = await ask_image_ref(self, inst)
        if ref is None:
            return
        self._say(self.tr("Committing {name} to {image}…").format(name=inst.name, image=ref))
        try:
            image = await self.ws.commit_instance(inst, ref)
        except OcvError as exc:
            if shiboken6.isValid(self):
                self._say(self.tr("The container could not be committed: {error}").format(error=exc), error=True)
            return
        if shiboken6.isValid(self):
            self._say(self.tr("Saved as image {image}.").format(image=image.name))
