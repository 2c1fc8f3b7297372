"""Opening a session channel on an SSH connection whose session slots may all be taken for a moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncssh

T = TypeVar("T")


async def open_when_free(conn: asyncssh.SSHClientConnection, opener: Callable[[], Awaitable[T]]) -> T:
    """``await opener()``, retried while the server refuses the channel as busy.

    sshd frees a session slot (``MaxSessions``) only after it has processed our close of the
    previous channel, so right after a command ends an open can still meet "no more sessions"
    (refused as administratively prohibited). That clears within milliseconds: retry with a short
    backoff. Any other refusal, or a closed connection, is raised. The caller bounds the time."""
    delay = 0.01
    while True:
        try:
            return await opener()
        except asyncssh.ChannelOpenError as exc:
            busy = exc.code in (asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, asyncssh.OPEN_RESOURCE_SHORTAGE)
            if not busy or conn.is_closed():
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.25)
