"""The state of a platform's systemd units on a node, for the service health check.

Whether a node runs systemd does not change while we are connected, so it is asked once per
connection; afterwards a node without systemd costs no command at all, and a node with systemd
costs one ``systemctl is-active``. Health checks run every 30 s on every node, so this matters.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocv_desktop.core.errors import OcvError
from ocv_desktop.transport.base import CommandRunner

# Constant script; the unit names arrive as positional arguments ("$@"), never inside the script.
_FIRST_PROBE = (
    "sh",
    "-c",
    'if [ -d /run/systemd/system ]; then systemctl is-active "$@"; else echo no-systemd; fi',
    "sh",
)


class SystemdUnits:
    """Asks a node for the states of ``units`` (``active``, ``inactive``, ``failed`` ...)."""

    def __init__(self, runner: CommandRunner, units: Sequence[str]) -> None:
        self.runner = runner
        self._units = tuple(units)
        self._has_systemd: bool | None = None  # unknown until the first answer

    async def states(self, *, timeout: float) -> dict[str, str] | None:
        """Unit -> state, or None where the node does not run systemd (or did not say)."""
        if self._has_systemd is False:
            return None
        argv = (*_FIRST_PROBE, *self._units) if self._has_systemd is None else ("systemctl", "is-active", *self._units)
        try:
            result = await self.runner.run(argv, timeout=timeout, check=False)
        except OcvError:
            return None
        words = result.out.split()
        if words == ["no-systemd"]:
            self._has_systemd = False
            return None
        if len(words) != len(self._units):
            return None  # systemctl itself failed; the daemon check decides
        self._has_systemd = True
        return dict(zip(self._units, words, strict=True))
