"""zh_CN around a server's English (issue 14, item 9): the app's own framing is translated, the
node's or the OS's text is kept as it was sent. Two places a user sees it: the create dialog's
name rule for an Incus node, and the line above the table when a node cannot be reached."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from ocv_desktop.core.models import ExecutionRule
from ocv_desktop.ui import i18n
from ocv_desktop.ui.errors import localize
from tests.ui.window_fixtures import child, find_dialog, incus_node

pytestmark = [pytest.mark.lab]


@pytest.fixture
def zh_cn(qapp: QApplication, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    i18n.install_translator(qapp, "zh_CN")
    yield
    i18n.install_translator(qapp, "en_US")  # the next test sees English again


def test_framing_is_chinese_and_the_servers_text_stays(zh_cn, qtbot, open_window, lab_incus):
    # an API on a loopback port nothing listens on
    dead = incus_node(lab_incus, name="dead", api_endpoint="https://127.0.0.1:1", execution_rule=ExecutionRule.API_ONLY)
    it = open_window([incus_node(lab_incus), dead])
    it.select_node(qtbot, "dead")
    message = it.window.node_message
    qtbot.waitUntil(lambda: "dead" in message.toolTip(), timeout=60_000)
    shown = message.toolTip()
    assert "无法列出实例" in shown and "无法连接到 127.0.0.1:1" in shown, shown
    assert "All connection attempts failed" in shown, shown  # httpx's own words, kept
    assert "cannot connect" not in shown  # no half-English sentence of ours

    it.select_node(qtbot, "lab-incus")
    it.window.actions_.create_instance.trigger()
    dialog = find_dialog(qtbot, "createInstanceDialog")
    child(dialog, QLineEdit, "nameEdit").setText("web_1")
    problem = child(dialog, QLabel, "nameProblem").text()
    assert problem.startswith("名称无效") and "LXD/Incus 的名称是主机名" in problem, problem
    assert "hostnames" not in problem
    dialog.reject()


def test_unknown_text_is_left_alone_and_outside_parts_are_verbatim(zh_cn):
    assert localize('Failed creating instance record: Instance "web" exists') == (
        'Failed creating instance record: Instance "web" exists'
    )
    assert localize("connecting to 10.77.0.5:22 timed out after 15 s") == "连接 10.77.0.5:22 在 15 秒后超时"
    assert localize("10.77.0.5:22 refused the connection (is sshd running and the port right?)") == (
        "10.77.0.5:22 拒绝了连接 (sshd 是否在运行、端口是否正确？)"
    )


def test_an_ssh_login_refusal_and_its_hint(zh_cn):
    from ocv_desktop.core.errors import AuthError
    from ocv_desktop.ui.errors import error_text

    refused = AuthError(
        "root@10.77.0.5:22 refused the SSH login (password authentication)",
        hint="check the user name and credentials",
    )
    assert error_text(refused) == "root@10.77.0.5:22 拒绝了 SSH 登录（password 认证）\n请检查用户名和凭据"
