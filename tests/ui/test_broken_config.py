"""A config.yaml that does not load at start-up (issue 14, item 8): every problem is shown in the
window, one line each, and logged; the first-node prompt is not offered (a node added now could
not be saved); fixing the file and pressing Reload brings the window back to normal."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from tests.ui.window_fixtures import child, run

pytestmark = [pytest.mark.lab]  # the window fixtures live with the lab ones (lab_home)

BROKEN = """\
version: 1
nodes:
  - name: web
    type: hyper-v
    host: 127.0.0.1
    port: 1
  - name: db
    type: docker
    host: 127.0.0.1
    port: twenty-two
"""


def test_every_problem_is_shown_and_no_first_node_is_offered(qtbot, open_window, caplog):
    it = open_window([], start=False)
    it.home.config_file.write_text(BROKEN)
    with caplog.at_level(logging.ERROR):
        run(qtbot, it.ws.start())
    window = it.window
    panel = window.config_problems
    qtbot.waitUntil(lambda: window.stack.currentWidget() is panel, timeout=5000)
    assert not window.welcome.isVisible()
    shown = child(panel, QPlainTextEdit, "configProblemsList").toPlainText().splitlines()
    assert len(shown) == 2, shown  # both, one line each, not "2 problems:" and a tooltip
    assert shown[0].startswith("line 4: nodes[0].type") and "hyper-v" in shown[0]
    assert shown[1].startswith("line 10: nodes[1].port") and "twenty-two" in shown[1]
    assert str(it.home.config_file) in child(panel, QLabel, "configProblemsPath").text()
    logged = [r.getMessage() for r in caplog.records if "config file problem" in r.getMessage()]
    assert len(logged) == 2 and "hyper-v" in logged[0]
    for action in (window.actions_.add_node, window.actions_.import_file):
        assert not action.isEnabled()
        assert "config.yaml did not load" in action.toolTip()
    assert it.home.config_file.read_text() == BROKEN  # left untouched

    # fixed (loopback port 1: the nodes fail fast, nothing leaves this machine)
    it.home.config_file.write_text(BROKEN.replace("hyper-v", "docker").replace("twenty-two", "1"))
    child(panel, QPushButton, "reloadConfigButton").click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.splitter, timeout=10_000)
    assert sorted(n.name for n in it.ws.nodes) == ["db", "web"]
    assert window.actions_.add_node.isEnabled()
    assert it.ws.config_problems() == []
    it.close(qtbot, timeout_ms=10_000)  # closes cleanly with the reloaded nodes (no task left)
