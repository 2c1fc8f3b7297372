"""Taking a snapshot (``createSnapshotDialog``) and committing a Docker container to an image
(``commitImageDialog``): small forms that check what is typed against the platform's rules before
anything is sent (``Provider.snapshot_name_problem``; the provider checks again)."""

from __future__ import annotations

import re
from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import Instance
from ocv_desktop.providers.base import Provider
from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.widgets import error_colour, set_text_colour, text_label

# What `docker commit` takes as the new image's name (the provider checks it again, more strictly).
_IMAGE_REF_RE = re.compile(r"^[a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$")


def default_snapshot_name(now: datetime | None = None) -> str:
    """``snap_20261208_0130``: valid on LXD, Incus and Proxmox (a letter first, '_' not '-')."""
    return (now or datetime.now()).strftime("snap_%Y%m%d_%H%M")


class CreateSnapshotDialog(QDialog):
    """Name (checked as it is typed), description where the platform keeps one, and "stateful"
    only where the platform can keep this instance's memory."""

    def __init__(self, parent: QWidget | None, inst: Instance, provider: type[Provider]) -> None:
        super().__init__(parent)
        self.setObjectName("createSnapshotDialog")
        self.setWindowTitle(self.tr("Take snapshot"))
        self._provider = provider
        self.name_edit = QLineEdit(default_snapshot_name(), objectName="snapshotName")
        self.name_edit.selectAll()
        self.problem = QLabel(objectName="snapshotNameProblem")
        self.problem.setWordWrap(True)
        set_text_colour(self.problem, error_colour(self))
        self.description = QLineEdit(objectName="snapshotDescription")
        if not provider.snapshot_descriptions:
            self.description.setEnabled(False)
            self.description.setPlaceholderText(self.tr("this platform keeps no description"))
        self.stateful = QCheckBox(self.tr("Also save the running memory (stateful)"), objectName="snapshotStateful")
        self.stateful.setVisible(provider.stateful_snapshots(inst))
        self.stateful.setToolTip(self.tr("Restoring it resumes the instance as it was running"))

        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow("", self.problem)
        form.addRow(self.tr("Description:"), self.description)
        layout = QVBoxLayout(self)
        layout.addWidget(text_label(self.tr("Snapshot of {name}").format(name=inst.name), bold=True))
        layout.addLayout(form)
        layout.addWidget(self.stateful)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self.tr("Take snapshot"), objectName="okButton")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.name_edit.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(420)

    def _check(self) -> None:
        name = self.name_edit.text().strip()
        # the rule's words are the engine's (English); the framing is ours, translated
        rule = self._provider.snapshot_name_problem(name) if name else None
        problem = self.tr("Give the snapshot a name.") if not name else None
        if rule:
            problem = self.tr("Not a valid snapshot name here: {rule}").format(rule=rule)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.ok_button.setEnabled(problem is None)

    @property
    def values(self) -> tuple[str, str, bool]:
        """(name, description, stateful) as typed."""
        stateful = self.stateful.isVisible() and self.stateful.isChecked()
        return self.name_edit.text().strip(), self.description.text().strip(), stateful


async def ask_snapshot(
    parent: QWidget | None, inst: Instance, provider: type[Provider]
) -> tuple[str, str, bool] | None:
    """(name, description, stateful), or None when cancelled."""
    dialog = CreateSnapshotDialog(parent, inst, provider)
    accepted = await run_and_dispose(dialog) == QDialog.DialogCode.Accepted
    return dialog.values if accepted else None


class CommitImageDialog(QDialog):
    def __init__(self, parent: QWidget | None, inst: Instance) -> None:
        super().__init__(parent)
        self.setObjectName("commitImageDialog")
        self.setWindowTitle(self.tr("Commit to image"))
        suggested = re.sub(r"[^a-z0-9._-]", "-", inst.name.lower()).strip("-._") or "container"
        self.ref_edit = QLineEdit(f"{suggested}:{datetime.now():%Y%m%d-%H%M}", objectName="imageRef")
        self.problem = QLabel(objectName="imageRefProblem")
        set_text_colour(self.problem, error_colour(self))
        layout = QVBoxLayout(self)
        layout.addWidget(
            text_label(
                self.tr(
                    "Save the filesystem of {name} as a new image. Volumes are not included, and the "
                    "container is paused while it is copied. This is not a snapshot: the container "
                    "cannot be rolled back to it."
                ).format(name=inst.name)
            )
        )
        form = QFormLayout()
        form.addRow(self.tr("Image name:"), self.ref_edit)
        form.addRow("", self.problem)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self.tr("Commit"), objectName="okButton")
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setObjectName("cancelButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ref_edit.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(440)

    def _check(self) -> None:
        ok = bool(_IMAGE_REF_RE.fullmatch(self.ref_edit.text().strip()))
        self.problem.setText("" if ok else self.tr("Use lower-case letters, digits, '.', '_', '-' and '/', then :tag."))
        self.problem.setVisible(not ok)
        self.ok_button.setEnabled(ok)


async def ask_image_ref(parent: QWidget | None, inst: Instance) -> str | None:
    dialog = CommitImageDialog(parent, inst)
    accepted = await run_and_dispose(dialog) == QDialog.DialogCode.Accepted
    return dialog.ref_edit.text().strip() if accepted else None
