"""Issue 15: background refreshes (start-up, the first look at a scope, stale lists) list at most
``BACKGROUND_REFRESHES`` nodes at once; a refresh the user asked for never waits for them.

The pool's connect is replaced by a counting coroutine: what is tested is the session's
scheduling, and the dead-node benchmark (benchmarks/) measures the real connects."""

from __future__ import annotations

import asyncio

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import NodeConfig, Platform
from ocv_desktop.services import session as session_module
from ocv_desktop.services.session import Session
from ocv_desktop.store.config import AppConfig
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore


async def test_background_refreshes_are_capped_and_an_asked_one_is_not(tmp_path) -> None:
    nodes = [NodeConfig(name=f"n{i}", type=Platform.DOCKER, host="127.0.0.1", port=1 + i) for i in range(30)]
    session = Session(Home(tmp_path / "home").ensure(), SecretStore(None))
    session._apply_config(AppConfig(nodes=tuple(nodes)))
    running: set[str] = set()
    peak = 0
    asked_started = asyncio.Event()
    release = asyncio.Event()

    async def get(node: NodeConfig):
        nonlocal peak
        running.add(node.name)
        peak = max(peak, len(running))
        if node.name == "n29":
            asked_started.set()
        await release.wait()
        running.discard(node.name)
        raise OcvError("refused")

    session.pool.get = get  # type: ignore[method-assign]
    for node in nodes[:29]:
        session.refresh(node.id)
    await asyncio.sleep(0.05)
    assert len(running) == session_module.BACKGROUND_REFRESHES  # the rest wait their turn
    asked = session.refresh(nodes[29].id, interactive=True)
    await asyncio.wait_for(asked_started.wait(), 5)  # not behind the 21 waiting ones
    release.set()
    await asyncio.wait_for(asked, 5)
    for node in nodes[:29]:
        while session.refreshing(node.id):  # noqa: ASYNC110 - the tasks have no event to wait on
            await asyncio.sleep(0.01)
    assert peak == session_module.BACKGROUND_REFRESHES + 1
    assert set(session.errors) == {n.id for n in nodes}  # every node was tried
    await session.shutdown()
