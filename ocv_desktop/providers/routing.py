"""The execution rule (DESIGN.md), in one place: which roads a node uses, and when SSH may take over.

- ``api_only``: the platform API; never SSH.
- ``ssh_only``: the platform's CLI over SSH; never the API.
- ``auto``: the API when it is configured, and SSH only when the API request *provably did not
  reach the server* (connection refused, DNS failure, TLS handshake failure, connect timeout).
  Once a request may have been sent, its error is reported and never retried over SSH, so one
  click can never create two instances. A server certificate that does not match the pin is never
  a reason to fall back either: trust decisions are the user's (DESIGN.md rule 4).

Providers pass their own "provably never sent" test (``transport.http.request_never_sent``, or a
backend's own stricter one), so this module imports no HTTP library: the SSH-only CLI path stays
free of httpx.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ocv_desktop.core.errors import CertificateError, ConnectError, OcvError, Timeout
from ocv_desktop.core.models import ExecutionRule, NodeConfig

log = logging.getLogger(__name__)
B = TypeVar("B")
T = TypeVar("T")


def uses_api(node: NodeConfig) -> bool:
    """The node may talk to its platform API (whether credentials exist is the provider's business)."""
    return ExecutionRule(node.execution_rule) is not ExecutionRule.SSH_ONLY


def uses_ssh(node: NodeConfig) -> bool:
    """The node may open SSH (a local node runs its commands on this computer instead)."""
    return ExecutionRule(node.execution_rule) is not ExecutionRule.API_ONLY and not node.local


def may_fall_back(rule: ExecutionRule, exc: OcvError, *, ssh_available: bool, never_sent: bool) -> bool:
    """True when SSH may take over from an API call (or API connect) that failed with ``exc``."""
    if rule is not ExecutionRule.AUTO or not ssh_available:
        return False
    if isinstance(exc, CertificateError):
        return False
    return never_sent


async def api_or_ssh(
    op: Callable[[B], Awaitable[T]],
    *,
    node: NodeConfig,
    api: B,
    ssh: B | None,
    never_sent: Callable[[BaseException], bool],
    what: str,
) -> T:
    """``op(api)``; on a connect failure or timeout that provably never reached the server, and
    only under ``auto`` with an SSH road open, ``op(ssh)`` instead. ``what`` names the call in the log."""
    try:
        return await op(api)
    except (ConnectError, Timeout) as exc:
        rule = ExecutionRule(node.execution_rule)
        if ssh is None or not may_fall_back(rule, exc, ssh_available=True, never_sent=never_sent(exc)):
            raise
        log.warning("%s: API unreachable for %s (%s); falling back to SSH", node.name, what, exc)
        return await op(ssh)
