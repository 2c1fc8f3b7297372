"""Starting the GUI: QApplication, the qasync event loop, the main window, a clean exit.

The order matters (desktop-anchors.md §D): ``QT_API=pyside6`` is set before qasync is imported
so qasync cannot pick another Qt binding; the QApplication exists before the loop; the app
coroutine ends when the window closes (quit-on-last-window is off, so Qt does not stop the loop
under a running coroutine), and asyncio.run then cancels what is left and closes the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

os.environ.setdefault("QT_API", "pyside6")

import qasync  # after QT_API is set: qasync picks its Qt binding at import
from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication, QWidget

from ocv_desktop import APP_NAME, __version__
from ocv_desktop.core.config import AppConfig, load_config
from ocv_desktop.core.home import Home
from ocv_desktop.core.secrets import SecretStore
from ocv_desktop.ui.app_window import MainWindow

log = logging.getLogger(__name__)


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setQuitOnLastWindowClosed(False)  # the window's `closed` signal ends the app coroutine instead
    return app


async def _open(home: Home) -> tuple[AppConfig, SecretStore]:
    secrets = await SecretStore.open()
    config = await asyncio.to_thread(load_config, home.config_file)
    return config, secrets


async def _run_window(home: Home) -> None:
    config, secrets = await _open(home)
    window = MainWindow(config, secrets.describe())
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    loop = asyncio.get_running_loop()
    if os.name == "posix":  # Ctrl+C / kill in a terminal closes the window like the close button
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, window.close)
    window.show()
    log.info("main window shown")
    try:
        await closed.wait()
    finally:
        if os.name == "posix":
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    log.info("main window closed")


def run_gui(home: Home) -> int:
    """Open the main window and run until it is closed. Returns the exit status."""
    _application()
    qasync.run(_run_window(home))
    return 0


async def _self_test(home: Home) -> dict[str, Any]:
    config, secrets = await _open(home)
    window = MainWindow(config, secrets.describe())
    try:
        window.show()
        QApplication.processEvents()
        await asyncio.sleep(0.05)  # a few turns of the Qt-driven asyncio loop
        QApplication.processEvents()
        found = {name: window.findChild(QWidget, name) is not None for name in ("nodeTree", "instanceTable")}
        return {
            "version": __version__,
            "home": str(home.root),
            "config_file": str(home.config_file),
            "nodes": len(config.nodes),
            "qt": {
                "version": qVersion(),
                "pyside": PYSIDE_VERSION,
                "platform": QApplication.platformName(),
                "event_loop": type(asyncio.get_running_loop()).__name__,
            },
            "window": {"shown": window.isVisible(), **found},
            "secrets": {"backend": secrets.backend_name, "persistent": secrets.persistent, "reason": secrets.reason},
        }
    finally:
        window.close()
        window.deleteLater()


def self_test(home: Home) -> dict[str, Any]:
    """Build the main window from ``home`` (offscreen when there is no display), turn the event
    loop, and report what was found. Raises ConfigError when the config does not load."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _application()
    result: dict[str, Any] = qasync.run(_self_test(home))
    with contextlib.suppress(RuntimeError):
        QApplication.processEvents()  # deliver the deleteLater
    return result
