"""Confirming the deletion of instances: every instance is named with its node, so a bulk delete
across nodes cannot surprise anyone. Cancel is the default button."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import Instance, InstanceStatus
from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.widgets import FittingDialog, headline, text_label
from ocv_desktop.ui.theme import STATUS_COLOURS, status_text

# Statuses whose instance must be stopped before the platform lets us delete it.
_ACTIVE = frozenset({InstanceStatus.RUNNING, InstanceStatus.PAUSED, InstanceStatus.FROZEN, InstanceStatus.STARTING})
VISIBLE_ROWS = 10  # the list scrolls beyond this


class ConfirmDeleteDialog(FittingDialog):
    def __init__(self, parent: QWidget | None, instances: Sequence[Instance], node_names: Mapping[str, str]) -> None:
        super().__init__(parent)
        self.setObjectName("confirmDeleteDialog")
        self.setWindowTitle(self.tr("Delete instances"))
        self.instances = tuple(instances)
        running = [i for i in self.instances if i.status in _ACTIVE]
        layout = QVBoxLayout(self)

        if len(self.instances) == 1:
            only = self.instances[0]
            question = self.tr("Delete the instance {name} on {node}?").format(
                name=only.name, node=node_names.get(only.node_id, only.node_id)
            )
        else:
            question = self.tr("Delete these {count} instances?").format(count=len(self.instances))
        warning = QStyle.StandardPixmap.SP_MessageBoxWarning
        layout.addLayout(headline(self, warning, question, object_name="questionLabel"))
        layout.addWidget(
            text_label(
                self.tr("Their disks and data are deleted too. This cannot be undone."), object_name="detailLabel"
            )
        )

        layout.addWidget(self._instance_list(node_names))

        self.running_count = len(running)
        self.stop_first = QCheckBox(self, objectName="stopFirstCheck")
        if running:
            self.stop_first.setText(
                self.tr("Stop the running instance first")
                if len(running) == 1
                else self.tr("Stop the {count} running instances first").format(count=len(running))
            )
            self.stop_first.setToolTip(self.tr("Without this, running instances are not deleted."))
            layout.addWidget(self.stop_first)
        else:
            self.stop_first.hide()

        self.delete_button = QPushButton(self.tr("Delete"), objectName="deleteButton")
        layout.addWidget(self.cancel_first_buttons(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole))
        self.setMinimumWidth(480)

    def _instance_list(self, node_names: Mapping[str, str]) -> QTreeWidget:
        self.list = QTreeWidget(objectName="instanceList")
        self.list.setHeaderLabels([self.tr("Instance"), self.tr("Node"), self.tr("Status")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setUniformRowHeights(True)
        for instance in self.instances:
            item = QTreeWidgetItem(
                [instance.name, node_names.get(instance.node_id, instance.node_id), status_text(instance.status)]
            )
            item.setForeground(2, STATUS_COLOURS[instance.status])
            item.setToolTip(0, instance.id)
            self.list.addTopLevelItem(item)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        row_height = self.list.sizeHintForRow(0) if self.instances else 20
        rows = min(len(self.instances), VISIBLE_ROWS)
        self.list.setFixedHeight(header.sizeHint().height() + row_height * rows + 2 * self.list.frameWidth() + 2)
        return self.list

    @property
    def stop_running_first(self) -> bool:
        return self.running_count > 0 and self.stop_first.isChecked()


async def confirm_delete(
    parent: QWidget | None, instances: Sequence[Instance], node_names: Mapping[str, str]
) -> tuple[bool, bool]:
    """Ask before deleting ``instances`` (``node_names``: node id -> name). Returns
    (confirmed, stop_running_first); the checkbox appears only when some of them run."""
    if not instances:
        return (False, False)
    dialog = ConfirmDeleteDialog(parent, instances, node_names)
    confirmed = await run_and_dispose(dialog) == QDialog.DialogCode.Accepted
    return (confirmed, confirmed and dialog.stop_running_first)
