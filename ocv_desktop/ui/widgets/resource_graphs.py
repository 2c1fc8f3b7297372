"""A node's resources over time, as the window shows them: the tooltip's table of sparklines and
the node details view's larger graphs with axis labels. The numbers come from the session's
``History`` (services/history.py); drawing is ui/widgets/sparkline.py.

Percentages (CPU, memory, disk) are drawn on a fixed 0..100 scale, so a glance compares nodes;
the load on its own 0..max scale (a load has no natural top).
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ocv_desktop.core.models import HealthReport
from ocv_desktop.services.history import NODE_CHANNELS, History
from ocv_desktop.ui.models.formatting import format_bytes
from ocv_desktop.ui.widgets.sparkline import COLOURS, Series, Sparkline, sparkline_html

TOOLTIP_SPAN = 3600.0  # the tooltip's sparklines: the last hour
TIP_WIDTH, TIP_HEIGHT = 96, 18

SCALES: dict[str, tuple[float | None, float | None]] = {
    "cpu": (0.0, 100.0),
    "memory": (0.0, 100.0),
    "disk": (0.0, 100.0),
    "load": (0.0, None),
}


def channel_label(channel: str) -> str:
    """The row's name; the tooltip's words end in ':' as the other tooltip lines do."""
    return {
        "cpu": QCoreApplication.translate("ResourceGraphs", "CPU:"),
        "memory": QCoreApplication.translate("ResourceGraphs", "Memory:"),
        "disk": QCoreApplication.translate("ResourceGraphs", "Disk:"),
        "load": QCoreApplication.translate("ResourceGraphs", "Load:"),
    }[channel]


def channel_title(channel: str) -> str:
    """The heading of a graph in the node details view."""
    return {
        "cpu": QCoreApplication.translate("ResourceGraphs", "CPU"),
        "memory": QCoreApplication.translate("ResourceGraphs", "Memory"),
        "disk": QCoreApplication.translate("ResourceGraphs", "Disk (root filesystem)"),
        "load": QCoreApplication.translate("ResourceGraphs", "Load (1 min average)"),
    }[channel]


def axis_text(channel: str, value: float) -> str:
    """A value on the vertical axis."""
    return f"{value:.2f}" if channel == "load" else f"{value:.0f} %"


def load_scale(points: Series) -> tuple[float, float]:
    """0 .. a little over the highest load (at least 1), so the line never touches the top."""
    top = max((v for _, v in points), default=0.0)
    return 0.0, max(1.0, top * 1.1)


def current_text(channel: str, history: History, node_id: str, report: HealthReport | None) -> str:
    """The newest value of a channel in words ("12 % of 4 cores", "3.1 GiB of 8.0 GiB (38 %)");
    "" when nothing is known."""
    r = report.resources if report is not None else None
    series = history.node_series(node_id, channel)
    newest = series[-1][1] if series else None
    latest = history.node_latest(node_id)
    if channel == "cpu":
        cores = r.cpu_cores if r is not None else latest.cpu_cores if latest is not None else None
        if newest is None:
            return QCoreApplication.translate("ResourceGraphs", "{cores} cores").format(cores=cores) if cores else ""
        if cores:
            return QCoreApplication.translate("ResourceGraphs", "{percent} % of {cores} cores").format(
                percent=f"{newest:.0f}", cores=cores
            )
        return f"{newest:.0f} %"
    if channel == "load":
        load = r.load1 if r is not None and r.load1 is not None else newest
        return f"{load:.2f}" if load is not None else ""
    used: int | None
    if channel == "memory":
        total = r.memory_total if r is not None else None
        used = r.memory_used if r is not None else None
    else:
        total = r.disk_total if r is not None else None
        free = r.disk_free if r is not None else None
        used = total - free if total is not None and free is not None else None
    if total is None and latest is not None:  # Proxmox without SSH: only the platform's history
        total = latest.memory_total if channel == "memory" else latest.disk_total
        used = round(total * newest / 100) if total is not None and newest is not None else None
    if total is None or used is None or total <= 0:
        return ""
    return QCoreApplication.translate("ResourceGraphs", "{used} of {total} ({percent} %)").format(
        used=format_bytes(used), total=format_bytes(total), percent=f"{100 * used / total:.0f}"
    )


def tooltip_table(history: History, node_id: str, report: HealthReport | None, now: float | None = None) -> str:
    """The tooltip's resource rows: name, the last hour's sparkline, the newest value. "" when
    the node has no resources recorded (no SSH road, or not checked yet)."""
    now = time.time() if now is None else now
    rows = []
    for channel in NODE_CHANNELS:
        text = current_text(channel, history, node_id, report)
        series = history.node_series(node_id, channel, since=now - TOOLTIP_SPAN)
        if not text and not series:
            continue
        low, high = load_scale(series) if channel == "load" else SCALES[channel]
        picture = (
            sparkline_html(series, TIP_WIDTH, TIP_HEIGHT, COLOURS[channel], low=low, high=high)
            if len(series) >= 2
            else ""
        )
        rows.append(
            f"<tr><td>{html.escape(channel_label(channel))}</td><td>{picture}</td><td>{html.escape(text)}</td></tr>"
        )
    if not rows:
        return ""
    return f"<table cellspacing='2' cellpadding='1'>{''.join(rows)}</table>"


def span_text(points: Series) -> str:
    """The time axis: "14:05 – 15:35", with ISO dates when it spans midnight (numbers read the
    same in every language; strftime's month names would be English in a Chinese window)."""
    if not points:
        return ""
    first = datetime.fromtimestamp(points[0][0]).astimezone()
    last = datetime.fromtimestamp(points[-1][0]).astimezone()
    fmt = "%H:%M" if first.date() == last.date() else "%Y-%m-%d %H:%M"
    return f"{first.strftime(fmt)} – {last.strftime(fmt)}"


class ResourceGraph(QWidget):
    """One channel over time: title and newest value above, the graph with its max (top) and min
    (bottom) on the left, the time span below. Object name ``graph-<channel>``."""

    def __init__(self, channel: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel = channel
        self.setObjectName(f"graph-{channel}")
        self.title = QLabel(channel_title(channel), self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.value_label = QLabel(self)
        self.value_label.setObjectName("value")
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.sparkline = Sparkline(COLOURS[channel], self)
        self.sparkline.setMinimumSize(320, 90)
        self.top_label = QLabel(self)
        self.top_label.setObjectName("axisMax")
        self.bottom_label = QLabel(self)
        self.bottom_label.setObjectName("axisMin")
        self.span_label = QLabel(self)
        self.span_label.setObjectName("timeSpan")
        self.span_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.top_label, self.bottom_label, self.span_label):
            label.setEnabled(False)  # the palette's dimmed text: axis labels are secondary
        for label in (self.top_label, self.bottom_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(self.value_label, 0, 2)
        grid.addWidget(self.top_label, 1, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.bottom_label, 2, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.sparkline, 1, 1, 2, 2)
        grid.addWidget(self.span_label, 3, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)

    def set_series(self, points: Sequence[tuple[float, float]], current: str) -> None:
        low, high = load_scale(points) if self.channel == "load" else SCALES[self.channel]
        self.sparkline.set_series(points, low=low, high=high)
        lo, hi = self.sparkline.value_range()
        self.top_label.setText(axis_text(self.channel, hi))
        self.bottom_label.setText(axis_text(self.channel, lo))
        self.value_label.setText(current)
        if points:
            self.span_label.setText(span_text(points))
        else:
            self.span_label.setText(QCoreApplication.translate("ResourceGraphs", "no data yet"))
