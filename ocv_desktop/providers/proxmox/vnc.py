"""A Proxmox VM's graphical console in ``remote-viewer``: ``vncproxy`` relayed to a local port.

PVE serves a VM's VNC only through its API: ``POST …/qemu/{vmid}/vncproxy`` with ``websocket=1``
and ``generate-password=1`` answers ``{port, ticket, user, upid, password}``, and the RFB stream
then flows over ``…/vncwebsocket?port&vncticket`` (the same relay as termproxy.py, same auth and
pinned TLS). A VNC viewer speaks TCP, so we listen on ``127.0.0.1`` (a free port), accept exactly
one connection and pump bytes between it and the websocket (binary frames). The websocket is opened
at once, before the viewer starts (the ticket is valid for about 40 s, and an auth or TLS problem is
reported here rather than as a viewer that shows nothing); what the server sends meanwhile waits in
the websocket's buffer.

Who else could reach that port? Any local user, for the moment before the viewer connects. They
would still need the VNC password, which PVE generated for this session only and which sits only
in the viewer's 0600 connection file (transport/viewer.py), never in an argv. SPICE
(``spiceproxy``) needs the PVE node's spiceproxy port reachable directly; VNC over the API works
wherever the API does, so it is the road here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from ocv_desktop.providers.proxmox.api import pve_request
from ocv_desktop.providers.proxmox.termproxy import open_vnc_websocket, parse_proxy_ticket, stop_task
from ocv_desktop.transport.http import ApiClient
from ocv_desktop.transport.viewer import ViewerSession, find_viewer, launch_viewer

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
VIEWER_CONNECT_WAIT = 60.0  # seconds for the viewer to connect before the relay gives up
CHUNK = 64 * 1024


class WebsocketRelay:
    """One local TCP connection <-> one websocket, byte for byte."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._server: asyncio.Server | None = None
        self._taken = False
        self._pump: asyncio.Task[None] | None = None
        self._idle: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._idle = asyncio.get_running_loop().create_task(self._give_up_unless_connected())
        return self.port

    async def _give_up_unless_connected(self) -> None:
        await asyncio.sleep(VIEWER_CONNECT_WAIT)
        if not self._taken:
            log.info("no viewer connected to the console relay within %.0f s; closing it", VIEWER_CONNECT_WAIT)
            await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._taken:  # one viewer, one session: the ticket was for one connection
            writer.close()
            return
        self._taken = True
        if self._server is not None:
            self._server.close()  # nobody else connects
        self._pump = asyncio.current_task()
        try:
            await self._run(reader, writer)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def _run(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def up() -> None:  # viewer -> VM
            while data := await reader.read(CHUNK):
                await self._ws.send(data)  # bytes: a binary frame

        async def down() -> None:  # VM -> viewer
            async for message in self._ws:
                writer.write(message.encode() if isinstance(message, str) else message)
                await writer.drain()

        tasks = [asyncio.ensure_future(up()), asyncio.ensure_future(down())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed, OSError):
                    await task

    async def close(self) -> None:
        for task in (self._idle, self._pump):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if self._server is not None:
            self._server.close()
        with contextlib.suppress(Exception):
            await self._ws.close()


async def open_vnc_viewer(client: ApiClient, guest_path: str, *, title: str) -> ViewerSession:
    """Show the VM at ``guest_path`` (``/nodes/N/qemu/VMID``, encoded) in ``remote-viewer``.
    ``Unsupported`` naming the package when no viewer is installed (before asking PVE anything)."""
    viewer = find_viewer()
    what = f"POST {guest_path}/vncproxy"
    answer = await pve_request(
        client, "POST", guest_path + "/vncproxy", data={"websocket": True, "generate-password": True}
    )
    proxy = parse_proxy_ticket(answer, what)
    ws = await open_vnc_websocket(client, guest_path, proxy)
    relay = WebsocketRelay(ws)

    async def cleanup() -> None:
        await relay.close()
        await stop_task(client, proxy.upid)

    try:
        port = await relay.start()
    except BaseException:
        await cleanup()
        raise
    fields = {
        "type": "vnc",
        "host": LOOPBACK,
        "port": port,
        # Without generate-password (older PVE) the ticket is the VNC password.
        "password": proxy.password or proxy.ticket,
        "title": " ".join(title.split()),  # one line, whatever the guest is called
        "delete-this-file": 1,
    }
    return await launch_viewer(viewer, fields, title=title, cleanup=cleanup)
