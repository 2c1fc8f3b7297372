"""Opening a session channel on an SSH connection whose session slots may all be taken for a moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncssh

T = TypeVar("T")


# What sshd answers to a session channel while its MaxSessions slots are taken: older releases
# refuse it as administratively prohibited, OpenSSH 9 as "open failed" with CONNECT_FAILED (its
# session_open() failed: a session channel connects nowhere, so nothing else can mean that).
BUSY = (asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, asyncssh.OPEN_RESOURCE_SHORTAGE, asyncssh.OPEN_CONNECT_FAILED)


async def open_when_free(
    conn: asyncssh.SSHClientConnection, opener: Callable[[], Awaitable[T]], *, also_busy: tuple[int, ...] = ()
) -> T:
    """``await opener()``, retried while the server refuses the channel as busy.

    sshd frees a session slot (``MaxSessions``) only after it has processed our close of the
    previous channel, so right after a command ends an open can still meet "no more sessions"
    (see ``BUSY``). That clears within milliseconds: retry with a short backoff. ``also_busy``
    adds codes that mean "busy" for this opener only. Any other refusal, or a closed connection,
    is raised. The caller bounds the time."""
    delay = 0.01
    while True:
        try:
            return await opener()
        except asyncssh.ChannelOpenError as exc:
            busy = exc.code in BUSY or exc.code in also_busy
            if not busy or conn.is_closed():
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.25)
