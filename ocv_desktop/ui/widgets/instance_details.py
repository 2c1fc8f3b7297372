"""The instance details dock (``instanceDetails``, issue 14 item 3): one instance's configuration,
live usage, log, ports and snapshots, in tabs.

It shows what the session already knows: the instance as the node's last listing gave it, so the
Overview and Usage tabs follow every refresh of the table (``instancesChanged``) without a call
of their own. The log and the snapshots are read on demand (a button, or opening their tab), each
through the session, so the activity panel records them.

Tabs and object names (the test contract): ``detailsTabs`` holding ``overviewTab``, ``usageTab``
(labels ``cpuUsage``, ``memoryUsage``, ``diskUsage``, ``networkUsage``), ``logsTab``
(``logLines``, ``loadLogButton``, ``logView``, ``logStatus``), ``portsTab`` (``portTable``) and
``snapshotsPanel`` (widgets/snapshots_panel.py).

The Usage tab is a plain form inside ``usage_layout`` (a QVBoxLayout) with a stretch at its end:
a history chart goes in with ``usage_layout.insertWidget(1, chart)``.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import Instance, InstanceStatus
from ocv_desktop.providers.base import provider_class
from ocv_desktop.ui.dialogs.widgets import error_colour, set_text_colour, text_label
from ocv_desktop.ui.models.formatting import format_bytes, format_cores, format_usage
from ocv_desktop.ui.theme import status_text
from ocv_desktop.ui.widgets.snapshots_panel import SnapshotsPanel
from ocv_desktop.ui.widgets.sparkline import COLOURS, Sparkline

DEFAULT_LOG_LINES = 200
# One published port as `docker ps` prints it: [ip:]host->guest/proto, or an unpublished guest/proto.
_PORT_RE = re.compile(r"^(?:(?P<ip>\[[^\]]+\]|[^:\[\]]+):(?P<host>[0-9-]+)->)?(?P<guest>[0-9-]+)/(?P<proto>\w+)$")


def _value_label(object_name: str = "") -> QLabel:
    label = QLabel(objectName=object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def parse_ports(text: str) -> list[tuple[str, str, str, str]]:
    """Docker's ``Ports`` text as (host address, host port, guest port, protocol) rows."""
    rows = []
    for part in (p.strip() for p in text.split(",")):
        m = _PORT_RE.match(part)
        if m:
            rows.append((m.group("ip") or "", m.group("host") or "", m.group("guest"), m.group("proto")))
    return rows


