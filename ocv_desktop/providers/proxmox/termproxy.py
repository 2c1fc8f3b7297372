"""A Proxmox guest's text console over the API: ``termproxy`` relayed through ``vncwebsocket``.

Protocol (what PVE's own xterm.js page speaks; pve-manager ``www/xtermjs``, pve-xtermjs's
``termproxy``):
1. ``POST /nodes/{node}/{lxc|qemu}/{vmid}/termproxy`` -> ``{port, ticket, user, upid}``: PVE starts
   a ``termproxy`` task listening on ``port`` for one connection, for about 40 s. For a VM it runs
   ``qm terminal`` (the serial port); for a container ``lxc-console`` (its console: a login prompt).
2. ``GET …/vncwebsocket?port=P&vncticket=T`` as a websocket (subprotocol ``binary``), with the same
   authentication as every API call (token header or ticket cookie) over the same pinned TLS.
3. The first message is ``USER:TICKET\\n``; termproxy answers ``OK`` (possibly followed by output
   in the same message). Then our messages are ``0:LEN:DATA`` (input; LEN in UTF-8 bytes),
   ``1:COLS:ROWS:`` (resize) and ``2`` (keepalive); the server's messages are raw output bytes.

Messages go as text frames, as xterm.js sends them (pveproxy forwards both kinds; some relays only
text), so keystrokes are decoded as UTF-8 incrementally: a character split across two writes is
sent whole with the second.

Closing the websocket ends termproxy and with it its task; ``close()`` then checks the task and
stops it (``DELETE …/tasks/{upid}``) if it is still running. The ticket is a credential for 40 s:
it is never logged (the websockets library logs to a quiet logger, ws_sender.QUIET_WS_LOG) and
never put in an error message; the URL that carries it is not either.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ocv_desktop.core.errors import ApiError, AuthError, ConnectError, OcvError, Timeout
from ocv_desktop.providers.proxmox.api import pve_request, side_connection_headers, upid_node
from ocv_desktop.transport.console import TermSize
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.tls import PinMismatch
from ocv_desktop.transport.ws_sender import QUIET_WS_LOG, OrderedSender

log = logging.getLogger(__name__)

SUBPROTOCOL = "binary"  # what PVE's vncwebsocket offers
KEEPALIVE_EVERY = 30.0  # seconds; xterm.js sends "2" at this pace, pveproxy drops idle relays
HANDSHAKE_TIMEOUT = 15.0
TASK_END_WAIT = 5.0  # seconds termproxy gets to exit on its own after the websocket closed
MAX_MESSAGE = 1 << 20


@dataclass(frozen=True, slots=True)
class ProxyTicket:
    """What ``termproxy``/``vncproxy`` answer: where the proxy listens and the one-use ticket."""

    port: str
    ticket: str = field(repr=False)
    user: str
    upid: str
    password: str | None = field(default=None, repr=False)  # vncproxy with generate-password


def parse_proxy_ticket(data: Any, what: str) -> ProxyTicket:
    if not isinstance(data, Mapping):
        raise ApiError(f"{what}: the answer is not an object")
    port, ticket, user = data.get("port"), data.get("ticket"), data.get("user")
    if not isinstance(ticket, str) or not ticket or not isinstance(user, str) or not user:
        raise ApiError(f"{what}: the answer has no console ticket or user")
    if not str(port or "").isdigit():
        raise ApiError(f"{what}: the answer has no port")
    password = data.get("password")
    return ProxyTicket(
        port=str(port),
        ticket=ticket,
        user=user,
        upid=str(data.get("upid") or ""),
        password=password if isinstance(password, str) and password else None,
    )


def websocket_url(client: ApiClient, guest_path: str, proxy: ProxyTicket) -> str:
    """``wss://…/api2/json/nodes/N/T/V/vncwebsocket?port=P&vncticket=T`` (every part encoded)."""
    if not client.base_url.startswith("https://"):
        raise ConnectError(f"{client.description}: the Proxmox console needs the HTTPS API")
    query = urlencode({"port": proxy.port, "vncticket": proxy.ticket}, quote_via=quote, safe="")
    return "wss://" + client.base_url.removeprefix("https://") + guest_path + "/vncwebsocket?" + query


