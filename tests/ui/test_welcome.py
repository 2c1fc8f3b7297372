"""The welcome panel: its three ways in, and one button per platform found on this computer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.core.models import Platform
from ocv_desktop.services.local_detect import LocalCandidate
from ocv_desktop.ui.widgets.welcome import WelcomePanel

DOCKER = LocalCandidate(Platform.DOCKER, "unix:///var/run/docker.sock", "Docker on this computer")
INCUS = LocalCandidate(Platform.INCUS, "unix:///var/lib/incus/unix.socket", "Incus on this computer")


def panel(qtbot: QtBot) -> WelcomePanel:
    widget = WelcomePanel()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_buttons_emit_their_requests(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    assert widget.objectName() == "welcomePanel"
    with qtbot.waitSignal(widget.addNodeRequested, timeout=1000):
        qtbot.mouseClick(widget.findChild(QPushButton, "addNodeButton"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(widget.importRequested, timeout=1000):
        qtbot.mouseClick(widget.findChild(QPushButton, "importButton"), Qt.MouseButton.LeftButton)
    assert not widget.findChild(QWidget, "localCandidates").isVisible()  # nothing found yet


def test_one_button_per_local_platform(qtbot: QtBot) -> None:
    widget = panel(qtbot)
    widget.set_local_candidates([DOCKER, INCUS])
    docker = widget.findChild(QPushButton, "addLocal_docker")
    incus = widget.findChild(QPushButton, "addLocal_incus")
    assert docker.text() == "Add this computer (Docker)" and incus.text() == "Add this computer (Incus)"
    assert docker.isVisible() and not docker.icon().isNull()
    with qtbot.waitSignal(widget.addLocalRequested, timeout=1000) as signal:
        qtbot.mouseClick(incus, Qt.MouseButton.LeftButton)
    assert signal.args == ["incus", "unix:///var/lib/incus/unix.socket"]

    widget.set_local_candidates([DOCKER])  # a new detection replaces the old buttons
    qtbot.waitUntil(lambda: widget.findChild(QPushButton, "addLocal_incus") is None)
    assert [b.objectName() for b in widget.local_buttons] == ["addLocal_docker"]
    widget.set_local_candidates([])
    assert not widget.findChild(QWidget, "localCandidates").isVisible()
