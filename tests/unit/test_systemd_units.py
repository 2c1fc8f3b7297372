"""The systemd unit probe (providers/systemd.py).

The probe runs for real on this machine (``sh`` through LocalSession), whichever branch this machine
takes: without systemd (containers, like the lab's hosts) it answers ``no-systemd`` once per
connection; with systemd it asks the real ``systemctl``. The decision logic for the branch this
machine does not have is checked with a runner that answers as such a node's ``sh`` would (systemd
itself cannot be started in a test).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ocv_desktop.core.errors import ConnectError
from ocv_desktop.providers.systemd import SystemdUnits
from ocv_desktop.transport.base import CommandResult
from ocv_desktop.transport.local import LocalSession

HAS_SYSTEMD = os.path.isdir("/run/systemd/system")


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


class Answering:
    """A node's answers, one per command, in order (an exception is raised instead of answered)."""

    description = "node n1"

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.argvs: list[tuple[str, ...]] = []

    async def run(self, argv: Sequence[str], **kwargs: Any) -> CommandResult:
        self.argvs.append(tuple(argv))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return CommandResult(tuple(argv), 0, answer.encode(), b"")


async def test_the_real_probe_on_this_machine_takes_its_branch_and_remembers_it() -> None:
    runner = Counting()
    units = SystemdUnits(runner, ("ocv-no-such-unit.service", "ocv-also-missing.service"))
    states = [await units.states(timeout=10) for _ in range(3)]
    if HAS_SYSTEMD:  # asked every time; after the first probe, systemctl directly
        assert states == [{"ocv-no-such-unit.service": "inactive", "ocv-also-missing.service": "inactive"}] * 3
        assert [a[:2] for a in runner.argvs] == [("sh", "-c"), ("systemctl", "is-active"), ("systemctl", "is-active")]
    else:  # asked once per connection
        assert states == [None, None, None]
        assert len(runner.argvs) == 1
    await runner.close()


async def test_unit_names_travel_as_arguments_never_inside_the_script() -> None:
    runner = Counting()
    await SystemdUnits(runner, ("docker.service", "$(touch /tmp/ocv-never)")).states(timeout=10)
    first = runner.argvs[0]
    assert first[:2] == ("sh", "-c") and "docker.service" not in first[2]
    assert first[-2:] == ("docker.service", "$(touch /tmp/ocv-never)")
    assert not Path("/tmp/ocv-never").exists()
    await runner.close()


async def test_a_node_with_systemd_is_probed_once_then_asked_with_systemctl() -> None:
    runner = Answering("active\nfailed\n", "inactive\nactive\n")
    units = SystemdUnits(runner, ("docker.service", "containerd.service"))
    assert await units.states(timeout=5) == {"docker.service": "active", "containerd.service": "failed"}
    assert await units.states(timeout=5) == {"docker.service": "inactive", "containerd.service": "active"}
    assert runner.argvs[0][:2] == ("sh", "-c")
    assert runner.argvs[1] == ("systemctl", "is-active", "docker.service", "containerd.service")


async def test_a_node_without_systemd_costs_one_command_per_connection() -> None:
    runner = Answering("no-systemd\n")
    units = SystemdUnits(runner, ("docker.service",))
    assert [await units.states(timeout=5) for _ in range(3)] == [None, None, None]
    assert len(runner.argvs) == 1


async def test_an_answer_that_does_not_fit_leaves_the_question_open() -> None:
    # systemctl failed (one word for two units), then the node was unreachable: None both times,
    # and the next call probes again, because whether the node runs systemd is still unknown.
    runner = Answering("Failed\n", ConnectError("node n1 is down"), "active\nactive\n")
    units = SystemdUnits(runner, ("a.service", "b.service"))
    assert await units.states(timeout=5) is None
    assert await units.states(timeout=5) is None
    assert await units.states(timeout=5) == {"a.service": "active", "b.service": "active"}
    assert [a[:2] for a in runner.argvs] == [("sh", "-c")] * 3
