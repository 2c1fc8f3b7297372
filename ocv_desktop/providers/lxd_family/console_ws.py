"""A shell in an LXD/Incus instance over the API: an interactive exec and its two websockets.

Protocol (``POST /1.0/instances/{name}/exec`` with ``interactive: true``, ``wait-for-websocket:
true``, ``width``/``height``): the operation's metadata has ``fds`` = secrets for ``0`` (the PTY:
our binary frames are keystrokes, the server's frames are the screen output) and ``control``
(JSON commands: ``window-resize`` with string width/height, ``signal``). The server starts the
command once both are attached (control first, as the incus/lxc clients do) and closes ``0`` when
the command ends; the operation's ``metadata.return`` is then its exit status.

Ending it: a normal close of the websockets does *not* kill the process on every server version
(only an abnormal control closure does), so ``close()`` first sends SIGHUP through ``control``,
what a closed terminal sends (bash exits and hangs up its jobs), then SIGKILL if the operation
has not ended after a grace period, and waits for the operation: a closed tab leaves no shell
behind.

Trust is the API client's (``exec.WebsocketDialer``: the pinned certificate or the CA, and the
client certificate; or the local unix socket). Nothing secret is in the command or in a URL but the
one-use websocket secrets the server issued for this operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from ocv_desktop.core.errors import ApiError, OcvError, Timeout
from ocv_desktop.providers.lxd_family.api import instance_path, lxd_call, wait_operation
from ocv_desktop.providers.lxd_family.exec import WebsocketDialer, operation_websocket_path
from ocv_desktop.providers.lxd_family.requests import build_console_exec_body
from ocv_desktop.transport.console import TermSize
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.ws_sender import OrderedSender

log = logging.getLogger(__name__)

# bash when the instance has it (history, line editing), else the POSIX shell every image has.
SHELL_COMMAND = ["sh", "-c", "command -v bash >/dev/null 2>&1 && exec bash -l || exec sh -l"]
TERM = "xterm-256color"
HANGUP_GRACE = 3.0  # seconds the shell gets to exit on SIGHUP before SIGKILL
END_WAIT = 10.0  # seconds to wait for the operation to report the end after the kill


class LxdApiConsole:
    """An open interactive exec (``ConsoleChannel``)."""

    def __init__(
        self,
        client: ApiClient,
        operation: str,
        data: ClientConnection,
        control: ClientConnection,
        *,
        title: str,
    ) -> None:
        self._client = client
        self._operation = operation  # the operation URL, for its end and exit status
        self._data = data
        self._control = control
        self._title = title
        self._ended = False
        self._closed = False
        self._exit_status: int | None = None
        self._reading = False
        self._sender: OrderedSender[bytes] = OrderedSender(data.send, name=f"console send {title}")

    @property
    def title(self) -> str:
        return self._title

    @property
    def exit_status(self) -> int | None:
        return self._exit_status

    async def read(self) -> bytes:
        if self._ended:
            return b""
        self._reading = True
        try:
            message = await self._data.recv()
        except ConnectionClosed:
            message = b""
        finally:
            self._reading = False
        data = message.encode() if isinstance(message, str) else bytes(message)
        if not data:  # closed, or an old server's empty EOF message
            self._ended = True
            # The server ends the operation only once we let go of the control socket too.
            await self._close_sockets()
            await self._collect_status(timeout=END_WAIT)
        return data

    def write(self, data: bytes) -> None:
        if data and not self._ended:
            self._sender.put(bytes(data))  # one binary frame per write, in order

    async def resize(self, size: TermSize) -> None:
        if self._ended:
            return
        command = {"command": "window-resize", "args": {"width": str(size.cols), "height": str(size.rows)}}
        with contextlib.suppress(ConnectionClosed):
            await self._control.send(json.dumps(command))

    async def _signal(self, signum: int) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._control.send(json.dumps({"command": "signal", "signal": int(signum)}))

    async def _data_ended(self, timeout: float) -> bool:
        """Wait until the server closes the PTY socket (the process ended); True if it did.
        Output nobody will read is drained, so the connection sees the server's close frame;
        while the widget's own read() is waiting, that read sees it instead."""
        try:
            async with asyncio.timeout(timeout):
                if self._reading:
                    await self._data.wait_closed()
                else:
                    with contextlib.suppress(ConnectionClosed):
                        while await self._data.recv():
                            pass
        except TimeoutError:
            return False
        return True

    async def _collect_status(self, *, timeout: float) -> bool:
        """Wait for the operation's end; True once it ended (its exit status kept)."""
        try:
            final = await wait_operation(self._client, self._operation, timeout=timeout)
        except OcvError as exc:
            # A Timeout: still running. Anything else (a failed operation, a gone server): ended
            # as far as we can tell; the exit status stays unknown.
            log.debug("console %s: %s", self._title, exc)
            return not isinstance(exc, Timeout)
        code = (final.get("metadata") or {}).get("return")
        if isinstance(code, int):
            self._exit_status = code
        return True

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self._ended:
                await self._sender.flush()
                await self._signal(signal.SIGHUP)
                if not await self._data_ended(HANGUP_GRACE):
                    await self._signal(signal.SIGKILL)
                    await self._data_ended(END_WAIT)
                # The process is gone (the server closed its PTY socket); the operation ends
                # once the control socket is closed too, and then says the exit status.
                await self._close_sockets()
                await self._collect_status(timeout=END_WAIT)
        finally:
            self._ended = True
            await self._close_sockets()

    async def _close_sockets(self) -> None:
        await self._sender.stop()
        for ws in (self._data, self._control):
            with contextlib.suppress(Exception):
                await ws.close()


async def open_lxd_console(
    client: ApiClient,
    dialer: WebsocketDialer,
    instance: str,
    size: TermSize,
    *,
    title: str,
    command: list[str] | None = None,
) -> LxdApiConsole:
    """Start a shell (or ``command``) in ``instance`` on a PTY of ``size`` and attach to it."""
    body = build_console_exec_body(command or SHELL_COMMAND, width=size.cols, height=size.rows, term=TERM)
    answer = await lxd_call(client, "POST", instance_path(instance, "exec"), json=body, timeout=30.0)
    op: dict[str, Any] = answer.metadata if isinstance(answer.metadata, dict) else {}
    fds = (op.get("metadata") or {}).get("fds") or {}
    op_id = op.get("id")
    if answer.type != "async" or not op_id or "0" not in fds or "control" not in fds:
        raise ApiError(f"exec in {instance}: the server did not offer the terminal websockets")
    opened: list[ClientConnection] = []
    try:
        for key in ("control", "0"):  # the order the incus/lxc clients attach in
            opened.append(await dialer.open(operation_websocket_path(op_id, fds[key])))
    except BaseException:
        for ws in opened:
            with contextlib.suppress(Exception):
                await ws.close()
        raise
    control, data = opened
    return LxdApiConsole(client, answer.operation, data, control, title=title)
