"""The main-window stub: the object names later code relies on, and the `closed` signal."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QTreeView
from pytestqt.qtbot import QtBot

from ocv_desktop.core.config import AppConfig
from ocv_desktop.core.models import NodeConfig, Platform
from ocv_desktop.ui.app_window import MainWindow


def test_window_has_the_named_views_and_says_where_secrets_are(qtbot: QtBot) -> None:
    config = AppConfig(nodes=(NodeConfig(name="节点", type=Platform.DOCKER, host="h"),))
    window = MainWindow(config, "secrets are NOT saved (memory only, this run): no keyring")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert isinstance(window.findChild(QTreeView, "nodeTree"), QTreeView)
    assert isinstance(window.findChild(QTableView, "instanceTable"), QTableView)
    assert window.statusBar().currentMessage() == (
        "1 nodes configured · secrets are NOT saved (memory only, this run): no keyring"
    )
    with qtbot.waitSignal(window.closed, timeout=1000):
        window.close()
