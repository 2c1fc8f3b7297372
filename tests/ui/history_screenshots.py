"""Pictures of the resource history (issue 16) to look at: the node tooltip with its sparklines and
the node details view, over a day of made-up rounds (a lab run has only a minute of them; the lab
tests in test_node_details.py check the real data).

Run in its own process (language and palette are chosen before the QApplication exists):

    OCV_DESKTOP_LANG=zh_CN python -m tests.ui.history_screenshots OUT_DIR [light|dark]

Prints one JSON line: per picture its size and the window title, for the test to check.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QToolTip, QWidget

from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    HealthReport,
    NodeConfig,
    Platform,
    Resources,
)
from ocv_desktop.store.config import AppConfig
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.dialogs.node_details import NodeDetailsDialog
from ocv_desktop.ui.i18n import install_translator
from ocv_desktop.ui.models.node_tree import NodeTreeModel
from ocv_desktop.ui.theme import apply_palette

GIB = 2**30
NODE = NodeConfig(name="docker-eu-1", type=Platform.DOCKER, host="10.0.0.5", id="node-docker")


def busy_fraction(r: int) -> float:
    """Round ``r`` of a day: a daily swell, a busy spell in the afternoon, some jitter."""
    return 0.25 + 0.15 * math.sin(2 * math.pi * r / 2880) + (0.35 if 1900 < r < 2050 else 0.0) + 0.05 * math.sin(r / 7)


def _report(at: float, r: int, busy_ticks: int) -> HealthReport:
    """Round ``r``: memory creeping up, disk filling slowly, load following the CPU."""
    day = math.sin(2 * math.pi * r / 2880)
    return HealthReport(
        node_id=NODE.id,
        checks=(
            CheckResult(CheckKind.SSH, CheckStatus.ONLINE, latency=0.012, detail="root@10.0.0.5:22"),
            CheckResult(CheckKind.API, CheckStatus.NOT_CHECKED, detail="Docker nodes are managed over SSH only"),
            CheckResult(CheckKind.SERVICE, CheckStatus.ONLINE, latency=0.02, detail="Docker 27.3.1"),
        ),
        resources=Resources(
            cpu_cores=8,
            memory_total=32 * GIB,
            memory_used=int((9 + 4 * r / 2880 + 1.5 * day) * GIB),
            disk_total=500 * GIB,
            disk_free=int((210 - 12 * r / 2880) * GIB),
            load1=round(8 * busy_fraction(r), 2),
            cpu_busy_ticks=busy_ticks,
            cpu_total_ticks=800 * (r + 1),
        ),
        checked_at=datetime.fromtimestamp(at, UTC),
    )


def filled_workspace(home: Path) -> Workspace:
    ws = Workspace(Home(home).ensure(), SecretStore(None))
    ws.session._apply_config(AppConfig(nodes=(NODE,)))
    now = time.time()
    rounds = 2880
    busy = 0.0
    for r in range(rounds):
        busy += busy_fraction(r)
        report = _report(now - 30 * (rounds - 1 - r), r, int(busy * 800))
        ws.session.history.record_health(report)
        ws.session.health[NODE.id] = report
    return ws


def grab(widget: QWidget, out: Path) -> dict[str, Any]:
    QApplication.processEvents()
    picture = widget.grab()
    picture.save(str(out))
    return {"width": picture.width(), "height": picture.height(), "title": widget.windowTitle()}


def capture(out_dir: Path, theme: str) -> dict[str, Any]:
    app = QApplication.instance() or QApplication([])
    install_translator(app)  # type: ignore[arg-type]
    apply_palette(app, theme)  # type: ignore[arg-type]
    out_dir.mkdir(parents=True, exist_ok=True)
    facts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ws = filled_workspace(Path(tmp) / "home")
        model = NodeTreeModel(ws)
        tip = model.node_indexes(NODE.id)[0].data(Qt.ItemDataRole.ToolTipRole)
        facts["tooltip_images"] = tip.count("<img ")
        # what QToolTip shows (its QTipLabel is a QLabel in the palette's tooltip colours); a real
        # tooltip hides itself again at once offscreen, with no mouse over the widget
        label = QLabel(tip)
        label.setWindowFlags(Qt.WindowType.ToolTip)
        label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        label.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        label.setAutoFillBackground(True)
        label.setMargin(1 + label.style().pixelMetric(QStyle.PixelMetric.PM_ToolTipLabelFrameWidth))
        label.setPalette(QToolTip.palette())
        label.show()
        facts["tooltip"] = grab(label, out_dir / "node-tooltip.png")
        label.close()
        dialog = NodeDetailsDialog(None, ws, NODE.id)
        dialog.show()
        facts["node-details"] = grab(dialog, out_dir / "node-details.png")
        dialog.span.setCurrentIndex(0)
        facts["node-details-hour"] = grab(dialog, out_dir / "node-details-hour.png")
        dialog.close()
    return facts


def main() -> int:
    out_dir = Path(sys.argv[1])
    theme = sys.argv[2] if len(sys.argv) > 2 else "light"
    print(json.dumps(capture(out_dir, theme)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
