"""ProviderPool's decisions (services/pool.py): one shared connect per node, failures not
remembered, a changed node reconnected, a caller that gives up not cancelling the others' attempt,
and the health check's connect errors turned into reports.

The connect itself (``open_provider``) is replaced by a scripted one: what is under test is the
pool's bookkeeping around it. The lab tests (tests/integration/test_health.py) use real nodes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from ocv_desktop.core.errors import ConnectError, OcvError, Timeout
from ocv_desktop.core.models import CheckKind, CheckStatus, HealthState, NodeConfig, Platform
from ocv_desktop.services import pool as pool_module
from ocv_desktop.services.pool import ProviderPool
from ocv_desktop.store.config import Settings
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore


class Connected:
    """What ``open_provider`` returns: a provider for one node configuration."""

    def __init__(self, node: NodeConfig) -> None:
        self.node = node
        self.name = node.name
        self.disconnected = 0

    async def disconnect(self) -> None:
        self.disconnected += 1


class Connector:
    """A scripted ``open_provider``: each call waits for ``gate`` (when set), then fails with the
    next scripted error or returns a new ``Connected``."""

    def __init__(self) -> None:
        self.calls: list[NodeConfig] = []
        self.made: list[Connected] = []
        self.errors: list[OcvError] = []
        self.gate: asyncio.Event | None = None
        self.cancelled = 0

    async def __call__(self, node: NodeConfig, secrets: Any, home: Any, settings: Any) -> Connected:
        self.calls.append(node)
        try:
            if self.gate is not None:
                await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if self.errors:
            raise self.errors.pop(0)
        made = Connected(node)
        self.made.append(made)
        return made


@pytest.fixture
def connector(monkeypatch: pytest.MonkeyPatch) -> Connector:
    scripted = Connector()
    monkeypatch.setattr(pool_module, "open_provider", scripted)
    return scripted


@pytest.fixture
def pool(tmp_path: Path) -> ProviderPool:
    return ProviderPool(Home(tmp_path / "home").ensure(), SecretStore(None), Settings(health_timeout=2))


def docker_node(name: str = "n1", host: str = "10.77.0.2") -> NodeConfig:
    return NodeConfig(name=name, type=Platform.DOCKER, host=host)


async def test_callers_arriving_together_share_one_connect(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    connector.gate = asyncio.Event()
    callers = [asyncio.ensure_future(pool.get(node)) for _ in range(5)]
    await asyncio.sleep(0)
    connector.gate.set()
    got = await asyncio.gather(*callers)
    assert len(connector.calls) == 1
    assert all(p is got[0] for p in got)
    assert pool.connected(node.id) is got[0]
    assert await pool.get(node) is got[0] and len(connector.calls) == 1  # connected: no new attempt


async def test_a_failed_connect_is_shared_then_forgotten(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    connector.errors = [ConnectError("refused")]
    connector.gate = asyncio.Event()
    callers = [asyncio.ensure_future(pool.get(node)) for _ in range(3)]
    await asyncio.sleep(0)
    connector.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectError] * 3 and len(connector.calls) == 1
    assert pool.connected(node.id) is None
    # the next call (next health cycle, "check now") tries again
    assert isinstance(await pool.get(node), Connected) and len(connector.calls) == 2


async def test_a_caller_that_gives_up_does_not_cancel_the_attempt(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    connector.gate = asyncio.Event()
    impatient = asyncio.ensure_future(pool.get(node))
    await asyncio.sleep(0)
    impatient.cancel()  # e.g. the health bound ran out
    with pytest.raises(asyncio.CancelledError):
        await impatient
    patient = asyncio.ensure_future(pool.get(node))  # joins the attempt still running
    await asyncio.sleep(0)
    connector.gate.set()
    provider = await patient
    assert len(connector.calls) == 1 and connector.cancelled == 0
    assert pool.connected(node.id) is provider


async def test_an_edited_node_is_reconnected_and_its_old_connection_closed(
    pool: ProviderPool, connector: Connector
) -> None:
    node = docker_node()
    old = await pool.get(node)
    edited = node.replace(host="10.77.0.3")
    new = await pool.get(edited)
    assert new is not old and new.node == edited
    assert old.disconnected == 1 and new.disconnected == 0
    assert [c.host for c in connector.calls] == ["10.77.0.2", "10.77.0.3"]


async def test_an_edit_during_a_connect_abandons_the_old_attempt(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    connector.gate = asyncio.Event()
    first = asyncio.ensure_future(pool.get(node))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(pool.get(node.replace(host="10.77.0.3")))
    await asyncio.sleep(0)
    connector.gate.set()
    provider = await second
    assert provider.node.host == "10.77.0.3"
    assert connector.cancelled == 1  # the attempt for the old address was cancelled
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_drop_abandons_a_connect_and_close_disconnects_everything(
    pool: ProviderPool, connector: Connector
) -> None:
    a, b = docker_node("a"), docker_node("b", "10.77.0.4")
    provider_a = await pool.get(a)
    connector.gate = asyncio.Event()
    pending = asyncio.ensure_future(pool.get(b))
    for _ in range(3):  # let the connect task start and reach the connector
        await asyncio.sleep(0)
    assert connector.calls[-1] == b
    await pool.drop(b.id)
    assert connector.cancelled == 1 and pool.connected(b.id) is None
    with pytest.raises(asyncio.CancelledError):
        await pending
    await pool.close()
    assert provider_a.disconnected == 1 and pool.connected(a.id) is None


async def test_mutations_on_one_node_take_turns(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    events: list[str] = []

    async def mutate(label: str) -> None:
        async with pool.exclusive(node):
            events.append(f"{label} begins")
            await asyncio.sleep(0.01)
            events.append(f"{label} ends")

    await asyncio.gather(mutate("first"), mutate("second"))
    assert events == ["first begins", "first ends", "second begins", "second ends"]


async def test_health_check_of_a_node_that_cannot_be_reached_is_a_report(
    pool: ProviderPool, connector: Connector
) -> None:
    node = docker_node()
    seen: list[OcvError | None] = []
    connector.errors = [ConnectError("refused")]
    report = await pool.check_health(node, on_connect=seen.append)
    assert report.state is HealthState.UNHEALTHY
    assert report.check(CheckKind.SSH).status is CheckStatus.OFFLINE and "refused" in report.check(CheckKind.SSH).error
    assert [type(e) for e in seen] == [ConnectError]


async def test_health_check_bounds_the_connect_and_says_so(pool: ProviderPool, connector: Connector) -> None:
    node = docker_node()
    seen: list[OcvError | None] = []
    pool.settings = Settings(health_timeout=0.2)
    connector.gate = asyncio.Event()  # never set: the connect hangs
    report = await asyncio.wait_for(pool.check_health(node, on_connect=seen.append), 30)  # 30: against a hang
    assert [type(e) for e in seen] == [Timeout]
    assert report.check(CheckKind.SSH).error == "connecting to root@10.77.0.2:22 timed out after 0.2 s"
    # the attempt goes on for the next caller (it was shielded), until the pool is closed
    assert connector.cancelled == 0
    await pool.close()
    assert connector.cancelled == 1
