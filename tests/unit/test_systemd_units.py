"""The systemd unit probe on this machine, which (like the lab's hosts) does not run systemd."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ocv_desktop.providers.systemd import SystemdUnits
from ocv_desktop.transport.base import CommandResult
from ocv_desktop.transport.local import LocalSession

pytestmark = pytest.mark.skipif(os.path.isdir("/run/systemd/system"), reason="this machine runs systemd")


class Counting:
    """The real local runner, counting the commands it is asked to run."""

    def __init__(self) -> None:
        self.inner = LocalSession()
        self.argvs: list[tuple[str, ...]] = []
        self.description = self.inner.description

    async def run(self, argv: Sequence[str], **kwargs: Any) -> CommandResult:
        self.argvs.append(tuple(argv))
        return await self.inner.run(argv, **kwargs)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_node_without_systemd_is_asked_once_per_connection() -> None:
    runner = Counting()
    units = SystemdUnits(runner, ("docker.service", "$(touch /tmp/ocv-never)"))
    assert await units.states(timeout=10) is None
    assert await units.states(timeout=10) is None
    assert await units.states(timeout=10) is None
    assert len(runner.argvs) == 1
    # The unit names travel as positional arguments, never inside the script.
    script = runner.argvs[0][2]
    assert "docker.service" not in script and runner.argvs[0][-2:] == ("docker.service", "$(touch /tmp/ocv-never)")
    assert not Path("/tmp/ocv-never").exists()
    await runner.close()
