"""The headless session (services/session.py) against the lab's Docker node, without Qt: what the
GUI's bridge and any other face build on. Events arrive as plain calls on a listener."""

from __future__ import annotations

import asyncio

import pytest

from ocv_desktop.core.errors import HostKeyUnknown
from ocv_desktop.services.activity import ActivityState
from ocv_desktop.services.nodes import NodeService
from ocv_desktop.services.session import Session
from ocv_desktop.services.trust import TrustError
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.transport.known_hosts import trust_host_key

pytestmark = pytest.mark.lab


class Recorder:
    """A listener that writes every event down, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.activity_states: list[ActivityState] = []  # each as it was when reported

    def __getattr__(self, name: str):
        return lambda *args: self.events.append((name, args[0] if args else None))

    def activity_changed(self, activity) -> None:
        self.events.append(("activity_changed", activity.id))
        self.activity_states.append(activity.state)


async def test_a_session_lists_and_reports_events_without_qt(lab_home: Home, lab_docker) -> None:
    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_docker.node_config())
    trust_host_key(lab_home.known_hosts, lab_docker.ssh.address, 22, lab_docker.ssh.host_key_line)
    listener = Recorder()
    session = Session(lab_home, secrets, listener=listener)
    await session.start(monitor=False, refresh=False)
    node_id = session.nodes[0].id
    try:
        first = session.refresh(node_id, record=True)
        second = session.refresh(node_id, record=True)  # the newer refresh replaces the older
        await second
        assert first.cancelled()
        assert session.loaded(node_id)
        assert listener.activity_states == [ActivityState.QUEUED, ActivityState.RUNNING, ActivityState.SUCCEEDED]
        assert ("instances_changed", node_id) in listener.events
        assert listener.events[0] == ("nodes_changed", None)
    finally:
        await session.shutdown()
    assert session.pending_tasks() == []


async def test_the_session_asks_the_injected_callback_about_an_unknown_host_key(lab_home: Home, lab_docker) -> None:
    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_docker.node_config())
    asked: list[TrustError] = []

    async def ask(question: TrustError) -> bool:
        asked.append(question)
        return True

    session = Session(lab_home, secrets, ask_trust=ask)
    await session.start(monitor=False, refresh=False)
    node_id = session.nodes[0].id
    try:
        await asyncio.wait_for(session.refresh(node_id, interactive=True), 60)
        assert [type(q) for q in asked] == [HostKeyUnknown]
        assert asked[0].fingerprint == lab_docker.ssh.host_key_fingerprint
        assert lab_docker.ssh.host_key_line.split()[2] in lab_home.known_hosts.read_text()
        assert session.loaded(node_id) and node_id not in session.trust_needed
    finally:
        await session.shutdown()


async def test_snapshots_through_the_session_with_activity_rows(lab_home: Home, lab, lab_incus) -> None:
    from ocv_desktop.core.models import ExecutionRule
    from ocv_desktop.services.session import SnapshotAction

    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_incus.node_config(execution_rule=ExecutionRule.API_ONLY))
    activities: dict[int, object] = {}

    class Keeper(Recorder):
        def activity_changed(self, activity) -> None:
            activities[activity.id] = activity

    session = Session(lab_home, secrets, listener=Keeper())
    await session.start(monitor=False, refresh=False)
    node_id = session.nodes[0].id
    name = lab.unique_name("sess")
    lab_incus.cli_ok("init", "busybox", name)
    lab_incus.cli_ok("start", name)
    try:
        await session.refresh(node_id)
        inst = next(i for i in session.instances_of(node_id) if i.id == name)
        lab_incus.cli_ok("exec", name, "--", "sh", "-c", "echo one > /root/marker")
        assert await session.snapshot_action(SnapshotAction.CREATE, inst, "s1")
        assert [s.name for s in await session.list_snapshots(inst)] == ["s1"]
        lab_incus.cli_ok("exec", name, "--", "sh", "-c", "echo two > /root/marker")
        assert await session.snapshot_action(SnapshotAction.RESTORE, inst, "s1")
        assert lab_incus.cli_ok("exec", name, "--", "cat", "/root/marker").strip() == "one"
        assert await session.snapshot_action(SnapshotAction.DELETE, inst, "s1")
        assert await session.list_snapshots(inst) == []
        # A failure is an activity row saying why, not an exception.
        assert not await session.snapshot_action(SnapshotAction.CREATE, inst, "s1", description="why")
        acts = [a for a in activities.values() if a.instance_name == f"{name} @ s1"]
        assert [a.state for a in acts] == [ActivityState.SUCCEEDED] * 3 + [ActivityState.FAILED]
        assert [a.action for a in acts] == ["Take snapshot", "Restore snapshot", "Delete snapshot", "Take snapshot"]
        assert "no description" in acts[-1].message
    finally:
        lab_incus.cli("delete", "--force", name)
        await session.shutdown()
    assert session.pending_tasks() == []


async def test_two_health_rounds_of_a_lab_node_are_two_points_of_history(lab_home: Home, lab_docker) -> None:
    import os
    import time
    from pathlib import Path

    from ocv_desktop.health.resources import parse_meminfo

    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_docker.node_config())
    trust_host_key(lab_home.known_hosts, lab_docker.ssh.address, 22, lab_docker.ssh.host_key_line)
    listener = Recorder()
    session = Session(lab_home, secrets, listener=listener)
    await session.start(monitor=False, refresh=False)
    node = session.nodes[0]
    try:
        for _ in range(2):
            report = await session._check(node)  # the monitor's own check, delivered as it would
            session._deliver(report)
            await asyncio.sleep(1.1)  # the tick counters move on (USER_HZ), the times differ
        await session.refresh(node.id)
    finally:
        await session.shutdown()
    points = session.history.node_points(node.id)
    assert len(points) == 2
    assert points[0].time < points[1].time <= time.time()
    cpu, memory, disk, load = points[1].values
    # the lab's sshd runs on this machine: its /proc is ours
    total, used = parse_meminfo(Path("/proc/meminfo").read_text())
    assert cpu is not None and 0.0 <= cpu <= 100.0
    assert points[0].values[0] is None  # one round of counters gives no CPU %
    assert memory is not None and total and used and abs(memory - 100 * used / total) < 10
    st = os.statvfs("/")
    disk_percent = 100 * (st.f_blocks - st.f_bavail) / st.f_blocks
    assert disk is not None and abs(disk - disk_percent) < 2
    assert load is not None and load >= 0
    latest = session.history.node_latest(node.id)
    assert latest is not None and latest.memory_total == total and latest.cpu_cores == os.cpu_count()


async def test_listings_record_running_instances_and_forget_deleted_ones(lab_home: Home, lab, lab_incus) -> None:
    from ocv_desktop.core.models import ExecutionRule

    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_incus.node_config(execution_rule=ExecutionRule.API_ONLY))
    session = Session(lab_home, secrets)
    await session.start(monitor=False, refresh=False)
    node_id = session.nodes[0].id
    name = lab.unique_name("hist")
    lab_incus.cli_ok("init", "busybox", name)
    lab_incus.cli_ok("start", name)
    try:
        await session.refresh(node_id)
        await asyncio.sleep(1.1)
        await session.refresh(node_id)
        memory = session.history.instance_series(node_id, name, "memory")
        cpu = session.history.instance_series(node_id, name, "cpu")
        # memory from each listing; CPU is a rate of the CPU time between two listings
        assert len(memory) == 2 and all(0 < v < 2**34 for _, v in memory)
        assert len(cpu) == 1 and 0 <= cpu[0][1] < 64
        lab_incus.cli_ok("delete", "--force", name)
        await session.refresh(node_id)
        assert session.history.instance_series(node_id, name, "memory") == []
    finally:
        lab_incus.cli("delete", "--force", name)
        await session.shutdown()
