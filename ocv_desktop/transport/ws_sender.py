"""Keystrokes from a synchronous ``write()`` onto a websocket, in order, from one task.

``ConsoleChannel.write`` is synchronous (the terminal widget calls it from a key event), but a
websocket send is a coroutine. Starting one task per keystroke would leave the order to the
scheduler; this queue keeps it: one task sends every item in the order it was put. A send that
fails (the connection is gone) drops the rest: the console's ``read()`` reports the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class OrderedSender(Generic[T]):
    def __init__(self, send: Callable[[T], Awaitable[None]], *, name: str) -> None:
        self._send = send
        self._queue: asyncio.Queue[T] = asyncio.Queue()
        self._broken = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name=name)

    def put(self, item: T) -> None:
        if not self._broken and not self._task.done():
            self._queue.put_nowait(item)

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._send(item)
            except Exception as exc:  # the connection is gone; read() says so
                log.debug("console send failed: %s", type(exc).__name__)
                self._broken = True
                self._queue.task_done()
                while not self._queue.empty():  # what is left will never go; flush() must not wait for it
                    self._queue.get_nowait()
                    self._queue.task_done()
                return
            self._queue.task_done()

    async def flush(self, timeout: float = 2.0) -> None:
        """Wait (bounded) until what was put has been handed to the connection."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


# The websockets library logs every frame's first bytes at DEBUG: keystrokes (a password typed at a
# sudo prompt), chpasswd's stdin, a Proxmox console ticket. Our websockets log to this logger,
# which stays at INFO whatever level the app's debug switch sets on the root logger.
QUIET_WS_LOG = logging.getLogger("ocv_desktop.websocket_frames")
QUIET_WS_LOG.setLevel(logging.INFO)
