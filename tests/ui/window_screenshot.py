"""Open the real app on a home, wait until it is populated, and save a picture of the main window.

Run in its own process (the test starts it under Xvfb with QT_QPA_PLATFORM=xcb), because the
platform, QT_SCALE_FACTOR and the palette must be chosen before the QApplication exists:

    python -m tests.ui.window_screenshot HOME OUT.png [light|dark|system]

Prints one JSON line with what the window showed (badge states, row counts, sizes) for the test to
check; a human looks at the picture.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

import qasync
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.app_window import MainWindow
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.main import _application
from ocv_desktop.ui.models.node_tree import NodeTreeModel
from ocv_desktop.ui.theme import apply_palette

POPULATE_TIMEOUT = 90.0


async def _until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return False


async def capture(home: Home, out: Path) -> dict[str, object]:
    secrets = await SecretStore.open()
    ws = Workspace(home, secrets)
    window = MainWindow(ws, remember_state=False)
    window.resize(1280, 760)
    window.show()
    await ws.start()
    ids = [n.id for n in ws.nodes]
    # every node has a report and the reachable ones are listed
    await _until(
        lambda: (
            all(i in ws.health for i in ids)
            and all(ws.loaded(i) or i in ws.errors for i in ids)
            and window.instance_model.settled()
        ),
        POPULATE_TIMEOUT,
    )
    # a realistic state: "All nodes" selected, the first two instance rows selected, and a
    # refresh of every node recorded in the activity log
    window.node_tree.setCurrentIndex(window.tree_model.all_index())
    window.refresh_scope()
    activities = window.activity_model.activities
    # Each refresh adds its row once its task runs (not yet here): wait for one finished row per node.
    await _until(
        lambda: (
            len(activities()) >= len(ids)
            and not any(a.active for a in activities())
            and window.instance_model.settled()
        ),
        30,
    )
    proxy = window.proxy
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in range(min(2, proxy.rowCount())):
        window.instance_table.selectionModel().select(proxy.index(row, 0), flags)
    node_index = window.tree_model.node_indexes(ids[0])[0] if ids else None
    if node_index is not None:
        window.node_tree.scrollTo(node_index)
    await asyncio.sleep(0.5)  # let the views paint
    pixmap = window.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    saved = pixmap.save(str(out), "PNG")
    badges = {n.name: window.tree_model.node_indexes(n.id)[0].data(NodeTreeModel.HealthStateRole) for n in ws.nodes}
    facts = {
        "saved": saved,
        "platform": QApplication.platformName(),
        "logical_size": [window.width(), window.height()],
        "pixels": [pixmap.width(), pixmap.height()],
        "device_pixel_ratio": pixmap.devicePixelRatio(),
        "badges": badges,
        "rows": proxy.rowCount(),
        "activity_rows": window.activity_model.rowCount(),
        "activities_running": sum(a.active for a in activities()),
        "status_bar": [window.health_label.text(), window.keyring_label.text()],
        "dark": window.palette().color(window.backgroundRole()).lightness() < 128,
        "table_font_px": window.instance_table.fontMetrics().height(),
        "header": [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())],
    }
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.close()
    await asyncio.wait_for(closed.wait(), 10)
    return facts


def main(argv: list[str]) -> int:
    home, out = Home(Path(argv[0])), Path(argv[1])
    theme = argv[2] if len(argv) > 2 else "light"
    app = _application()
    apply_palette(app, theme)
    facts = qasync.run(capture(home, out))
    print(json.dumps(facts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
