"""The Docker daemon's version from its Engine API over the node's unix socket, for the service
check: no process on the node (the ``docker`` CLI costs the node ~20 ms of CPU per call).

The road: ``DirectAccess.open_unix_socket`` (over SSH, sshd connects to the socket as the login
user: no process), then ``GET /_ping`` (``stream_http.py``). dockerd stamps every answer
with ``Server: Docker/<version> (<os>)`` and ``Api-Version: <version>``: the server version and the
API version ``docker version`` prints as its Server part, so the detail text does not change.
Not ``GET /version``: to fill in its component list, dockerd runs ``runc --version`` and
``docker-init --version`` for every call (measured on the lab's dockerd 20.10: 5 ms of CPU per
call against 0.2 ms for the ping). A daemon whose ping does not say it is Docker (another engine
behind the socket) is asked ``GET /version`` instead.

Which socket: the one the docker CLI on the node would use, learned with one small command per
connection (``ENDPOINT_ARGV``, run like every other command, so with sudo when the node uses
sudo): ``DOCKER_HOST`` when it is ``unix://...``, else the default socket; a ``tcp://``/``ssh://``
host or a non-default context (``DOCKER_CONTEXT``, ``currentContext`` in the CLI's config, e.g.
rootless Docker) keeps the CLI, which knows where those lead.

Fallback: whenever the socket road gives no version (the socket cannot be opened: the login user
is not in the docker group and the node uses sudo, ``AllowStreamLocalForwarding no``, a daemon
that is down; or an answer we cannot read), ``version`` returns None and the caller asks the CLI.
If the CLI then reaches the daemon, the socket road is closed for the rest of the connection
(``use_cli``): a node where it cannot work does not pay for trying it at every check. A daemon
that is down fails both ways, so the socket is tried again next time.
"""

from __future__ import annotations

import asyncio
import logging
import re

from ocv_desktop.core.errors import ApiError, ConnectError, Timeout, Unsupported
from ocv_desktop.providers.docker import parse as dp
from ocv_desktop.transport.base import CommandRunner, direct_access
from ocv_desktop.transport.stream_http import HttpResponse, http_get

log = logging.getLogger(__name__)

DEFAULT_SOCKET = "/var/run/docker.sock"
# Constant script (no user value): what decides which daemon the docker CLI talks to. The config
# file is only searched for its currentContext key (it may hold registry credentials).
ENDPOINT_ARGV = (
    "sh",
    "-c",
    'printf "%s\\n%s\\n" "${DOCKER_HOST-}" "${DOCKER_CONTEXT-}"; '
    'grep -so \'"currentContext"[^,}]*\' "${DOCKER_CONFIG:-$HOME/.docker}/config.json"; true',
)
_CURRENT_CONTEXT = re.compile(r'"currentContext"\s*:\s*"([^"]*)"')
MAX_VERSION_BODY = 64 * 1024


def socket_from_environment(text: str) -> str | None:
    """The unix socket the CLI would use, from ``ENDPOINT_ARGV``'s output; None when it would use
    something else. The CLI's order: DOCKER_HOST, then DOCKER_CONTEXT, then currentContext."""
    lines = text.split("\n")
    host = lines[0].strip()
    context = lines[1].strip() if len(lines) > 1 else ""
    if host:
        path = host.removeprefix("unix://")
        return path if host.startswith("unix://") and path.startswith("/") else None
    if context:
        return DEFAULT_SOCKET if context == "default" else None
    current = _CURRENT_CONTEXT.search("\n".join(lines[2:]))
    if current is not None and current.group(1) not in ("", "default"):
        return None
    return DEFAULT_SOCKET


class DockerEngine:
    """The socket road for one runner (the provider makes a new one when its runner changes)."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self._direct = direct_access(runner)
        self._learned_for: int | None = None  # the connection_id the socket below belongs to
        self._socket: str | None = None  # None: use the CLI on this connection
        self._learning = asyncio.Lock()

    async def version(self, *, timeout: float) -> dp.DockerVersion | None:
        """The daemon's version from its API, or None when the CLI has to be asked (module
        docstring). Raises ``Timeout`` when the daemon accepted the request but did not answer
        (hung: the CLI would hang as well), and what the runner raises for an unreachable node."""
        if self._direct is None:
            return None
        deadline = asyncio.get_running_loop().time() + timeout
        path = await self._socket_path(timeout)
        if path is None:
            return None
        try:
            return await self._ask(path, deadline, timeout)
        except (ApiError, ConnectError, Unsupported, OSError, dp.DockerOutputError) as exc:
            log.info("Docker socket %s on %s: %s; asking the CLI", path, self.runner.description, exc)
            return None

    async def _ask(self, path: str, deadline: float, timeout: float) -> dp.DockerVersion:
        version = dp.version_from_ping((await self._get(path, "/_ping", deadline, timeout)).headers)
        if version is not None:
            return version
        # Not Docker's own daemon (its Server header says something else): the version document.
        response = await self._get(path, "/version", deadline, timeout)
        return dp.parse_engine_version(response.body.decode("utf-8", "replace"))

    async def _get(self, path: str, request: str, deadline: float, timeout: float) -> HttpResponse:
        assert self._direct is not None
        remaining = max(deadline - asyncio.get_running_loop().time(), 0.1)
        reader, writer = await self._direct.open_unix_socket(path, timeout=remaining)
        try:
            async with asyncio.timeout_at(deadline):
                response = await http_get(reader, writer, request, host="docker", max_body=MAX_VERSION_BODY)
        except TimeoutError:
            raise Timeout(f"`GET {request}` on {path} on {self.runner.description}", timeout) from None
        if response.status != 200:
            raise ApiError(f"`GET {request}` answered HTTP {response.status} {response.reason}", status=response.status)
        return response

    def use_cli(self) -> None:
        """The CLI reached the daemon where the socket did not: keep to the CLI on this connection."""
        if self._socket is not None:
            log.info("Docker socket %s on %s does not work; using the CLI", self._socket, self.runner.description)
        self._socket = None

    async def _socket_path(self, timeout: float) -> str | None:
        assert self._direct is not None
        async with self._learning:
            if self._learned_for != self._direct.connection_id:
                result = await self.runner.run(ENDPOINT_ARGV, timeout=timeout, check=False)
                self._socket = socket_from_environment(result.out) if result.ok else None
                self._learned_for = self._direct.connection_id  # after the run: it may have reconnected
            return self._socket
