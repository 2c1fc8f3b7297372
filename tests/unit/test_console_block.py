"""Whether a console can be opened for a target, and why not (services/consoles.py): what the
window's disabled Open terminal action says in its tooltip."""

from __future__ import annotations

import pytest

from ocv_desktop.core.models import ExecutionRule, Instance, InstanceStatus, InstanceType, NodeConfig, Platform
from ocv_desktop.services.consoles import ConsoleBlock, console_block


def node(platform: Platform, rule: ExecutionRule = ExecutionRule.AUTO, **kw: object) -> NodeConfig:
    return NodeConfig(id="n1", name="n", type=platform, host="10.0.0.5", execution_rule=rule, **kw)  # type: ignore[arg-type]


def inst(status: InstanceStatus = InstanceStatus.RUNNING, kind: InstanceType = InstanceType.CONTAINER) -> Instance:
    return Instance(id="c1", name="c1", node_id="n1", status=status, raw_status=status.value, type=kind)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ((node(Platform.DOCKER), None), None),
        ((node(Platform.DOCKER), inst()), None),
        ((node(Platform.DOCKER), inst(InstanceStatus.STOPPED)), ConsoleBlock.NOT_RUNNING),
        ((node(Platform.INCUS, ExecutionRule.SSH_ONLY), inst()), None),
        ((node(Platform.INCUS, ExecutionRule.API_ONLY), inst()), ConsoleBlock.API_ONLY),
        ((node(Platform.LXD, ExecutionRule.API_ONLY), None), ConsoleBlock.NO_SSH),
        ((node(Platform.PROXMOX, ExecutionRule.API_ONLY), None), ConsoleBlock.NO_SSH),
        ((node(Platform.PROXMOX), inst()), None),
        ((node(Platform.PROXMOX), inst(kind=InstanceType.VM)), ConsoleBlock.VM_CONSOLE),
        # the API roads: LXD/Incus exec websocket, Proxmox termproxy (VM serial, CT console)
        ((node(Platform.INCUS, ExecutionRule.API_ONLY, api_endpoint="https://h:8443"), inst()), None),
        ((node(Platform.PROXMOX, api_token_id="root@pam!t"), inst(kind=InstanceType.VM)), None),
        ((node(Platform.PROXMOX, ExecutionRule.API_ONLY, api_user="root@pam"), inst()), None),
        (
            (node(Platform.PROXMOX, ExecutionRule.SSH_ONLY, api_token_id="a@pam!t"), inst(kind=InstanceType.VM)),
            ConsoleBlock.VM_CONSOLE,
        ),
        ((node(Platform.INCUS, local=True), None), None),
    ],
)
def test_console_block(target: tuple[NodeConfig, Instance | None], expected: ConsoleBlock | None) -> None:
    assert console_block(*target) is expected
    if expected is not None:
        assert expected.message  # the English reason, for the CLI and the logs
