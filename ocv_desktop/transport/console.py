"""The contract every interactive console speaks, whatever carries it.

A console is a byte stream to a program that believes it has a terminal: a login shell on a node
(an SSH PTY), ``docker exec -it`` / ``incus exec -t`` / ``pct enter`` run over that PTY, an
LXD/Incus API exec websocket with ``interactive: true``, or a Proxmox ``termproxy`` relayed
through ``vncwebsocket``. The terminal widget (``ui/console/``) only ever sees this protocol, so a
new road to a shell is one class here, not a change in the UI.

Rules every implementation keeps:
- bytes in, bytes out: the widget decodes UTF-8 incrementally (a CJK character can be split
  across two reads);
- ``read()`` returns ``b""`` exactly once the remote side has ended, then keeps returning it;
- ``close()`` ends the *remote* program too (a closed tab must not leave a shell running on the
  node) and is safe to call twice;
- no secret ever appears in an argv: credentials come from the node's existing connection or
  travel on the channel itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class TermSize:
    """A terminal's size in character cells (what a PTY's window-change carries)."""

    cols: int = 80
    rows: int = 24

    def __post_init__(self) -> None:
        if not (1 <= self.cols <= 1000 and 1 <= self.rows <= 1000):
            raise ValueError(f"terminal size out of range: {self.cols}x{self.rows}")


@runtime_checkable
class ConsoleChannel(Protocol):
    """An open interactive console."""

    @property
    def title(self) -> str:
        """What the tab shows, e.g. ``root@pve1`` or ``web1 (docker exec)``."""
        ...

    async def read(self) -> bytes:
        """The next chunk of output; ``b""`` once the remote program has ended."""
        ...

    def write(self, data: bytes) -> None:
        """Send keystrokes (already encoded, e.g. ``b"\\x1b[A"`` for cursor up)."""
        ...

    async def resize(self, size: TermSize) -> None:
        """Tell the remote PTY its new size (SIGWINCH on the remote program)."""
        ...

    async def close(self) -> None:
        """End the remote program and release the channel; safe to call twice."""
        ...

    @property
    def exit_status(self) -> int | None:
        """The remote program's exit status once known, else None."""
        ...


class WrappedConsole:
    """A console that passes everything to ``inner``: subclasses change what they need (a title
    shown differently, more work on close) and keep the rest of the contract for free."""

    def __init__(self, inner: ConsoleChannel, title: str | None = None) -> None:
        self._inner = inner
        self._title = title

    @property
    def title(self) -> str:
        return self._inner.title if self._title is None else self._title

    @property
    def exit_status(self) -> int | None:
        return self._inner.exit_status

    async def read(self) -> bytes:
        return await self._inner.read()

    def write(self, data: bytes) -> None:
        self._inner.write(data)

    async def resize(self, size: TermSize) -> None:
        await self._inner.resize(size)

    async def close(self) -> None:
        await self._inner.close()