class InstanceDetails(QDockWidget):
    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Instance details"), parent)
        self.setObjectName("instanceDetails")
        self.ws = workspace
        self.instance: Instance | None = None
        self._key: tuple[str, str] | None = None
        self._log_task: asyncio.Future[Any] | None = None
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.title = text_label("", object_name="detailsTitle", bold=True)
        self.gone = text_label("", object_name="detailsGone")
        set_text_colour(self.gone, error_colour(self))
        self.gone.hide()
        self.tabs = QTabWidget(objectName="detailsTabs")
        self.tabs.addTab(self._overview_tab(), self.tr("Overview"))
        self.tabs.addTab(self._usage_tab(), self.tr("Usage"))
        self.tabs.addTab(self._logs_tab(), self.tr("Logs"))
        self.tabs.addTab(self._ports_tab(), self.tr("Ports"))
        self.snapshots = SnapshotsPanel(workspace)
        self.tabs.addTab(self.snapshots, self.tr("Snapshots"))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.gone)
        layout.addWidget(self.tabs, 1)
        self.setWidget(body)
        self.tabs.currentChanged.connect(self._tab_changed)
        workspace.instancesChanged.connect(self._instances_changed)

    # --- building ------------------------------------------------------------------------------

    def _form_tab(self, object_name: str, rows: list[tuple[str, str]]) -> tuple[QWidget, dict[str, QLabel]]:
        page = QWidget(objectName=object_name)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        labels: dict[str, QLabel] = {}
        for key, caption in rows:
            labels[key] = _value_label(key)
            form.addRow(caption, labels[key])
        if "detailId" in labels:
            # a 64-character id has no place to wrap: a read-only line scrolls it and copies it whole
            self.id_edit = QLineEdit(objectName="detailIdEdit")
            self.id_edit.setReadOnly(True)
            self.id_edit.setFrame(False)
            form.replaceWidget(labels["detailId"], self.id_edit)
            labels["detailId"].hide()
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        return page, labels

    def _overview_tab(self) -> QWidget:
        page, self.overview = self._form_tab(
            "overviewPage",
            [
                ("detailName", self.tr("Name:")),
                ("detailNode", self.tr("Node:")),
                ("detailStatus", self.tr("Status:")),
                ("detailType", self.tr("Type:")),
                ("detailImage", self.tr("Image:")),
                ("detailCpuLimit", self.tr("CPU limit:")),
                ("detailMemoryLimit", self.tr("Memory limit:")),
                ("detailDiskLimit", self.tr("Disk limit:")),
                ("detailAddresses", self.tr("Addresses:")),
                ("detailPorts", self.tr("Port mappings:")),
                ("detailCreated", self.tr("Created:")),
                ("detailId", self.tr("Id:")),
            ],
        )
        page.layout().addStretch(1)
        scroll = QScrollArea(objectName="overviewTab")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _usage_tab(self) -> QWidget:
        page, self.usage = self._form_tab(
            "usageTab",
            [
                ("cpuUsage", self.tr("CPU:")),
                ("memoryUsage", self.tr("Memory:")),
                ("diskUsage", self.tr("Disk:")),
                ("networkUsage", self.tr("Network:")),
            ],
        )
        self.usage_note = text_label("", object_name="usageNote")
        self.refresh_button = QPushButton(self.tr("Refresh now"), objectName="refreshUsageButton")
        self.refresh_button.setToolTip(self.tr("List the node's instances again (usage follows every refresh)"))
        self.refresh_button.clicked.connect(self._refresh_now)
        self.usage_layout: QVBoxLayout = page.layout()  # type: ignore[assignment]
        self.usage_layout.addWidget(self.usage_note)
        # The last hour of this instance as the listings saw it (services/history.py): CPU in
        # cores from 0, memory from 0 up to the limit when there is one.
        history = QFormLayout()
        self.cpu_history = Sparkline(QColor(COLOURS["cpu"]))
        self.cpu_history.setObjectName("cpuHistory")
        self.memory_history = Sparkline(QColor(COLOURS["memory"]))
        self.memory_history.setObjectName("memoryHistory")
        for spark in (self.cpu_history, self.memory_history):
            spark.setMinimumSize(200, 48)
        history.addRow(self.tr("CPU, last hour:"), self.cpu_history)
        history.addRow(self.tr("Memory, last hour:"), self.memory_history)
        self.usage_layout.addLayout(history)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        self.usage_layout.addLayout(row)
        self.usage_layout.addStretch(1)
        return page

    def _logs_tab(self) -> QWidget:
        page = QWidget(objectName="logsTab")
        self.log_lines = QSpinBox(objectName="logLines")
        self.log_lines.setRange(10, 10_000)
        self.log_lines.setSingleStep(100)
        self.log_lines.setValue(DEFAULT_LOG_LINES)
        self.log_lines.setSuffix(self.tr(" lines"))
        self.load_log_button = QPushButton(self.tr("Load log"), objectName="loadLogButton")
        self.load_log_button.clicked.connect(self.load_log)
        self.log_view = QPlainTextEdit(objectName="logView")
        self.log_view.setReadOnly(True)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setPlaceholderText(self.tr("The log is read from the node when you press Load log."))
        self.log_status = text_label("", object_name="logStatus")
        self.log_status.setTextFormat(Qt.TextFormat.PlainText)
        self.log_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Last")))
        top.addWidget(self.log_lines)
        top.addWidget(self.load_log_button)
        top.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.log_view, 1)
        layout.addWidget(self.log_status)
        return page

    def _ports_tab(self) -> QWidget:
        page = QWidget(objectName="portsTab")
        self.port_table = QTreeWidget(objectName="portTable")
        self.port_table.setHeaderLabels(
            [self.tr("Host address"), self.tr("Host port"), self.tr("Guest port"), self.tr("Protocol")]
        )
        self.port_table.setRootIsDecorated(False)
        self.port_table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ports_note = text_label("", object_name="portsNote")
        layout = QVBoxLayout(page)
        layout.addWidget(self.port_table, 1)
        layout.addWidget(self.ports_note)
        return page

    # --- showing an instance -------------------------------------------------------------------

    def show_instance(self, inst: Instance) -> None:
        """Show ``inst`` (a new instance clears the log; the same one keeps it)."""
        if inst.key != self._key:
            self._key = inst.key
            self.log_view.clear()
            self.log_status.setText("")
        self._fill(inst)
        self.snapshots.set_instance(inst)
        self._tab_changed(self.tabs.currentIndex())

    def _instances_changed(self, node_id: str) -> None:
        if self._key is None or node_id != self._key[0] or not shiboken6.isValid(self):
            return
        fresh = next((i for i in self.ws.instances_of(node_id) if i.key == self._key), None)
        if fresh is None:
            self.gone.setText(self.tr("This instance is no longer on its node."))
            self.gone.show()
            return
        self._fill(fresh)
        self.snapshots.set_instance(fresh)

    def _fill(self, inst: Instance) -> None:
        self.instance = inst
        self.gone.hide()
        node = self.ws.node(inst.node_id)
        node_name = node.name if node is not None else inst.node_id
        self.title.setText(self.tr("{name} on {node}").format(name=inst.name, node=node_name))
        unknown = self.tr("unknown")
        none = self.tr("none")
        o = self.overview
        o["detailName"].setText(inst.name)
        o["detailNode"].setText(node_name + (f" ({inst.location})" if inst.location else ""))
        status = status_text(inst.status)
        if inst.raw_status and inst.raw_status.casefold() not in (status.casefold(), inst.status.value):
            status = self.tr("{status} (the platform says: {raw})").format(status=status, raw=inst.raw_status)
        o["detailStatus"].setText(status)
        o["detailType"].setText(self.tr("container") if inst.type.value == "container" else self.tr("VM"))
        o["detailImage"].setText(inst.image or unknown)
        cores = self.tr("{cores} cores").format(cores=format_cores(inst.cpu_limit))
        o["detailCpuLimit"].setText(cores if inst.cpu_limit else self.tr("no limit"))
        o["detailMemoryLimit"].setText(format_bytes(inst.memory_limit) if inst.memory_limit else self.tr("no limit"))
        o["detailDiskLimit"].setText(format_bytes(inst.disk_limit) if inst.disk_limit else self.tr("no limit"))
        o["detailAddresses"].setText("\n".join((*inst.ipv4, *inst.ipv6)) or none)
        o["detailPorts"].setText(inst.extra.get("ports", "") or none)
        o["detailCreated"].setText(inst.created.astimezone().strftime("%Y-%m-%d %H:%M:%S") if inst.created else unknown)
        o["detailId"].setText(inst.id)
        self.id_edit.setText(inst.id)
        self.id_edit.setCursorPosition(0)
        self._fill_usage(inst)
        self._fill_ports(inst)

    def _fill_usage(self, inst: Instance) -> None:
        unknown = self.tr("unknown")
        u = self.usage
        if inst.cpu_usage is None:
            u["cpuUsage"].setText(unknown)
        else:
            cpu = self.tr("{percent}% of one core").format(percent=f"{inst.cpu_usage * 100:.1f}")
            if inst.cpu_limit:
                cpu += " " + self.tr("(limit {cores} cores)").format(cores=format_cores(inst.cpu_limit))
            u["cpuUsage"].setText(cpu)
        for key, used, limit in (
            ("memoryUsage", inst.memory_usage, inst.memory_limit),
            ("diskUsage", inst.disk_usage, inst.disk_limit),
        ):
            text = format_usage(used, limit) if used is not None else unknown
            if used is not None and limit:
                text += f" ({used / limit * 100:.0f}%)"
            u[key].setText(text)
        if inst.network_rx is None and inst.network_tx is None:
            u["networkUsage"].setText(unknown)
        else:
            u["networkUsage"].setText(
                self.tr("received {rx}, sent {tx}").format(
                    rx=format_bytes(inst.network_rx) or unknown, tx=format_bytes(inst.network_tx) or unknown
                )
            )
        since = time.time() - 3600
        history = self.ws.history
        self.cpu_history.set_series(history.instance_series(inst.node_id, inst.id, "cpu", since), low=0.0)
        memory = history.instance_series(inst.node_id, inst.id, "memory", since)
        self.memory_history.set_series(memory, low=0.0, high=float(inst.memory_limit) if inst.memory_limit else None)
        running = inst.status is InstanceStatus.RUNNING
        self.usage_note.setText(
            self.tr("Updated with every refresh of the instance list.")
            if running
            else self.tr("The instance is not running: it uses no CPU or memory now.")
        )

    def _fill_ports(self, inst: Instance) -> None:
        self.port_table.clear()
        rows = parse_ports(inst.extra.get("ports", ""))
        for ip, host, guest, proto in rows:
            self.port_table.addTopLevelItem(QTreeWidgetItem([ip or self.tr("all"), host, guest, proto]))
        self.port_table.setVisible(bool(rows))
        self.ports_note.setText(
            ""
            if rows
            else self.tr("No port mappings. LXD, Incus and Proxmox guests are reached at their own addresses.")
        )
        self.ports_note.setVisible(not rows)

    # --- on demand -----------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.snapshots and self.snapshots.needs_load():
            self.snapshots.load()

    def _log_drains(self, inst: Instance) -> bool:
        node = self.ws.node(inst.node_id)
        try:
            return node is not None and provider_class(node.type).log_drains
        except OcvError:
            return False

    def _refresh_now(self) -> None:
        if self.instance is not None:
            self.ws.refresh(self.instance.node_id, interactive=True)

    def load_log(self) -> asyncio.Future[Any] | None:
        inst = self.instance
        if inst is None or (self._log_task is not None and not self._log_task.done()):
            return None
        self.load_log_button.setEnabled(False)
        self.log_status.setText(self.tr("Reading the log…"))
        set_text_colour(self.log_status, self.palette().windowText().color())
        self._log_task = self.ws.run_task(
            f"ui:instance-log:{inst.node_id}:{inst.id}", self._load_log(inst, self.log_lines.value())
        )
        return self._log_task

    async def _load_log(self, inst: Instance, lines: int) -> None:
        try:
            text = await self.ws.instance_log(inst, lines)
        except OcvError as exc:
            if shiboken6.isValid(self) and self._key == inst.key:
                self.log_status.setText(self.tr("The log could not be read: {error}").format(error=exc))
                set_text_colour(self.log_status, error_colour(self))
            return
        finally:
            if shiboken6.isValid(self):
                self.load_log_button.setEnabled(True)
        if not shiboken6.isValid(self) or self._key != inst.key:
            return
        if self._log_drains(inst) and self.log_view.toPlainText():
            # the node gave only what is new since the last read: keep the rest
            if not text:
                self.log_status.setText(self.tr("Nothing new since the last read."))
                return
            self.log_view.appendPlainText(text)
            text = self.log_view.toPlainText()
        else:
            self.log_view.setPlainText(text)
        self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())
        count = len(text.splitlines())
        self.log_status.setText(self.tr("%n line(s)", "", count) if text else self.tr("The log is empty."))
