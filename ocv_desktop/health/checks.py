"""One health check of one node: SSH, API and service checks -> ``HealthReport``.

The checks reuse the provider's own transports (its one SSH connection, its API client); nothing
here opens a connection of its own. The SSH check is the reading of the node's resources
(``resources.py``: over the connection's SFTP session, no process on the node; a constant command
where SFTP is not offered), so reachability and CPU/memory/disk/load cost one round trip.

Which checks apply follows the node: SSH when the provider has a shell (``command_runner``), API
only when API credentials exist (``api_configured``), the service check always (each provider knows
how to ask its daemon). A check that does not apply is reported as ``not_checked`` (and does not
count towards the overall state), so every report names all three kinds.

Order and bounds:

- The whole check ends by one deadline (``timeout`` from the start); a check still running then
  is reported offline with "no answer within N s". Nothing waits past the deadline.
- The API check runs at once. The shell checks first make sure the SSH connection is up (a no-op
  when it is): a failed connect then costs ONE attempt per check, not one per probe, and the
  service check, which needs the same shell, is reported offline as "not asked" with the reason.
  Once connected, the SSH probe and the service probe run side by side on that one connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from ocv_desktop.core.errors import CertificateError, HostKeyError, OcvError
from ocv_desktop.core.models import (
    CheckKind,
    CheckResult,
    CheckStatus,
    ExecutionRule,
    HealthReport,
    NodeConfig,
    Platform,
    Resources,
)
from ocv_desktop.health.resources import read_resources
from ocv_desktop.providers.base import Provider
from ocv_desktop.transport.base import CommandRunner

log = logging.getLogger(__name__)

KIND_ORDER = (CheckKind.SSH, CheckKind.API, CheckKind.SERVICE)


# --- which checks apply --------------------------------------------------------------------------


def has_api_credentials(node: NodeConfig) -> bool:
    """From the configuration alone: would the provider have an API client for this node?
    (LXD/Incus: a client certificate or a local unix socket; Proxmox: a token id or a user.)"""
    if node.execution_rule is ExecutionRule.SSH_ONLY:
        return False
    if node.type in (Platform.LXD, Platform.INCUS):
        return bool(node.client_cert and node.client_key) or (node.api_endpoint or "").startswith("unix:")
    if node.type is Platform.PROXMOX:
        return bool(node.api_token_id or node.api_user)
    return False  # Docker nodes are driven over the shell only


def applicable_checks(node: NodeConfig) -> tuple[CheckKind, ...]:
    """The checks that apply to a node before any provider exists (a node that could not even be
    connected still shows the right rows)."""
    kinds = []
    if node.type is Platform.DOCKER or node.execution_rule is not ExecutionRule.API_ONLY:
        kinds.append(CheckKind.SSH)
    if has_api_credentials(node):
        kinds.append(CheckKind.API)
    kinds.append(CheckKind.SERVICE)
    return tuple(kinds)


def _not_checked(kind: CheckKind, why: str) -> CheckResult:
    return CheckResult(kind, CheckStatus.NOT_CHECKED, detail=why)


def _ordered(results: list[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(sorted(results, key=lambda c: KIND_ORDER.index(c.kind)))


# --- running the checks --------------------------------------------------------------------------


def _describe(exc: BaseException, timeout: float, what: str) -> str:
    if isinstance(exc, TimeoutError):
        return f"{what}: no answer within {timeout:g} s"
    if isinstance(exc, OcvError | OSError):
        return str(exc) or type(exc).__name__
    # Not an expected failure: a bug in a probe. Keep the other checks' results and say what broke.
    log.error("health probe (%s) raised", what, exc_info=exc)
    return f"internal error ({type(exc).__name__}: {exc}); please report it"


async def _timed(
    kind: CheckKind, probe: Callable[[], Awaitable[str | None]], deadline: float, timeout: float, what: str
) -> CheckResult:
    """Run one probe until the shared deadline; every failure becomes an offline result with a reason."""
    start = time.monotonic()
    try:
        async with asyncio.timeout_at(deadline):
            detail = await probe()
    except Exception as exc:  # one broken probe must not lose the other results
        # No latency for a check that got no answer: "how long" is just the bound we gave it.
        latency = None if isinstance(exc, TimeoutError) else time.monotonic() - start
        return CheckResult(kind, CheckStatus.OFFLINE, latency=latency, error=_describe(exc, timeout, what))
    return CheckResult(kind, CheckStatus.ONLINE, latency=time.monotonic() - start, detail=detail or "")


async def _connect(runner: CommandRunner) -> None:
    """Open the runner's connection now if it has one (SshSession); a live one is reused as is."""
    connect = getattr(runner, "connect", None)
    if connect is not None:
        await connect()


