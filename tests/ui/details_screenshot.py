"""Open the real app on a home, open the instance details on two instances and save pictures of
the window: the Usage tab of a Docker container and the Snapshots tab of an Incus one.

Run in its own process (tests/ui/test_details_screenshots.py starts it under Xvfb), because the
platform, the palette and the language must be chosen before the QApplication exists:

    OCV_DESKTOP_LANG=zh_CN python -m tests.ui.details_screenshot HOME OUT_DIR VARIANT THEME DOCKER INCUS

Prints one JSON line with what the dock showed for the test to check; a human looks at the pictures.
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
from PySide6.QtWidgets import QApplication, QLabel

from ocv_desktop.core.models import Instance
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.app_window import MainWindow
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.main import _application
from ocv_desktop.ui.theme import apply_palette


async def _until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return False


def _find(ws: Workspace, name: str) -> Instance | None:
    return next((i for n in ws.nodes for i in ws.instances_of(n.id) if i.name == name), None)


async def capture(home: Home, out_dir: Path, variant: str, docker_name: str, incus_name: str) -> dict[str, object]:
    secrets = await SecretStore.open()
    ws = Workspace(home, secrets)
    window = MainWindow(ws, remember_state=False)
    window.resize(1280, 760)
    window.show()
    await ws.start()
    await _until(lambda: _find(ws, docker_name) is not None and _find(ws, incus_name) is not None, 90)
    # Docker's usage is the listing's second step (docker stats samples for ~2 s)
    await _until(lambda: getattr(_find(ws, docker_name), "cpu_usage", None) is not None, 30)
    await _until(window.instance_model.settled, 30)
    facts: dict[str, object] = {"platform": QApplication.platformName()}

    docker = _find(ws, docker_name)
    assert docker is not None
    window.select_instance(docker.node_id, docker.id)
    dock = window.details.show(docker)
    pages = [dock.tabs.widget(i).objectName() for i in range(dock.tabs.count())]
    dock.tabs.setCurrentIndex(pages.index("usageTab"))
    await asyncio.sleep(0.5)
    facts["usage"] = {k: label.text() for k, label in dock.usage.items()}
    facts["usage_tab"] = dock.tabs.tabText(dock.tabs.currentIndex())
    out_dir.mkdir(parents=True, exist_ok=True)
    facts["usage_png"] = window.grab().save(str(out_dir / f"details-usage-{variant}.png"), "PNG")
    dock.tabs.setCurrentIndex(pages.index("overviewTab"))
    await asyncio.sleep(0.3)
    facts["overview_png"] = window.grab().save(str(out_dir / f"details-overview-{variant}.png"), "PNG")

    incus = _find(ws, incus_name)
    assert incus is not None
    window.select_instance(incus.node_id, incus.id)
    dock = window.details.show(incus)
    dock.tabs.setCurrentWidget(dock.snapshots)
    await _until(lambda: dock.snapshots.list.topLevelItemCount() > 0, 30)
    dock.snapshots.list.setCurrentItem(dock.snapshots.list.topLevelItem(0))
    await asyncio.sleep(0.5)
    facts["snapshots"] = [s.name for s in dock.snapshots.snapshots]
    facts["snapshot_status"] = dock.snapshots.findChild(QLabel, "snapshotStatus").text()
    facts["snapshots_png"] = window.grab().save(str(out_dir / f"details-snapshots-{variant}.png"), "PNG")
    facts["dark"] = window.palette().color(window.backgroundRole()).lightness() < 128

    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.close()
    await asyncio.wait_for(closed.wait(), 10)
    return facts


def main(argv: list[str]) -> int:
    home, out_dir, variant, theme, docker_name, incus_name = argv
    app = _application()  # installs the translator OCV_DESKTOP_LANG asks for
    apply_palette(app, theme)
    facts = qasync.run(capture(Home(Path(home)), Path(out_dir), variant, docker_name, incus_name))
    print(json.dumps(facts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
