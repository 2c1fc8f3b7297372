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


async def test_a_refresh_shows_the_docker_list_first_and_its_usage_later(lab_home: Home, lab, lab_docker) -> None:
    """`docker stats` samples for ~2 s: the list must not wait for it (Provider.with_usage)."""
    secrets = await SecretStore.open()
    await NodeService(lab_home, secrets).add_node(lab_docker.node_config())
    trust_host_key(lab_home.known_hosts, lab_docker.ssh.address, 22, lab_docker.ssh.host_key_line)
    name = lab.unique_name("usage")
    lab_docker.docker_ok("run", "-d", "--name", name, lab_docker.busybox, "sleep", "1000")
    seen: list[tuple[int | None, bool]] = []  # per instances_changed: (memory usage of ours, refresh running)

    class Watcher(Recorder):
        def instances_changed(self, node_id) -> None:
            mine = next(i for i in session.instances_of(node_id) if i.name == name)
            seen.append((mine.memory_usage, session.refreshing(node_id)))

    session = Session(lab_home, secrets, listener=Watcher())
    await session.start(monitor=False, refresh=False)
    try:
        await session.refresh(session.nodes[0].id)
    finally:
        await session.shutdown()
        lab_docker.docker("rm", "-f", name)
    assert len(seen) == 2, seen
    (listed, listing_running), (with_usage, _) = seen
    assert listed is None and listing_running  # the list, shown while the usage is still asked for
    assert with_usage is not None and with_usage > 0
