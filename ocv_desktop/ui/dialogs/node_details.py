"""The node details view (``nodeDetails``): a node's CPU, memory, disk and load over time.

Opened from the node tree (context menu "Node details…", double-click or Enter on a node), one
per node, non-modal: the window stays usable beside it. It shows the session's resource history
(services/history.py) and follows every new health round of its node; on opening it asks the
node for the history it kept itself (Proxmox rrddata, ``Session.backfill_history``), so a
Proxmox node shows the hours before the app was started too.
"""

from __future__ import annotations

import asyncio
import time

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.services.history import NODE_CHANNELS, SPAN
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.icons import PLATFORM_NAMES
from ocv_desktop.ui.theme import health_text
from ocv_desktop.ui.widgets.resource_graphs import ResourceGraph, current_text


class NodeDetailsDialog(QDialog):
    def __init__(self, parent: QWidget | None, ws: Workspace, node_id: str) -> None:
        super().__init__(parent)
        self.ws = ws
        self.node_id = node_id
        self.backfill: asyncio.Future[int] | None = None
        self.setObjectName("nodeDetails")
        node = ws.node(node_id)
        name = node.name if node is not None else node_id
        self.setWindowTitle(self.tr("Node details — {name}").format(name=name))

        self.heading = QLabel(self)
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.span = QComboBox(self)
        self.span.setObjectName("span")
        for label, seconds in (
            (self.tr("Last hour"), 3600.0),
            (self.tr("Last 6 hours"), 6 * 3600.0),
            (self.tr("Last 24 hours"), SPAN),
        ):
            self.span.addItem(label, seconds)
        self.span.setCurrentIndex(2)
        self.span.setAccessibleName(self.tr("Time span"))
        self.note = QLabel(self)
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)

        self.graphs = {channel: ResourceGraph(channel, self) for channel in NODE_CHANNELS}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(14)
        for i, channel in enumerate(NODE_CHANNELS):
            grid.addWidget(self.graphs[channel], i // 2, i % 2)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel(self.tr("Show:"), self))
        top.addWidget(self.span)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(760, 480)

        self.span.currentIndexChanged.connect(self.reload)
        ws.healthChanged.connect(self._health_changed)
        ws.nodesChanged.connect(self._nodes_changed)
        self.reload()

    def start_backfill(self) -> asyncio.Future[int]:
        """Ask the node for its own history (Proxmox); redraw when it arrives."""
        self.backfill = self.ws.backfill_history(self.node_id)
        self.backfill.add_done_callback(self._backfilled)
        return self.backfill

    def _backfilled(self, done: asyncio.Future[int]) -> None:
        if shiboken6.isValid(self) and not done.cancelled() and done.exception() is None:
            self.reload()

    def _health_changed(self, node_id: str) -> None:
        if node_id == self.node_id:
            self.reload()

    def _nodes_changed(self) -> None:
        if self.ws.node(self.node_id) is None:  # removed: nothing left to show
            self.reject()

    def span_seconds(self) -> float:
        return float(self.span.currentData() or SPAN)

    def reload(self) -> None:
        node = self.ws.node(self.node_id)
        report = self.ws.health.get(self.node_id)
        if node is not None:
            state = health_text(report.state) if report is not None else self.tr("checking…")
            self.heading.setText(
                self.tr("{name} — {address} ({platform}), health: {state}").format(
                    name=node.name, address=node.display_address, platform=PLATFORM_NAMES[node.type], state=state
                )
            )
        since = time.time() - self.span_seconds()
        history = self.ws.history
        empty = True
        for channel, graph in self.graphs.items():
            series = history.node_series(self.node_id, channel, since=since)
            empty = empty and not series
            graph.set_series(series, current_text(channel, history, self.node_id, report))
        if empty:
            self.note.setText(
                self.tr(
                    "No resources recorded yet. They are read over SSH at every health check; a node "
                    "without SSH access has none (Proxmox nodes still show the history they keep)."
                )
            )
        else:
            self.note.setText(
                self.tr("Older points are 15-minute averages; CPU, memory and disk in percent of the node's total.")
            )
