"""Actions that cannot work on the selection are disabled and say why in their tooltip (issue 14,
item 5): a container password on an API-only Proxmox node, power actions on an offline node.
The window test drives the real window against fakepve; the rest feeds WindowActions directly."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from ocv_desktop.core.models import (
    ExecutionRule,
    HealthState,
    Instance,
    InstanceSpec,
    InstanceStatus,
    InstanceType,
    NodeConfig,
    Platform,
)
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui.actions import SelectionState, WindowActions
from tests.ui.window_fixtures import pve_node, run, wait_future, wait_health

CT_TEMPLATE = "debian-12-standard_12.7-1_amd64.tar.zst"  # one fakepve has (tests/integration/test_proxmox_provider.py)

PVE_API = NodeConfig(id="pve1", name="pve-api", type=Platform.PROXMOX, host="h", execution_rule=ExecutionRule.API_ONLY)
PVE_SSH = PVE_API.replace(id="pve2", name="pve-ssh", execution_rule=ExecutionRule.AUTO)
DOCKER = NodeConfig(id="d1", name="docker-1", type=Platform.DOCKER, host="h")


def inst(name: str, node: NodeConfig, status: InstanceStatus, kind: InstanceType = InstanceType.CONTAINER) -> Instance:
    return Instance(id=name, name=name, node_id=node.id, status=status, raw_status=status.value, type=kind)


def state(*insts: Instance, offline: frozenset[str] = frozenset()) -> SelectionState:
    nodes = {n.id: n for n in (PVE_API, PVE_SSH, DOCKER)}
    return SelectionState(
        instances=insts, has_nodes=True, instance_nodes={i.node_id: nodes[i.node_id] for i in insts}, offline=offline
    )


@pytest.fixture
def actions(qtbot) -> WindowActions:
    parent = QWidget()
    qtbot.addWidget(parent)
    return WindowActions(parent)


def test_a_container_password_on_an_api_only_proxmox_node_is_disabled_with_the_reason(actions):
    actions.update(state(inst("ct1", PVE_API, InstanceStatus.RUNNING)))
    assert not actions.reset_password.isEnabled()
    tip = actions.reset_password.toolTip()
    assert "pve-api" in tip and "needs SSH" in tip
    # the same container behind a node with SSH, and a VM on the API-only node, can
    actions.update(state(inst("ct2", PVE_SSH, InstanceStatus.RUNNING)))
    assert actions.reset_password.isEnabled() and "Ctrl+Shift+P" in actions.reset_password.toolTip()
    actions.update(state(inst("vm1", PVE_API, InstanceStatus.RUNNING, InstanceType.VM)))
    assert actions.reset_password.isEnabled()


def test_a_stopped_instance_or_a_multiple_selection_says_what_to_select(actions):
    actions.update(state(inst("web", DOCKER, InstanceStatus.STOPPED)))
    assert not actions.reset_password.isEnabled()
    assert actions.reset_password.toolTip() == "web is not running: start it first"
    assert not actions.stop.isEnabled() and actions.stop.toolTip() == "Select a running instance to stop"
    assert actions.start.isEnabled()
    actions.update(state(inst("a", DOCKER, InstanceStatus.RUNNING), inst("b", DOCKER, InstanceStatus.RUNNING)))
    assert actions.reset_password.toolTip() == "Select one running instance"


def test_power_actions_on_an_offline_node_are_disabled_with_the_node_named(actions):
    running = inst("web", DOCKER, InstanceStatus.RUNNING)
    actions.update(state(running, offline=frozenset({DOCKER.id})))
    for action in (actions.start, actions.stop, actions.restart, actions.delete, actions.reset_password):
        assert not action.isEnabled(), action.objectName()
        assert action.toolTip() == "docker-1 did not answer the last health check", action.objectName()
    actions.update(state(running))
    assert actions.stop.isEnabled() and actions.restart.isEnabled() and actions.delete.isEnabled()


@pytest.mark.lab
def test_the_window_disables_a_proxmox_container_password_without_ssh(qtbot, open_window, lab, lab_pve):
    it = open_window([pve_node(lab_pve, name="pve-api", execution_rule=ExecutionRule.API_ONLY)])
    wait_health(qtbot, it, ["pve-api"], HealthState.HEALTHY.value, timeout=120)
    node_id = it.node_id("pve-api")
    spec = InstanceSpec(
        name=lab.unique_name("ct-reason"), image=f"local:vztmpl/{CT_TEMPLATE}", type=InstanceType.CONTAINER
    )
    ct = run(qtbot, it.ws.create_instance(node_id, spec))
    try:
        it.refresh(qtbot, "pve-api")
        assert ct.status is InstanceStatus.RUNNING
        it.select_rows([it.row_of(ct.name)])
        action = it.window.actions_.reset_password
        assert not action.isEnabled()
        assert "needs SSH" in action.toolTip() and "pve-api" in action.toolTip()
        assert it.window.actions_.stop.isEnabled()  # the API can do that
    finally:
        wait_future(qtbot, it.ws.run_instance_action(InstanceAction.DELETE, [ct], force=True))
