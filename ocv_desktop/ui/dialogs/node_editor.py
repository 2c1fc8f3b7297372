"""Adding and editing a node.

The dialog builds a ``NodeConfig`` from its fields on every change and checks it with
``core.nodes.validate_node``, the function that checks ``config.yaml`` when it loads; so the
dialog accepts exactly what the config file accepts, with the same messages (DESIGN.md: one way to
do a thing). Each message appears under its field once the user has touched the field (or the
field has content); OK stays disabled while any problem remains, and the line above the buttons
names the fields still to fill in.

Only the fields that apply to the chosen platform are shown, and only those end up in the node:
switching from Proxmox to Docker drops the Proxmox settings instead of keeping invisible values.

Secrets (SSH password, key passphrase, Proxmox token secret and password) are typed into fields
that never echo. They are returned by ``secrets()`` and never put into the ``NodeConfig``; when
editing, an empty secret field means "keep the stored one" (``None`` in ``NodeSecrets``).

For LXD/Incus the dialog also enrols (``enroller``: ``Session.enroll``, the code behind ``nodes
enroll``): with a pasted trust token or over SSH; the server certificate is shown at first contact
and pinned only when the user presses *Pin and enrol*. The result (endpoint, certificate paths,
pin) fills the form and is saved with the node.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QDir, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import CertificateUnknown
from ocv_desktop.core.models import (
    AuthMethod,
    CheckKind,
    CheckStatus,
    ExecutionRule,
    HealthReport,
    NodeConfig,
    NodeSecrets,
    Platform,
    new_node_id,
)
from ocv_desktop.core.nodes import ApiLogin, api_login_of, node_fields, uses_api_address, validate_node
from ocv_desktop.services.nodes import duplicate_name_message
from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.trust import certificate_fingerprint_lines
from ocv_desktop.ui.dialogs.widgets import (
    FittingDialog,
    error_colour,
    fit_height,
    mono_label,
    scrolling_body,
    set_text_colour,
    text_label,
)
from ocv_desktop.ui.errors import error_text, localize
from ocv_desktop.ui.icons import PLATFORM_NAMES, platform_icon

if TYPE_CHECKING:
    from ocv_desktop.providers.lxd_family.enrollment import EnrollResult  # brings httpx (issue 15)

_TAG_SEPARATORS = re.compile(r"[,，、]")  # ASCII comma, full-width comma, ideographic comma


@dataclass
class _Row:
    """One form row: its label, the input, and the inline error under it."""

    form: QFormLayout
    label: QLabel
    container: QWidget
    error: QLabel
    visible: bool = True
    fields: tuple[str, ...] = field(default=())


class NodeEditorDialog(FittingDialog):
    """Add a node (``existing=None``) or edit one. ``taken_names``: names of the other nodes.
    ``local``: start in "this computer" mode for that platform (from the welcome panel), with
    ``local_endpoint`` (a ``unix://`` socket URL) as the API endpoint for LXD/Incus."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        existing: NodeConfig | None = None,
        taken_names: frozenset[str] = frozenset(),
        local: Platform | None = None,
        local_endpoint: str | None = None,
        tester: Tester | None = None,
        enroller: Enroller | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("nodeEditor")
        self._tester = tester
        self._enroller = enroller
        self._enrolled: NodeConfig | None = None  # what the last enrolment made (endpoint, cert, pin)
        self._offered_pin: str | None = None  # the server certificate shown at first contact
        self._enrolling = False
        self._existing = existing
        self._taken = frozenset(taken_names) - ({existing.name} if existing else set())
        self._node_id = existing.id if existing else new_node_id()
        self._touched: set[str] = set()
        self._rows: dict[str, _Row] = {}
        self._result: NodeConfig | None = None
        self._secrets = NodeSecrets()
        self._problems: list[tuple[str, str]] = []
        self._rows_changed = False
        if existing is not None:
            self.setWindowTitle(self.tr("Edit node {name}").format(name=existing.name))
        else:
            self.setWindowTitle(self.tr("Add node"))
        self._build()
        self._load(existing or self._new_node(local, local_endpoint))
        self._connect_changes()
        self._update()
        self.initial_focus = self.name_edit

    # --- the result -------------------------------------------------------------------------------

    def node(self) -> NodeConfig:
        """The node as entered; only valid after the dialog was accepted."""
        if self._result is None:
            raise RuntimeError("NodeEditorDialog.node() is only valid after the dialog was accepted")
        return self._result

    def secrets(self) -> NodeSecrets:
        """The secrets the user typed for this node; None for every field left empty (on edit:
        keep the stored value). Only secrets that the chosen settings use are returned."""
        return self._secrets

    def problems(self) -> list[tuple[str, str]]:
        """The current problems as (config field, message): what keeps OK disabled."""
        return list(self._problems)

    def accept(self) -> None:
        self._update()
        if self._problems:  # Enter in a field while invalid: show every message instead
            self._touched.update(f for f, _ in self._problems)
            self._update()
            return
        self._result = self._candidate()
        self._secrets = self._candidate_secrets()
        super().accept()

    # --- building the form ------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addSpacing(12)
        columns.addLayout(right, 1)
        scrolling_body(outer).addLayout(columns)
        left.addWidget(self._build_general())
        left.addWidget(self._build_ssh())
        left.addStretch(1)
        right.addWidget(self._build_api())
        right.addWidget(self._build_options())
        right.addStretch(1)
        self._build_buttons(outer)

    def _build_general(self) -> QGroupBox:
        self.general_group, general = self._group(self.tr("Node"), "generalGroup")
        self.name_edit = self._line("nameEdit")
        self._add_row(general, "name", self.tr("&Name:"), self.name_edit, ("name", "id"))
        self.platform_combo = QComboBox(objectName="platformCombo")
        for platform, label in PLATFORM_NAMES.items():
            self.platform_combo.addItem(platform_icon(platform), label, platform)
        self._add_row(general, "type", self.tr("&Platform:"), self.platform_combo)
        self.local_check = QCheckBox(self.tr("This computer (commands run here, no SSH)"), objectName="localCheck")
        self._add_row(general, "local", "", self.local_check)
        self.sudo_check = QCheckBox(self.tr("Use sudo -n (for a user other than root)"), objectName="sudoCheck")
        self._add_row(general, "use_sudo", "", self.sudo_check)
        self.tags_edit = self._line("tagsEdit", self.tr("comma-separated, e.g. production, eu-west"))
        self._add_row(general, "tags", self.tr("&Tags:"), self.tags_edit)
        return self.general_group

    def _build_ssh(self) -> QGroupBox:
        self.ssh_group, ssh = self._group(self.tr("SSH"), "sshGroup")
        self.host_edit = self._line("hostEdit", self.tr("host name or IP address"))
        self._add_row(ssh, "host", self.tr("&Host:"), self.host_edit)
        self.port_spin = QSpinBox(objectName="portSpin")
        self.port_spin.setRange(1, 65535)
        self._add_row(ssh, "port", self.tr("P&ort:"), self.port_spin)
        self.user_edit = self._line("userEdit")
        self._add_row(ssh, "username", self.tr("&User name:"), self.user_edit)
        self.auth_combo = QComboBox(objectName="authCombo")
        self.auth_combo.addItem(self.tr("SSH agent"), AuthMethod.AGENT)
        self.auth_combo.addItem(self.tr("Key file"), AuthMethod.KEY)
        self.auth_combo.addItem(self.tr("Password"), AuthMethod.PASSWORD)
        self._add_row(ssh, "auth", self.tr("&Log in with:"), self.auth_combo)
        self.key_edit = self._line("keyPathEdit", "~/.ssh/id_ed25519")
        self._add_row(ssh, "key_path", self.tr("&Key file:"), self._with_browse(self.key_edit, self._browse_key))
        self.passphrase_edit = self._secret("passphraseEdit")
        self._add_row(ssh, "key_passphrase", self.tr("Key p&assphrase:"), self.passphrase_edit)
        self.password_edit = self._secret("passwordEdit")
        self._add_row(ssh, "ssh_password", self.tr("Pass&word:"), self.password_edit)
        return self.ssh_group

    def _build_api(self) -> QGroupBox:
        self.api_group, api = self._group(self.tr("API"), "apiGroup")
        self.endpoint_edit = self._line("endpointEdit")
        self._add_row(api, "api_endpoint", self.tr("&Endpoint:"), self.endpoint_edit)
        self.pve_login_combo = QComboBox(objectName="proxmoxLoginCombo")
        self.pve_login_combo.addItem(self.tr("API token (recommended)"), ApiLogin.TOKEN.value)
        self.pve_login_combo.addItem(self.tr("User and password"), ApiLogin.PASSWORD.value)
        self.pve_login_combo.addItem(self.tr("No API (SSH only)"), ApiLogin.NONE.value)
        self._add_row(api, "proxmox_login", self.tr("API log&in:"), self.pve_login_combo)
        self.token_id_edit = self._line("tokenIdEdit", "root@pam!ocv")
        self._add_row(api, "api_token_id", self.tr("Token I&D:"), self.token_id_edit)
        self.token_secret_edit = self._secret("tokenSecretEdit")
        self._add_row(api, "api_token_secret", self.tr("Token &secret:"), self.token_secret_edit)
        self.api_user_edit = self._line("apiUserEdit", "root@pam")
        self._add_row(api, "api_user", self.tr("API use&r:"), self.api_user_edit)
        self.api_password_edit = self._secret("apiPasswordEdit")
        self._add_row(api, "api_password", self.tr("API passwor&d:"), self.api_password_edit)
        self.pve_node_edit = self._line("proxmoxNodeEdit", self.tr("found automatically"))
        self._add_row(api, "proxmox_node", self.tr("Prox&mox node:"), self.pve_node_edit)
        self.cert_edit = self._line("clientCertEdit", self.tr("PEM file"))
        self._add_row(
            api, "client_cert", self.tr("Client &certificate:"), self._with_browse(self.cert_edit, self._browse_cert)
        )
        self.cert_key_edit = self._line("clientKeyEdit", self.tr("PEM file"))
        self._add_row(
            api, "client_key", self.tr("Client ke&y:"), self._with_browse(self.cert_key_edit, self._browse_cert_key)
        )
        self._add_row(api, "enrol_note", "", self._build_enrolment())
        self.ca_edit = self._line("caFileEdit", self.tr("none: pin the server certificate"))
        self._add_row(api, "ca_file", self.tr("CA &file:"), self._with_browse(self.ca_edit, self._browse_ca))
        self.pin_label = mono_label("", object_name="pinLabel")
        self._add_row(api, "server_cert_fingerprint", self.tr("Pinned certificate:"), self.pin_label)
        return self.api_group

    def _build_enrolment(self) -> QWidget:
        """LXD/Incus enrolment, as ``ocv-desktop nodes enroll`` does it: a client certificate is
        made, the server's certificate pinned (its fingerprint shown first), and the certificate
        trusted with a pasted trust token or over SSH. The result fills the fields above."""
        box = QWidget(objectName="enrolBox")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.enrol_note = text_label(
            self.tr(
                "No certificate yet? Leave both empty and enrol: a client certificate is created and the "
                "server is made to trust it, with a trust token (on the server: `incus config trust add "
                "NAME` or `lxc config trust add`) or over SSH."
            ),
            object_name="enrolNote",
        )
        column.addWidget(self.enrol_note)
        self.token_edit = self._line("trustTokenEdit", self.tr("paste the trust token here"))
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)  # a token is a one-time secret
        self.token_edit.textChanged.connect(lambda _: self._update_enrol_buttons())
        column.addWidget(self.token_edit)
        buttons = QHBoxLayout()
        self.enrol_token_button = QPushButton(self.tr("Enrol with &token"), objectName="enrolTokenButton")
        self.enrol_token_button.clicked.connect(lambda: self._enrol(with_token=True))
        self.enrol_ssh_button = QPushButton(self.tr("Enrol over SS&H"), objectName="enrolSshButton")
        self.enrol_ssh_button.clicked.connect(lambda: self._enrol(with_token=False))
        self.enrol_pin_button = QPushButton(self.tr("&Pin and enrol"), objectName="enrolPinButton")
        self.enrol_pin_button.setToolTip(
            self.tr("Trust exactly this server certificate (compare its fingerprint first) and enrol")
        )
        self.enrol_pin_button.clicked.connect(self._enrol_pinned)
        self.enrol_pin_button.hide()
        for button in (self.enrol_token_button, self.enrol_ssh_button, self.enrol_pin_button):
            button.setAutoDefault(False)
        buttons.addWidget(self.enrol_token_button)
        buttons.addWidget(self.enrol_ssh_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.enrol_status = text_label("", object_name="enrolStatus")
        self.enrol_status.setTextFormat(Qt.TextFormat.PlainText)
        self.enrol_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.enrol_status.hide()
        column.addWidget(self.enrol_status)
        # the fingerprint to compare, in the monospace lines the trust dialog uses
        self.enrol_fingerprint = mono_label("", object_name="enrolFingerprint")
        self.enrol_fingerprint.hide()
        column.addWidget(self.enrol_fingerprint)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.enrol_pin_button)
        pin_row.addStretch(1)
        column.addLayout(pin_row)
        return box

    def _build_options(self) -> QGroupBox:
        self.options_group, options = self._group(self.tr("Options"), "optionsGroup")
        self.rule_combo = QComboBox(objectName="ruleCombo")
        self.rule_combo.addItem(self.tr("Automatic (API when possible, else SSH)"), ExecutionRule.AUTO)
        self.rule_combo.addItem(self.tr("API only"), ExecutionRule.API_ONLY)
        self.rule_combo.addItem(self.tr("SSH only"), ExecutionRule.SSH_ONLY)
        self._add_row(options, "execution_rule", self.tr("E&xecution:"), self.rule_combo)
        self.notes_edit = QPlainTextEdit(objectName="notesEdit")
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on (keyboard users), as in every other field
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * 4 + 12)
        self._add_row(options, "notes", self.tr("Notes:"), self.notes_edit)
        return self.options_group

    def _build_buttons(self, outer: QVBoxLayout) -> None:
        self.problems_label = text_label("", object_name="problemsLabel")
        set_text_colour(self.problems_label, error_colour(self))
        outer.addWidget(self.problems_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setText(self.tr("Save") if self._existing else self.tr("Add node"))
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("cancelButton")
        self.test_results = text_label("", object_name="testResults")
        self.test_results.setTextFormat(Qt.TextFormat.PlainText)
        self.test_results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_results.hide()
        outer.addWidget(self.test_results)
        self.test_button = QPushButton(self.tr("&Test connection"), objectName="testConnectionButton")
        self.test_button.setToolTip(self.tr("Run the health check with these settings now; nothing is saved"))
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self._test_connection)
        self.test_button.setVisible(self._tester is not None)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    def _group(self, title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(title, objectName=name)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return group, form

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(objectName=name)
        edit.setPlaceholderText(placeholder)
        return edit

    def _secret(self, name: str) -> QLineEdit:
        edit = self._line(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)  # no echo, no copy out, no input method
        edit.setPlaceholderText(
            self.tr("empty: keep the saved one") if self._existing else self.tr("stored in the system keyring")
        )
        return edit

    def _with_browse(self, edit: QLineEdit, browse: Callable[[], None]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QToolButton(objectName=f"{edit.objectName()}Browse")  # a tool button is never the default
        button.setText(self.tr("Browse…"))
        button.setToolTip(self.tr("Choose a file"))
        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    def _add_row(self, form: QFormLayout, key: str, label: str, widget: QWidget, fields: tuple[str, ...] = ()) -> None:
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = text_label("", object_name=f"{key}Error")
        set_text_colour(error, error_colour(self))
        error.hide()
        column.addWidget(error)
        label_widget = QLabel(label)
        buddy = widget if isinstance(widget, QLineEdit) else (widget.findChild(QLineEdit) or widget)
        label_widget.setBuddy(buddy)  # Alt+<mnemonic> of the label focuses the input
        form.addRow(label_widget, container)
        self._rows[key] = _Row(form, label_widget, container, error, fields=fields or (key,))

    # --- loading and reading values ---------------------------------------------------------------

    def _new_node(self, local: Platform | None, local_endpoint: str | None) -> NodeConfig:
        if local is None:
            return NodeConfig(name="", type=Platform.DOCKER, host="", id=self._node_id)
        base = socket.gethostname() or "localhost"
        name = f"{base} ({PLATFORM_NAMES[local]})"
        n = 2
        while name in self._taken:
            name = f"{base} ({PLATFORM_NAMES[local]} {n})"
            n += 1
        endpoint = local_endpoint if local in (Platform.LXD, Platform.INCUS) else None
        return NodeConfig(name=name, type=local, host="localhost", id=self._node_id, local=True, api_endpoint=endpoint)

    def _load(self, node: NodeConfig) -> None:
        self.name_edit.setText(node.name)
        self.platform_combo.setCurrentIndex(self.platform_combo.findData(node.type))
        self.local_check.setChecked(node.local)
        self.sudo_check.setChecked(node.use_sudo)
        self.tags_edit.setText(", ".join(node.tags))
        self.host_edit.setText("" if node.local and node.host == "localhost" else node.host)
        self.port_spin.setValue(node.port)
        self.user_edit.setText(node.username)
        self.auth_combo.setCurrentIndex(self.auth_combo.findData(node.auth))
        self.key_edit.setText(node.key_path or "")
        self.endpoint_edit.setText(node.api_endpoint or "")
        login = api_login_of(node)
        if login is ApiLogin.NONE and self._existing is None:
            login = ApiLogin.TOKEN  # a new node starts with the recommended login
        self.pve_login_combo.setCurrentIndex(self.pve_login_combo.findData(login.value))
        self.token_id_edit.setText(node.api_token_id or "")
        self.api_user_edit.setText(node.api_user or "")
        self.pve_node_edit.setText(node.proxmox_node or "")
        self.cert_edit.setText(node.client_cert or "")
        self.cert_key_edit.setText(node.client_key or "")
        self.ca_edit.setText(node.ca_file or "")
        self.rule_combo.setCurrentIndex(self.rule_combo.findData(node.execution_rule))
        self.notes_edit.setPlainText(node.notes)
        if self._existing is not None:  # everything the user sees is their own input: show all messages
            self._touched.update(f for row in self._rows.values() for f in row.fields)

    def _connect_changes(self) -> None:
        def touch(*fields: str) -> Callable[..., None]:
            def handler(*_: object) -> None:
                self._touched.update(fields)
                self._update()

            return handler

        self.name_edit.textEdited.connect(touch("name"))
        self.tags_edit.textEdited.connect(touch("tags"))
        self.host_edit.textEdited.connect(touch("host"))
        self.port_spin.valueChanged.connect(touch("port"))
        self.user_edit.textEdited.connect(touch("username"))
        self.key_edit.textChanged.connect(touch("key_path"))
        self.endpoint_edit.textEdited.connect(touch("api_endpoint"))
        self.token_id_edit.textEdited.connect(touch("api_token_id"))
        self.api_user_edit.textEdited.connect(touch("api_user"))
        self.cert_edit.textChanged.connect(touch("client_cert", "client_key"))
        self.cert_key_edit.textChanged.connect(touch("client_cert", "client_key"))
        self.ca_edit.textChanged.connect(touch("ca_file"))
        self.rule_combo.currentIndexChanged.connect(touch("execution_rule"))
        for widget in (self.platform_combo, self.auth_combo, self.pve_login_combo):
            widget.currentIndexChanged.connect(touch())
        self.local_check.toggled.connect(touch())
        for edit in (self.passphrase_edit, self.password_edit, self.token_secret_edit, self.api_password_edit):
            edit.textEdited.connect(touch())

    @property
    def platform(self) -> Platform:
        return Platform(self.platform_combo.currentData())

    @property
    def _auth(self) -> AuthMethod:
        return AuthMethod(self.auth_combo.currentData())

    @property
    def _pve_login(self) -> ApiLogin:
        return ApiLogin(self.pve_login_combo.currentData())

    def _uses_api_address(self) -> bool:
        return uses_api_address(self.platform, self._pve_login)

    def _fields(self) -> frozenset[str]:
        """The settings and secrets the current choices use (core/nodes.py has the table)."""
        local = self.local_check.isChecked()
        return node_fields(self.platform, local=local, auth=self._auth, api_login=self._pve_login)

    def _candidate(self) -> NodeConfig:
        """The node as the fields say now (possibly invalid); a field the choices do not use is None."""
        local, uses = self.local_check.isChecked(), self._fields()
        base = self._existing
        auth = self._auth if not local else (base.auth if base else AuthMethod.AGENT)

        def text(key: str, edit: QLineEdit) -> str | None:
            return _text_or_none(edit) if key in uses else None

        node = NodeConfig(
            id=self._node_id,
            name=self.name_edit.text().strip(),
            type=self.platform,
            host="localhost" if local else self.host_edit.text().strip(),
            port=self.port_spin.value(),
            username=self.user_edit.text().strip(),
            auth=auth,
            key_path=_text_or_none(self.key_edit) if auth is AuthMethod.KEY else None,
            use_sudo=self.sudo_check.isChecked(),
            local=local,
            api_endpoint=text("api_endpoint", self.endpoint_edit),
            api_user=text("api_user", self.api_user_edit),
            api_token_id=text("api_token_id", self.token_id_edit),
            proxmox_node=text("proxmox_node", self.pve_node_edit),
            client_cert=text("client_cert", self.cert_edit),
            client_key=text("client_key", self.cert_key_edit),
            ca_file=text("ca_file", self.ca_edit),
            execution_rule=ExecutionRule(self.rule_combo.currentData()),
            tags=tuple(t.strip() for t in _TAG_SEPARATORS.split(self.tags_edit.text()) if t.strip()),
            notes=self.notes_edit.toPlainText(),
        )
        return node.replace(server_cert_fingerprint=self._kept_pin(node))

    def _kept_pin(self, node: NodeConfig) -> str | None:
        """The pinned certificate stays only while the API address it was pinned for stays."""
        done = self._enrolled
        if done is not None and (node.api_endpoint, node.host, node.type) == (done.api_endpoint, done.host, done.type):
            return done.server_cert_fingerprint
        old = self._existing
        if old is None or old.server_cert_fingerprint is None or not self._uses_api_address():
            return None
        if (node.api_endpoint, node.host, node.type) != (old.api_endpoint, old.host, old.type):
            return None
        return old.server_cert_fingerprint

    def _candidate_secrets(self) -> NodeSecrets:
        uses = self._fields()

        def secret(key: str, edit: QLineEdit) -> str | None:
            return _secret_or_none(edit) if key in uses else None

        return NodeSecrets(
            ssh_password=secret("ssh_password", self.password_edit),
            key_passphrase=secret("key_passphrase", self.passphrase_edit),
            api_token_secret=secret("api_token_secret", self.token_secret_edit),
            api_password=secret("api_password", self.api_password_edit),
        )

    # --- testing the connection ------------------------------------------------------------------

    def _test_connection(self) -> None:
        self._update()
        if self._tester is None or self._problems:
            return
        self.test_button.setEnabled(False)
        self.test_results.setText(self.tr("Testing the connection…"))
        self.test_results.show()
        future = self._tester(self._candidate(), self._candidate_secrets())
        future.add_done_callback(self._tested)

    def _tested(self, future: asyncio.Future[HealthReport]) -> None:
        if not shiboken6.isValid(self):
            return
        self.test_button.setEnabled(not self._problems)
        if future.cancelled():
            self.test_results.setText(self.tr("The test was cancelled."))
            return
        error = future.exception()
        if error is not None:
            self.test_results.setText(self.tr("The test failed: {error}").format(error=error_text(error)))
            return
        report = future.result()
        names = {CheckKind.SSH: self.tr("SSH"), CheckKind.API: self.tr("API"), CheckKind.SERVICE: self.tr("Service")}
        lines = []
        for check in report.checks:
            if check.status is CheckStatus.ONLINE:
                line = self.tr("{check}: OK").format(check=names.get(check.kind, check.kind.value))
                if check.detail:
                    line += f" ({check.detail})"
            elif check.status is CheckStatus.NOT_CHECKED:
                line = self.tr("{check}: not checked ({why})").format(
                    check=names.get(check.kind, check.kind.value), why=localize(check.error or "-")
                )
            else:
                line = self.tr("{check}: FAILED: {error}").format(
                    check=names.get(check.kind, check.kind.value), error=localize(check.error or "")
                )
            lines.append(line)
        self.test_results.setText("\n".join(lines) or self.tr("No check applies to this node."))
        bad = any(c.status is CheckStatus.OFFLINE for c in report.checks)
        set_text_colour(self.test_results, error_colour(self) if bad else self.palette().windowText().color())
        fit_height(self)

    # --- enrolment (LXD/Incus) ------------------------------------------------------------------

    def _can_enrol_over_ssh(self) -> bool:
        return not self.local_check.isChecked() and bool(
            self.host_edit.text().strip() and self.user_edit.text().strip()
        )

    def _update_enrol_buttons(self) -> None:
        ready = self._enroller is not None and not self._problems and not self._enrolling
        self.enrol_token_button.setEnabled(ready and bool(self.token_edit.text().strip()))
        self.enrol_ssh_button.setEnabled(ready and self._can_enrol_over_ssh())
        self.enrol_pin_button.setEnabled(ready)
        if self._enroller is None:
            why = self.tr("Enrolment runs from the main window")
        elif self._problems:
            why = self.tr("Fill in the fields above first")
        else:
            why = ""
        self.enrol_token_button.setToolTip(
            why or (self.tr("Paste a trust token first") if not self.token_edit.text().strip() else
                    self.tr("Create a client certificate and have the server trust it with this token"))
        )  # fmt: skip
        self.enrol_ssh_button.setToolTip(
            why or (self.tr("Needs the SSH host and user name") if not self._can_enrol_over_ssh() else
                    self.tr("Create a client certificate and add it to the server's trust list over SSH"))
        )  # fmt: skip

    def _enrol(self, *, with_token: bool, accept: str | None = None) -> None:
        self._update()
        if self._enroller is None or self._problems:
            return
        self._enrol_with_token = with_token
        token = self.token_edit.text().strip() if with_token else None
        self._enrolling = True
        self.enrol_pin_button.hide()
        self.enrol_fingerprint.hide()
        self._show_enrol_status(
            self.tr("Enrolling with the trust token…") if with_token else self.tr("Enrolling over SSH…"), bad=False
        )
        self._update_enrol_buttons()
        # empty certificate fields: enrol() makes a new pair; an empty endpoint: https://HOST:8443
        future = self._enroller(self._candidate(), self._candidate_secrets(), token, accept)
        future.add_done_callback(self._enrolled_done)

    def _enrol_pinned(self) -> None:
        self._enrol(with_token=self._enrol_with_token, accept=self._offered_pin)

    def _enrolled_done(self, future: asyncio.Future[EnrollResult]) -> None:
        if not shiboken6.isValid(self):
            return
        self._enrolling = False
        try:
            self._after_enrolment(future)
        finally:
            self._update_enrol_buttons()
            fit_height(self)

    def _after_enrolment(self, future: asyncio.Future[EnrollResult]) -> None:
        if future.cancelled():
            self._show_enrol_status(self.tr("The enrolment was cancelled."), bad=True)
            return
        error = future.exception()
        if isinstance(error, CertificateUnknown):
            self._offered_pin = error.fingerprint
            self._show_enrol_status(
                self.tr(
                    "First contact with {address}. Compare this SHA-256 fingerprint with the server's "
                    "(`incus info` or `lxc info`: certificate_fingerprint), then pin it:"
                ).format(address=f"{error.host}:{error.port}"),
                bad=False,
            )
            self.enrol_fingerprint.setText(certificate_fingerprint_lines(error.fingerprint))
            self.enrol_fingerprint.show()
            self.enrol_pin_button.show()
            return
        if error is not None:
            self._show_enrol_status(self.tr("The enrolment failed: {error}").format(error=error_text(error)), bad=True)
            return
        result = future.result()
        self._enrolled = result.node
        self.endpoint_edit.setText(result.node.api_endpoint or "")
        self.cert_edit.setText(result.node.client_cert or "")
        self.cert_key_edit.setText(result.node.client_key or "")
        self.token_edit.clear()  # single use
        how = {
            "token": self.tr("with the trust token"),
            "ssh": self.tr("over SSH"),
            "already-trusted": self.tr("it trusted this certificate already"),
        }.get(result.method, result.method)
        self._show_enrol_status(
            self.tr("Enrolled: {server} trusts this app ({how}). Save the node to keep it.").format(
                server=result.server, how=how
            ),
            bad=False,
        )
        self._update()

    def _show_enrol_status(self, text: str, *, bad: bool) -> None:
        self.enrol_status.setText(text)
        set_text_colour(self.enrol_status, error_colour(self) if bad else self.palette().windowText().color())
        self.enrol_status.show()

    # --- showing the state ------------------------------------------------------------------------

    def _update(self) -> None:
        self._update_visibility()
        node = self._candidate()
        problems = validate_node(node)
        if node.name and node.name in self._taken:
            problems.append(("name", duplicate_name_message(node.name)))
        self._problems = problems
        self._show_problems(problems)
        self.ok_button.setEnabled(not problems)
        self.test_button.setEnabled(not problems)
        self._update_enrol_buttons()
        self._update_pin(node)
        fit_height(self, shrink=self._rows_changed)  # messages came or went, rows were shown or hidden

    def _show_problems(self, problems: list[tuple[str, str]]) -> None:
        by_row: dict[str, list[str]] = {}
        untouched: list[str] = []
        elsewhere: list[str] = []
        for name, message in problems:
            row_key = next((k for k, row in self._rows.items() if name in row.fields), None)
            row = self._rows.get(row_key) if row_key else None
            if row is None or not row.visible:
                elsewhere.append(f"{name}: {message}")
            elif name in self._touched:
                by_row.setdefault(row_key, []).append(message)  # type: ignore[arg-type]
            else:
                untouched.append(_plain_label(row.label.text()) or name)
        for key, row in self._rows.items():
            messages = by_row.get(key)
            row.error.setText("\n".join(messages or ()))
            row.error.setVisible(bool(messages))
        lines = list(elsewhere)
        if untouched:
            lines.append(self.tr("Still needed: {fields}").format(fields=", ".join(dict.fromkeys(untouched))))
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))

    def _set_row_visible(self, key: str, visible: bool) -> None:
        row = self._rows[key]
        row.visible = visible
        row.form.setRowVisible(row.container, visible)

    def _update_visibility(self) -> None:
        before = tuple(row.visible for row in self._rows.values())
        self._apply_visibility()
        self._rows_changed = before != tuple(row.visible for row in self._rows.values())

    def _apply_visibility(self) -> None:
        platform, local, uses = self.platform, self.local_check.isChecked(), self._fields()
        self.ssh_group.setVisible(not local)
        self.api_group.setVisible(platform is not Platform.DOCKER)
        # Rows named after a field show when the table (core/nodes.py) says the field applies;
        # the pin row shows only when a pin exists (_update_pin).
        extra = {"proxmox_login": platform is Platform.PROXMOX, "enrol_note": "client_cert" in uses}
        for key in self._rows:
            if key != "server_cert_fingerprint":
                self._set_row_visible(key, extra.get(key, key in uses))
        self.endpoint_edit.setPlaceholderText(self._endpoint_placeholder())

    def _endpoint_placeholder(self) -> str:
        platform, local = self.platform, self.local_check.isChecked()
        host = self.host_edit.text().strip() or "HOST"
        host = f"[{host}]" if ":" in host else host
        if platform is Platform.PROXMOX:
            return self.tr("default: {url}").format(url=f"https://{host}:8006/api2/json")
        if local:
            return self.tr("default: the local unix socket")
        return self.tr("default with a client certificate: {url}").format(url=f"https://{host}:8443")

    def _update_pin(self, node: NodeConfig) -> None:
        pin = node.server_cert_fingerprint
        self._set_row_visible("server_cert_fingerprint", pin is not None)
        if pin:
            self.pin_label.setText(certificate_fingerprint_lines(pin))

    # --- file pickers (non-modal; the chosen path lands in the field) -----------------------------

    def _pick_file(self, edit: QLineEdit, title: str, start: Path) -> None:
        current = edit.text().strip()
        folder = Path(current).expanduser().parent if current else start
        dialog = QFileDialog(self, title, str(folder))
        dialog.setObjectName("filePicker")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        # Private keys live in hidden folders (~/.ssh); show hidden files so they can be picked.
        dialog.setFilter(dialog.filter() | QDir.Filter.Hidden)
        dialog.fileSelected.connect(edit.setText)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _browse_key(self) -> None:
        self._pick_file(self.key_edit, self.tr("Choose the SSH private key"), Path.home() / ".ssh")

    def _browse_cert(self) -> None:
        self._pick_file(self.cert_edit, self.tr("Choose the client certificate"), Path.home())

    def _browse_cert_key(self) -> None:
        self._pick_file(self.cert_key_edit, self.tr("Choose the client key"), Path.home())

    def _browse_ca(self) -> None:
        self._pick_file(self.ca_edit, self.tr("Choose the CA certificate"), Path.home())


