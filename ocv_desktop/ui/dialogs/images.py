"""The images panel (``imagesPanel``): a node's images with size, created, aliases and in-use;
pull with streamed progress, delete (the node's "in use by" refusal is shown in the panel), filter.

It is a non-modal window over the session: listing, pulling and deleting are the session's
(``list_images``, ``pull_image``, ``delete_image``), run as named tasks so a newer listing replaces
an older one and closing the window cancels nothing the node is doing (the activity panel keeps
the record).
"""

from __future__ import annotations

import asyncio
from typing import Any

import shiboken6
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import Image
from ocv_desktop.services.session import image_ref
from ocv_desktop.ui.dialogs.base import ask_yes_no
from ocv_desktop.ui.dialogs.widgets import error_colour, node_combo, set_text_colour, text_label
from ocv_desktop.ui.models.formatting import format_bytes

ImageRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2


class ImagesPanel(QDialog):
    NAME, ALIASES, SIZE, CREATED, IN_USE, ID = range(6)

    def __init__(self, parent: QWidget | None, workspace: Any, node_id: str | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.setObjectName("imagesPanel")
        self.setWindowTitle(self.tr("Images"))
        self.images: list[Image] = []
        self._busy: asyncio.Future[Any] | None = None
        self._build_widgets(node_id)
        self._build_table()
        self._build_layout()
        self._connect()
        self._update_buttons()

    def _build_widgets(self, node_id: str | None) -> None:
        workspace = self.ws
        self.node_combo = node_combo(workspace.nodes, node_id)
        self.refresh_button = QPushButton(self.tr("Refresh"), objectName="refreshButton")
        self.filter_edit = QLineEdit(objectName="imageFilter")
        self.filter_edit.setPlaceholderText(self.tr("Filter by name, alias or id"))
        self.filter_edit.setClearButtonEnabled(True)
        self.pull_edit = QLineEdit(objectName="pullEdit")
        self.pull_edit.setPlaceholderText(self.tr("image to pull, e.g. debian:12 or images:debian/12"))
        self.pull_button = QPushButton(self.tr("Pull"), objectName="pullButton")
        self.delete_button = QPushButton(self.tr("Delete…"), objectName="deleteButton")
        self.progress = QProgressBar(objectName="pullProgress")
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status_label = text_label("", object_name="statusLabel")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(self.tr("Close"), objectName="closeButton")

    def _build_table(self) -> None:
        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Aliases"), self.tr("Size"), self.tr("Created"), self.tr("In use"), self.tr("Id")]
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)  # any column
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView(objectName="imageTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((220, 160, 80, 130, 70)):
            self.table.setColumnWidth(col, width)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Node:")))
        top.addWidget(self.node_combo, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.filter_edit, 1)
        pull = QHBoxLayout()
        pull.addWidget(self.pull_edit, 1)
        pull.addWidget(self.pull_button)
        pull.addSpacing(12)
        pull.addWidget(self.delete_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(pull)
        layout.addWidget(self.progress)
        layout.addLayout(bottom)
        self.resize(860, 480)

    def _connect(self) -> None:
        self.node_combo.currentIndexChanged.connect(self.load)
        self.refresh_button.clicked.connect(self.load)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.pull_edit.textChanged.connect(self._update_buttons)
        self.pull_edit.returnPressed.connect(self._pull)
        self.pull_button.clicked.connect(self._pull)
        self.delete_button.clicked.connect(self._delete)
        self.close_button.clicked.connect(self.accept)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    # --- state ---------------------------------------------------------------------------------

    def node_id(self) -> str | None:
        data = self.node_combo.currentData()
        return str(data) if data else None

    def selected_image(self) -> Image | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ImageRole) if rows else None

    def _update_buttons(self, *_: Any) -> None:
        idle = self._busy is None and self.node_id() is not None
        self.pull_button.setEnabled(idle and bool(self.pull_edit.text().strip()))
        self.delete_button.setEnabled(idle and self.selected_image() is not None)
        self.refresh_button.setEnabled(self.node_id() is not None)
        if self.node_id() is None:
            self.refresh_button.setToolTip(self.tr("Add a node first"))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        set_text_colour(self.status_label, error_colour(self) if error else self.palette().windowText().color())

    # --- listing -------------------------------------------------------------------------------

    def load(self, *_: Any) -> asyncio.Future[None] | None:
        node_id = self.node_id()
        if node_id is None:
            return None
        self._say(self.tr("Listing the images…"))
        return self.ws.run_task("ui:images-list", self._load(node_id))

    async def _load(self, node_id: str) -> None:
        try:
            images = await self.ws.list_images(node_id)
        except OcvError as exc:
            if shiboken6.isValid(self) and self.node_id() == node_id:
                self._say(self.tr("The images could not be listed: {error}").format(error=exc), error=True)
            return
        if not shiboken6.isValid(self) or self.node_id() != node_id:
            return
        self.show_images(images)
        self._say(self.tr("%n image(s)", "", len(images)))

    def show_images(self, images: list[Image]) -> None:
        self.images = images
        self.model.removeRows(0, self.model.rowCount())
        for image in images:
            self.model.appendRow(self._row(image))
        self._update_buttons()

    def _row(self, image: Image) -> list[QStandardItem]:
        in_use = {True: self.tr("yes"), False: self.tr("no"), None: self.tr("unknown")}[image.in_use]
        created = image.created.astimezone().strftime("%Y-%m-%d %H:%M") if image.created else ""
        cells = [
            (image.name, image.name),
            (", ".join(image.aliases), ", ".join(image.aliases)),
            (format_bytes(image.size), image.size or 0),
            (created, image.created.timestamp() if image.created else 0.0),
            (in_use, str(image.in_use)),
            (image.id, image.id),
        ]
        row = []
        for text, key in cells:
            item = QStandardItem(text)
            item.setData(image, ImageRole)
            item.setData(key, SortRole)
            item.setToolTip(text)
            row.append(item)
        row[self.SIZE].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return row

    def select_image(self, ref: str) -> bool:
        for row in range(self.proxy.rowCount()):
            image: Image = self.proxy.index(row, 0).data(ImageRole)
            if ref in (image.name, image.id, *image.aliases):
                self.table.selectRow(row)
                return True
        return False

    # --- pull and delete -----------------------------------------------------------------------

    def _pull(self) -> None:
        node_id, ref = self.node_id(), self.pull_edit.text().strip()
        if node_id is None or not ref or self._busy is not None:
            return
        self._busy = self.ws.run_task("ui:images-pull", self._run_pull(node_id, ref))
        self._update_buttons()

    def _progress(self, fraction: float | None, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        if fraction is None:
            self.progress.setRange(0, 0)  # busy indicator: the node gives no fraction
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(fraction * 1000))
        if message:
            self._say(message)

    async def _run_pull(self, node_id: str, ref: str) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self._say(self.tr("Pulling {image}…").format(image=ref))
        try:
            image = await self.ws.pull_image(node_id, ref, progress=self._progress)
        except OcvError as exc:
            if shiboken6.isValid(self):
                self._say(self.tr("{image} could not be pulled: {error}").format(image=ref, error=exc), error=True)
            return
        finally:
            if shiboken6.isValid(self):
                self._busy = None
                self.progress.hide()
                self._update_buttons()
        if shiboken6.isValid(self):
            self._say(self.tr("Pulled {image}.").format(image=image.name or ref))
            self.pull_edit.clear()
            if self.node_id() == node_id:
                await self._load(node_id)
                self.select_image(image.id)

    def _delete(self) -> None:
        node_id, image = self.node_id(), self.selected_image()
        if node_id is None or image is None or self._busy is not None:
            return
        self._busy = self.ws.run_task("ui:images-delete", self._run_delete(node_id, image))
        self._update_buttons()

    async def _run_delete(self, node_id: str, image: Image) -> None:
        try:
            sure = await ask_yes_no(
                self,
                self.tr("Delete image"),
                self.tr("Delete the image {image} from {node}?").format(
                    image=image_ref(image), node=self.node_combo.currentText()
                ),
                yes=self.tr("Delete"),
                no=self.tr("Cancel"),
                destructive=True,
            )
            if not sure:
                return
            self._say(self.tr("Deleting {image}…").format(image=image_ref(image)))
            try:
                await self.ws.delete_image(node_id, image)
            except OcvError as exc:
                if shiboken6.isValid(self):  # e.g. "is used by containers web-1 (running)"
                    self._say(self.tr("The node refused to delete it: {error}").format(error=exc), error=True)
                return
        finally:
            if shiboken6.isValid(self):
                self._busy = None
                self._update_buttons()
        if shiboken6.isValid(self):
            self._say(self.tr("Deleted {image}.").format(image=image_ref(image)))
            if self.node_id() == node_id:
                await self._load(node_id)
                self._say(self.tr("Deleted {image}.").format(image=image_ref(image)))
