"""exec in an LXD/Incus instance with data on its stdin, over the operation websockets.

Why not an exec with ``record-output`` (no websocket) and the secret in ``environment``? That
works, but the secret then sits in the exec request body, in the process environment
(``/proc/<pid>/environ``, readable by root on the host for the life of the process) and in any
debug log of request bodies. Over the websocket the secret travels only as stdin bytes on the
TLS connection and into the command's stdin pipe, exactly like ``incus exec NAME -- chpasswd <<<``
over SSH. The command itself is a constant (``["chpasswd"]``), so no secret is in any argv.

Protocol (non-interactive exec, ``wait-for-websocket: true``): the operation's metadata has
``fds`` = secrets for ``0`` (stdin), ``1`` (stdout), ``2`` (stderr) and ``control``. The server
starts the command once all of them are connected to ``/1.0/operations/{id}/websocket?secret=S``.
We send stdin as binary frames and close that socket for EOF, read stdout/stderr until the server
closes them, and take the exit code from the finished operation (``metadata.return``).

The websockets use the API client's own SSL context (``ApiClient.ssl_context``: the pinned
fingerprint or the CA, and the node's client certificate); on a unix socket, the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from websockets.asyncio.client import ClientConnection, connect, unix_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from ocv_desktop.core.errors import ApiError, ConnectError, OperationFailed, Timeout
from ocv_desktop.providers.lxd_family.api import LxdResponse, instance_path, lxd_call, wait_operation
from ocv_desktop.providers.lxd_family.backend import ExecResult
from ocv_desktop.providers.lxd_family.requests import build_exec_body
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.ws_sender import QUIET_WS_LOG

FD_ORDER = ("control", "0", "1", "2")  # the order the incus/lxc clients connect in
DRAIN_GRACE = 5.0  # seconds to let stdout/stderr finish after the operation ended
MAX_OUTPUT = 1 << 20  # we only ever read short outputs (chpasswd, true); cap them


class WebsocketDialer:
    """Opens operation websockets to the node's API endpoint (https or unix socket)."""

    def __init__(self, client: ApiClient, endpoint: str, *, connect_timeout: float) -> None:
        self.endpoint = endpoint
        self.connect_timeout = connect_timeout
        url = urlsplit(endpoint)
        self._unix_path: str | None = None
        self._ssl = client.ssl_context  # the API client's own trust (pin or CA, client certificate)
        if url.scheme == "unix":
            self._unix_path = unquote(url.path)
            self._base = "ws://localhost"
        else:
            self._base = "wss://" + url.netloc

    async def open(self, path: str) -> ClientConnection:
        uri = self._base + path
        try:
            if self._unix_path is not None:
                return await unix_connect(
                    self._unix_path,
                    uri,
                    open_timeout=self.connect_timeout,
                    max_size=MAX_OUTPUT,
                    compression=None,
                    logger=QUIET_WS_LOG,
                )
            return await connect(
                uri,
                ssl=self._ssl,
                open_timeout=self.connect_timeout,
                max_size=MAX_OUTPUT,
                compression=None,
                logger=QUIET_WS_LOG,
            )
        except TimeoutError:
            raise Timeout(f"opening the exec websocket on {self.endpoint}", self.connect_timeout) from None
        except (OSError, InvalidHandshake, InvalidURI) as exc:
            raise ConnectError(f"cannot open the exec websocket on {self.endpoint}: {exc}") from None


def operation_websocket_path(op_id: object, secret: object) -> str:
    """Where one of an operation's websockets is attached: its id and the fd's secret, quoted."""
    return f"/1.0/operations/{quote(str(op_id), safe='')}/websocket?secret={quote(str(secret), safe='')}"


# What the daemon says when exec cannot start the command; its own CLI exits 127/126 for these.
_EXEC_START_FAILURES = {"Command not found": 127, "Command not executable": 126}


async def await_operation(client: ApiClient, answer: LxdResponse, *, timeout: float) -> dict[str, Any]:
    """Wait for the operation an async answer started (``OperationFailed`` names it on failure)."""
    return await wait_operation(client, answer.operation, timeout=timeout)


async def _read_all(ws: ClientConnection) -> bytes:
    chunks: list[bytes] = []
    size = 0
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            data = message.encode() if isinstance(message, str) else message
            if not data:
                break  # old servers mark EOF with an empty message
            size += len(data)
            if size <= MAX_OUTPUT:
                chunks.append(data)
    return b"".join(chunks)


async def exec_with_stdin(
    client: ApiClient,
    dialer: WebsocketDialer,
    instance: str,
    command: Sequence[str],
    *,
    stdin: bytes,
    timeout: float,
    on_request: Any = None,
) -> ExecResult:
    """Run ``command`` in ``instance`` feeding ``stdin``; return its exit code and output.

    ``on_request`` is called once the exec POST was answered (the provider counts it as a request
    that reached the server, so no fallback can run the command twice)."""
    body = build_exec_body(list(command), websocket=True)
    answer = await lxd_call(client, "POST", instance_path(instance, "exec"), json=body, timeout=min(timeout, 30.0))
    if on_request is not None:
        on_request()
    op = answer.metadata if isinstance(answer.metadata, dict) else {}
    fds = (op.get("metadata") or {}).get("fds") or {}
    op_id = op.get("id")
    if answer.type != "async" or not op_id or not all(k in fds for k in ("0", "1", "2")):
        raise ApiError(f"exec in {instance}: the server did not offer the stdin/stdout/stderr websockets")

    sockets: dict[str, ClientConnection] = {}
    readers: list[asyncio.Task[bytes]] = []
    try:
        async with asyncio.timeout(timeout):
            for key in FD_ORDER:
                if key in fds:
                    sockets[key] = await dialer.open(operation_websocket_path(op_id, fds[key]))
            readers += [asyncio.create_task(_read_all(sockets[k])) for k in ("1", "2")]
            if stdin:
                await sockets["0"].send(stdin)  # bytes: one binary frame
            await sockets["0"].close()  # EOF for the command's stdin
            try:
                final = await await_operation(client, answer, timeout=timeout)
            except OperationFailed as exc:
                code = next((c for word, c in _EXEC_START_FAILURES.items() if word in exc.message), None)
                if code is None:
                    raise
                return ExecResult(code, b"", exc.message.encode())
            done, _ = await asyncio.wait(readers, timeout=DRAIN_GRACE)
            stdout, stderr = (t.result() if t in done else b"" for t in readers)
    except TimeoutError:
        raise Timeout(f"exec in {instance}", timeout) from None
    finally:
        for ws in sockets.values():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 2.0)
        for task in readers:
            task.cancel()
    code = (final.get("metadata") or {}).get("return")
    if not isinstance(code, int):
        raise ApiError(f"exec in {instance}: the server reported no exit code")
    return ExecResult(code, stdout, stderr)