async def open_vnc_websocket(client: ApiClient, guest_path: str, proxy: ProxyTicket) -> ClientConnection:
    """The ``vncwebsocket`` relay to the proxy PVE started, authenticated and trusted as ``client``."""
    what = f"the console websocket on {client.description}"
    try:
        return await connect(
            websocket_url(client, guest_path, proxy),
            ssl=client.ssl_context,
            additional_headers=side_connection_headers(client),
            subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
            open_timeout=HANDSHAKE_TIMEOUT,
            max_size=MAX_MESSAGE,
            compression=None,
            logger=QUIET_WS_LOG,
        )
    except TimeoutError:
        raise Timeout(f"opening {what}", HANDSHAKE_TIMEOUT) from None
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise AuthError(f"{client.description} refused {what} (HTTP {status})") from None
        raise ConnectError(f"{client.description} refused {what} (HTTP {status})") from None
    except InvalidURI:
        raise ConnectError(f"{what}: invalid address") from None  # the URL carries the ticket: not shown
    except (OSError, InvalidHandshake, PinMismatch) as exc:
        raise await client.connection_error(exc) from None


class TermproxyConsole:
    """An open ``termproxy`` session (``ConsoleChannel``)."""

    def __init__(
        self,
        client: ApiClient,
        ws: ClientConnection,
        proxy: ProxyTicket,
        *,
        title: str,
        pending: bytes = b"",
    ) -> None:
        self._client = client
        self._ws = ws
        self._upid = proxy.upid
        self._title = title
        self._pending = pending
        self._ended = False
        self._closed = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._sender: OrderedSender[str] = OrderedSender(ws.send, name=f"console send {title}")
        self._keepalive = asyncio.get_running_loop().create_task(self._keep_alive(), name=f"keepalive {title}")

    @property
    def title(self) -> str:
        return self._title

    @property
    def exit_status(self) -> int | None:
        return None  # termproxy does not report the program's status

    async def read(self) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        if self._ended:
            return b""
        try:
            message = await self._ws.recv()
        except ConnectionClosed:
            self._ended = True
            return b""
        data = message.encode() if isinstance(message, str) else bytes(message)
        return data if data else await self.read()  # an empty message is not the end

    def write(self, data: bytes) -> None:
        text = self._decoder.decode(bytes(data))
        if text and not self._ended:
            self._sender.put(f"0:{len(text.encode())}:{text}")

    async def resize(self, size: TermSize) -> None:
        if not self._ended:
            self._sender.put(f"1:{size.cols}:{size.rows}:")

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_EVERY)
            self._sender.put("2")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._keepalive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._keepalive
        if not self._ended:
            await self._sender.flush()
        self._ended = True
        await self._sender.stop()
        with contextlib.suppress(Exception):
            await self._ws.close()
        await stop_task(self._client, self._upid)


async def stop_task(client: ApiClient, upid: str) -> None:
    """Make sure the proxy task of a closed console ends: it should on its own once the websocket
    closed; one still running after ``TASK_END_WAIT`` is stopped. Best effort (logged)."""
    try:
        node = upid_node(upid)
    except ApiError:
        log.debug("console task id %r is not a UPID; nothing to stop", upid)
        return
    path = f"/nodes/{quote(node, safe='')}/tasks/{quote(upid, safe='')}"
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TASK_END_WAIT
        while True:
            status = await pve_request(client, "GET", path + "/status", timeout=10.0)
            if not isinstance(status, Mapping) or status.get("status") != "running":
                return
            if loop.time() >= deadline:
                break
            await asyncio.sleep(0.5)
        await pve_request(client, "DELETE", path, timeout=10.0)
    except OcvError as exc:
        log.debug("stopping the console task on %s: %s", client.description, exc)


async def open_termproxy(client: ApiClient, guest_path: str, size: TermSize, *, title: str) -> TermproxyConsole:
    """A text console on the guest at ``guest_path`` (``/nodes/N/{qemu|lxc}/VMID``, already encoded)."""
    what = f"POST {guest_path}/termproxy"
    proxy = parse_proxy_ticket(await pve_request(client, "POST", guest_path + "/termproxy", data={}), what)
    ws = await open_vnc_websocket(client, guest_path, proxy)
    try:
        async with asyncio.timeout(HANDSHAKE_TIMEOUT):
            await ws.send(f"{proxy.user}:{proxy.ticket}\n")
            first = await ws.recv()
    except TimeoutError:
        await ws.close()
        raise Timeout(f"the console handshake on {client.description}", HANDSHAKE_TIMEOUT) from None
    except ConnectionClosed:
        await stop_task(client, proxy.upid)
        raise AuthError(f"{client.description}: the console proxy refused its ticket") from None
    data = first.encode() if isinstance(first, str) else bytes(first)
    if not data.startswith(b"OK"):
        await ws.close()
        await stop_task(client, proxy.upid)
        raise ApiError(f"{client.description}: the console proxy did not accept the session")
    console = TermproxyConsole(client, ws, proxy, title=title, pending=data[2:])
    await console.resize(size)
    return console
