"""Issue 15: a burst of node events (dead nodes failing together at start-up) redoes the message
above the table once, not once per node (each pass walks every node in scope)."""

from __future__ import annotations

from ocv_desktop.core.models import NodeConfig, Platform
from ocv_desktop.store.config import AppConfig
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.app_window import MainWindow
from ocv_desktop.ui.bridge import Workspace


def test_a_burst_of_node_errors_updates_the_message_once_with_every_node(qloop, qtbot, tmp_path, monkeypatch) -> None:
    passes: list[int] = []
    real = MainWindow._update_node_message

    def counted(self: MainWindow) -> None:
        passes.append(1)
        real(self)

    monkeypatch.setattr(MainWindow, "_update_node_message", counted)
    ws = Workspace(Home(tmp_path / "home").ensure(), SecretStore(None))
    window = MainWindow(ws, remember_state=False)
    qtbot.addWidget(window)
    window.show()
    nodes = [NodeConfig(name=f"dead{i}", type=Platform.DOCKER, host="127.0.0.1", id=f"n{i}") for i in range(30)]
    ws.session._apply_config(AppConfig(nodes=tuple(nodes)))
    qtbot.wait(10)
    passes.clear()
    for node in nodes:
        ws.session.errors[node.id] = "connection refused"
        ws.nodeStateChanged.emit(node.id)
    qtbot.waitUntil(window.node_message.isVisible)
    assert len(passes) == 1
    tooltip = window.node_message.toolTip()
    assert all(f"dead{i}: " in tooltip for i in range(30))
