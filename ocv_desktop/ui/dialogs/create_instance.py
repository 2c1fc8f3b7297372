"""The create-instance dialog (``createInstanceDialog``): every field ``instances create`` has.

The dialog stays open while the node works: Create runs ``Session.create_instance`` as a named
task, the activity panel shows its progress, and the node's error appears in the dialog with
every typed value kept, so the user fixes one field and presses Create again. It closes
(accepted, ``created`` set) only when the node says the instance exists.

The name is checked as it is typed against the platform's rule (``Provider.name_problem``), sizes
and port mappings with the parsers the CLI uses (core/specs.py); Create is enabled only when
everything reads.
"""

from __future__ import annotations

import asyncio
import shlex
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core import specs
from ocv_desktop.core.errors import InvalidInput, OcvError
from ocv_desktop.core.models import Image, Instance, InstanceSpec, InstanceType, NodeConfig, Platform
from ocv_desktop.providers.base import provider_class
from ocv_desktop.ui.dialogs.widgets import FittingDialog, error_colour, node_combo, set_text_colour, text_label
from ocv_desktop.ui.errors import localize
from ocv_desktop.ui.models.formatting import format_bytes


class CreateInstanceDialog(FittingDialog):
    def __init__(self, parent: QWidget | None, workspace: Any, node_id: str | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.created: Instance | None = None
        self._images: list[Image] = []
        self._submitting: asyncio.Future[Any] | None = None
        self.setObjectName("createInstanceDialog")
        self.setWindowTitle(self.tr("Create instance"))
        self._build_fields(node_id)
        self._build_layout()
        self._connect()
        self._node_changed()

    def _build_fields(self, node_id: str | None) -> None:
        workspace = self.ws
        self.node_combo = node_combo(workspace.nodes, node_id)
        self.type_combo = QComboBox(objectName="typeCombo")
        self.image_combo = QComboBox(objectName="imageCombo")
        self.image_combo.setEditable(True)  # a reference the node can pull (Docker) is fine too
        self.image_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.image_combo.lineEdit().setPlaceholderText(self.tr("an image of the node, or one to pull"))
        self.refresh_images_button = QPushButton(self.tr("Refresh"), objectName="refreshImagesButton")
        self.refresh_images_button.setToolTip(self.tr("List the node's images again"))
        self.refresh_images_button.setAutoDefault(False)
        self.images_state = QLabel(objectName="imagesState")
        self.name_edit = QLineEdit(objectName="nameEdit")
        self.name_problem = QLabel(objectName="nameProblem")
        self.name_problem.setWordWrap(True)
        set_text_colour(self.name_problem, error_colour(self))
        self.cpu_spin = QDoubleSpinBox(objectName="cpuSpin")
        self.cpu_spin.setRange(0, 512)
        self.cpu_spin.setDecimals(1)
        self.cpu_spin.setSingleStep(0.5)
        self.cpu_spin.setSpecialValueText(self.tr("no limit"))
        self.memory_edit = QLineEdit(objectName="memoryEdit")
        self.memory_edit.setPlaceholderText(self.tr("no limit (e.g. 512M, 2G)"))
        self.disk_edit = QLineEdit(objectName="diskEdit")
        self.disk_edit.setPlaceholderText(self.tr("platform default (e.g. 10G)"))
        self.resources_label = QLabel(objectName="nodeResources")
        self.ports_edit = QPlainTextEdit(objectName="portsEdit")
        self.ports_edit.setPlaceholderText(self.tr("one per line: host:guest/proto, e.g. 8080:80/tcp"))
        self.ports_edit.setTabChangesFocus(True)
        self.env_edit = QPlainTextEdit(objectName="envEdit")
        self.env_edit.setPlaceholderText(self.tr("one per line: KEY=VALUE"))
        self.env_edit.setTabChangesFocus(True)
        for edit in (self.ports_edit, self.env_edit):
            edit.setFixedHeight(edit.fontMetrics().height() * 3 + 12)
        self.command_edit = QLineEdit(objectName="commandEdit")
        self.command_edit.setPlaceholderText(self.tr("the image's default"))
        self.start_check = QCheckBox(self.tr("Start after creating"), objectName="startCheck")
        self.start_check.setChecked(True)
        self.problem_label = text_label("", object_name="problemLabel")
        set_text_colour(self.problem_label, error_colour(self))
        self.error_label = text_label("", object_name="errorLabel")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_text_colour(self.error_label, error_colour(self))
        self.error_label.hide()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Node:"), self.node_combo)
        form.addRow(self.tr("Type:"), self.type_combo)
        image_row = QHBoxLayout()
        image_row.addWidget(self.image_combo, 1)
        image_row.addWidget(self.refresh_images_button)
        form.addRow(self.tr("Image:"), image_row)
        form.addRow("", self.images_state)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow("", self.name_problem)
        form.addRow(self.tr("CPUs:"), self.cpu_spin)
        form.addRow(self.tr("Memory:"), self.memory_edit)
        form.addRow(self.tr("Disk:"), self.disk_edit)
        form.addRow("", self.resources_label)
        form.addRow(self.tr("Ports:"), self.ports_edit)
        form.addRow(self.tr("Environment:"), self.env_edit)
        form.addRow(self.tr("Command:"), self.command_edit)
        form.addRow("", self.start_check)
        self.ports_label = form.labelForField(self.ports_edit)
        self.command_label = form.labelForField(self.command_edit)

        self.create_button = QPushButton(self.tr("Create"), objectName="createButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._create)
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.initial_focus = self.name_edit

    def _connect(self) -> None:
        self.node_combo.currentIndexChanged.connect(self._node_changed)
        self.type_combo.currentIndexChanged.connect(self._show_images)
        self.refresh_images_button.clicked.connect(self.load_images)
        for line in (self.name_edit, self.memory_edit, self.disk_edit, self.command_edit):
            line.textChanged.connect(self._validate)
        self.image_combo.editTextChanged.connect(self._validate)
        self.ports_edit.textChanged.connect(self._validate)
        self.env_edit.textChanged.connect(self._validate)

    # --- node, type, images --------------------------------------------------------------------

    def node(self) -> NodeConfig | None:
        node_id = self.node_combo.currentData()
        return self.ws.node(node_id) if node_id else None

    def _node_changed(self) -> None:
        node = self.node()
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        if node is not None:
            names = {InstanceType.CONTAINER: self.tr("Container"), InstanceType.VM: self.tr("Virtual machine")}
            for kind in provider_class(node.type).instance_types:
                self.type_combo.addItem(names.get(kind, kind.value), kind)
        self.type_combo.blockSignals(False)
        docker = node is not None and node.type is Platform.DOCKER
        why = self.tr("Port mappings and the command are set for Docker containers only")
        for widget in (self.ports_edit, self.ports_label, self.command_edit, self.command_label):
            widget.setEnabled(docker)
            widget.setToolTip("" if docker else why)
        self._show_resources(node)
        self._images = []
        self.load_images()

    def _show_resources(self, node: NodeConfig | None) -> None:
        report = self.ws.health.get(node.id) if node is not None else None
        res = getattr(report, "resources", None)
        if res is None:
            self.resources_label.setText(self.tr("Free resources: not known yet"))
            return
        self.resources_label.setText(
            self.tr("Free on the node: {memory} of {total} memory, {disk} disk ({cores} CPUs)").format(
                cores=res.cpu_cores if res.cpu_cores is not None else "?",
                memory=format_bytes(
                    res.memory_total - res.memory_used
                    if res.memory_total is not None and res.memory_used is not None
                    else None
                ),
                total=format_bytes(res.memory_total),
                disk=format_bytes(res.disk_free),
            )
        )

    def load_images(self) -> asyncio.Future[None] | None:
        node = self.node()
        if node is None:
            return None
        self.images_state.setText(self.tr("Listing the images of {node}…").format(node=node.name))
        self.refresh_images_button.setEnabled(False)
        return self.ws.run_task("ui:create-images", self._load_images(node.id))

    async def _load_images(self, node_id: str) -> None:
        try:
            images = await self.ws.list_images(node_id)
        except OcvError as exc:
            if shiboken6.isValid(self) and self.node_combo.currentData() == node_id:
                self.images_state.setText(self.tr("The images could not be listed: {error}").format(error=exc))
            return
        finally:
            if shiboken6.isValid(self):
                self.refresh_images_button.setEnabled(True)
        if not shiboken6.isValid(self) or self.node_combo.currentData() != node_id:
            return
        self._images = images
        self.images_state.setText(self.tr("%n image(s) on the node", "", len(images)))
        self._show_images()

    def _show_images(self) -> None:
        kind = self.instance_type()
        typed = self.image_combo.currentText()
        self.image_combo.blockSignals(True)
        self.image_combo.clear()
        # Every name an image answers to (Docker: each repo:tag; LXD/Incus: each alias) is a choice.
        refs = {ref: image.id for image in self._images if kind is None or image.type == kind
                for ref in (image.name, *image.aliases) if ref}  # fmt: skip
        for ref in sorted(refs):
            self.image_combo.addItem(ref, refs[ref])
        self.image_combo.setEditText(typed)  # what the user typed is kept
        self.image_combo.blockSignals(False)
        self._validate()

    # --- reading the form ----------------------------------------------------------------------

    def _problems(self) -> list[str]:
        """What stops Create, in the order of the fields (empty: the form reads)."""
        problems: list[str] = []
        node = self.node()
        if node is None:
            return [self.tr("Add a node first.")]
        name = self.name_edit.text()
        name_problem = provider_class(node.type).name_problem(name) if name else None
        self.name_problem.setText(
            self.tr("Invalid name: {rule}").format(rule=localize(name_problem)) if name_problem else ""
        )
        self.name_problem.setVisible(bool(name_problem))
        if not name:
            problems.append(self.tr("Type a name."))
        elif name_problem:
            problems.append("")  # said under the name field already: stops Create, not repeated below
        if not self.image_combo.currentText().strip():
            problems.append(self.tr("Choose or type an image."))
        try:
            self.spec()
        except InvalidInput as exc:
            problems.append(exc.message)
        return problems

    def spec(self) -> InstanceSpec:
        """The instance the form describes (raises InvalidInput for a value that does not read)."""
        docker = (node := self.node()) is not None and node.type is Platform.DOCKER
        memory = self.memory_edit.text().strip()
        disk = self.disk_edit.text().strip()
        ports = [line for line in self.ports_edit.toPlainText().splitlines() if line.strip()] if docker else []
        env = [line for line in self.env_edit.toPlainText().splitlines() if line.strip()]
        try:
            command = tuple(shlex.split(self.command_edit.text())) if docker else ()
        except ValueError as exc:
            raise InvalidInput(f"the command does not read: {exc}") from None
        pairs = [specs.parse_env_line(line.strip()) for line in env]
        if len({k for k, _ in pairs}) != len(pairs):
            raise InvalidInput("an environment variable is given twice")
        return InstanceSpec(
            name=self.name_edit.text(),
            image=self.image_combo.currentText().strip(),
            type=self.instance_type() or InstanceType.CONTAINER,
            cpus=self.cpu_spin.value() or None,
            memory=specs.parse_size(memory) if memory else None,
            disk=specs.parse_size(disk) if disk else None,
            ports=tuple(specs.parse_port(line) for line in ports),
            env=dict(pairs),
            command=command,
            start=self.start_check.isChecked(),
        )

    def instance_type(self) -> InstanceType | None:
        data = self.type_combo.currentData()  # Qt hands a StrEnum back as its str value
        return InstanceType(data) if data else None

    def _validate(self) -> None:
        problems = self._problems()
        said = [p for p in problems if p]
        self.problem_label.setText(said[0] if said else "")
        self.problem_label.setVisible(bool(said))
        self.create_button.setEnabled(not problems and self._submitting is None)

    # --- creating ------------------------------------------------------------------------------

    def _create(self) -> None:
        node = self.node()
        if node is None or self._submitting is not None or self._problems():
            return
        self._submitting = self.ws.run_task("ui:create-instance", self._submit(node.id, self.spec()))

    async def _submit(self, node_id: str, spec: InstanceSpec) -> None:
        self.error_label.hide()
        self.create_button.setEnabled(False)
        self.create_button.setText(self.tr("Creating…"))
        try:
            self.created = await self.ws.create_instance(node_id, spec)
        except OcvError as exc:
            if not shiboken6.isValid(self):  # closed meanwhile: the activity panel has the error
                return
            self.error_label.setText(self.tr("The node refused: {error}").format(error=exc))
            self.error_label.show()
            return
        finally:
            if shiboken6.isValid(self):
                self._submitting = None
                self.create_button.setText(self.tr("Create"))
                self._validate()
        if shiboken6.isValid(self):
            self.accept()