async def check_provider(
    provider: Provider,
    *,
    timeout: float = 10.0,
    deadline: float | None = None,
    on_ssh_trust: Callable[[HostKeyError | CertificateError | None], None] | None = None,
) -> HealthReport:
    """All applicable checks of one node (module docstring), ending within ``timeout`` seconds, or
    by ``deadline`` (event-loop time) when the caller already spent part of the bound (connecting);
    messages then still quote ``timeout``, the bound the user configured. ``on_ssh_trust`` learns
    whether the SSH connection was refused for trust (the error) or opened (None): a node whose
    API works may still present an SSH host key nobody trusted yet (the terminal needs it)."""
    loop = asyncio.get_running_loop()
    if deadline is None:
        deadline = loop.time() + timeout
    runner = provider.command_runner
    resources: list[Resources] = []

    async def ssh_probe() -> str:
        assert runner is not None
        resources.append(await read_resources(runner, timeout=max(deadline - loop.time(), 0.5)))
        return runner.description

    async def connect_noting_trust() -> None:
        assert runner is not None
        try:
            await _connect(runner)
        except (HostKeyError, CertificateError) as exc:
            if on_ssh_trust is not None:
                on_ssh_trust(exc)
            raise
        if on_ssh_trust is not None:
            on_ssh_trust(None)

    async def shell_checks() -> list[CheckResult]:
        assert runner is not None
        where = runner.description
        connected = await _timed(CheckKind.SSH, connect_noting_trust, deadline, timeout, f"SSH to {where}")
        if connected.status is not CheckStatus.ONLINE:
            service = CheckResult(
                CheckKind.SERVICE, CheckStatus.OFFLINE, error=f"not asked: no SSH connection ({connected.error})"
            )
            return [connected, service]
        ssh, service = await asyncio.gather(
            _timed(CheckKind.SSH, ssh_probe, deadline, timeout, f"SSH to {where}"),
            _timed(CheckKind.SERVICE, provider.probe_service, deadline, timeout, f"service check on {where}"),
        )
        if ssh.latency is not None and connected.latency is not None:  # connecting is part of SSH's cost
            ssh = CheckResult(ssh.kind, ssh.status, ssh.latency + connected.latency, ssh.error, ssh.detail)
        return [ssh, service]

    jobs: list[Awaitable[list[CheckResult]]] = []
    results: list[CheckResult] = []
    if runner is not None:
        jobs.append(shell_checks())
    else:
        results.append(_not_checked(CheckKind.SSH, "no shell access configured for this node"))
        jobs.append(_single(_timed(CheckKind.SERVICE, provider.probe_service, deadline, timeout, "service check")))
    if provider.api_configured:
        jobs.append(_single(_timed(CheckKind.API, provider.probe_api, deadline, timeout, "API")))
    else:
        results.append(_not_checked(CheckKind.API, _no_api_reason(provider)))
    for group in await asyncio.gather(*jobs):
        results += group
    return HealthReport(
        node_id=provider.node.id,
        checks=_ordered(results),
        resources=resources[0] if resources else None,
        checked_at=datetime.now(UTC),
    )


async def _single(check: Awaitable[CheckResult]) -> list[CheckResult]:
    return [await check]


def _no_api_reason(provider: Provider) -> str:
    if provider.type is Platform.DOCKER:
        return "Docker nodes are managed over SSH only"
    if provider.node.execution_rule is ExecutionRule.SSH_ONLY:
        return "the node is set to ssh_only"
    return "no API credentials configured"


def failed_connect_report(node: NodeConfig, error: OcvError) -> HealthReport:
    """A node whose provider could not even be set up: the checks that would apply are offline
    with the reason (the service check as "not asked"), the others not checked."""
    return _offline_report(node, str(error), service_error=f"not asked: could not connect ({error})")


def timed_out_report(node: NodeConfig, seconds: float) -> HealthReport:
    """A node whose whole check did not end within its bound: the applicable checks offline."""
    error = f"no answer within {seconds:g} s"
    return _offline_report(node, error, service_error=error)


def _offline_report(node: NodeConfig, error: str, *, service_error: str) -> HealthReport:
    applicable = applicable_checks(node)
    checks = tuple(
        CheckResult(kind, CheckStatus.OFFLINE, error=service_error if kind is CheckKind.SERVICE else error)
        if kind in applicable
        else _not_checked(kind, "does not apply to this node's configuration")
        for kind in KIND_ORDER
    )
    return HealthReport(node_id=node.id, checks=checks, checked_at=datetime.now(UTC))