def _plain_label(text: str) -> str:
    """A form label without its mnemonic and colon: "&Name:" -> "Name", "名称(&N)：" -> "名称"."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "").strip().rstrip(":：").strip()


def _text_or_none(edit: QLineEdit) -> str | None:
    return edit.text().strip() or None


def _secret_or_none(edit: QLineEdit) -> str | None:
    return edit.text() or None  # secrets are taken exactly as typed (spaces may be part of them)


Tester = Callable[[NodeConfig, NodeSecrets], "asyncio.Future[HealthReport]"]
# (node, typed secrets, trust token or None for SSH, accepted server fingerprint) -> the enrolment
Enroller = Callable[[NodeConfig, NodeSecrets, "str | None", "str | None"], "asyncio.Future[EnrollResult]"]


async def run_node_editor(
    parent: QWidget | None,
    *,
    existing: NodeConfig | None = None,
    taken_names: frozenset[str] = frozenset(),
    local: Platform | None = None,
    local_endpoint: str | None = None,
    tester: Tester | None = None,
    enroller: Enroller | None = None,
) -> tuple[NodeConfig, NodeSecrets] | None:
    """Open the editor and wait: (node, typed secrets) when the user saved, else None.
    ``tester`` starts a connection test (Session.test_connection as a task): the Test button."""
    dialog = NodeEditorDialog(
        parent,
        existing=existing,
        taken_names=taken_names,
        local=local,
        local_endpoint=local_endpoint,
        tester=tester,
        enroller=enroller,
    )
    if await run_and_dispose(dialog) != QDialog.DialogCode.Accepted:
        return None
    return dialog.node(), dialog.secrets()  # deleted later: still readable in this turn of the loop
